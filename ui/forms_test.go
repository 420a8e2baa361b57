package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// shownErrors is field → message of a form's visible field errors.
func shownErrors(errs map[string]*label) map[string]string {
	out := map[string]string{}
	for f, l := range errs {
		if l.Visible() {
			out[f] = l.Logical()
		}
	}
	return out
}

// TestWorkshopFormAllErrorsAtOnce: Save shows every problem of the form,
// each next to its field (capacity asks for a whole number), and each goes
// as its field is corrected; the saved workshop is confirmed on the screen.
func TestWorkshopFormAllErrorsAtOnce(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	u.show(screenWorkshops)
	u.workshops.create()
	f := u.workshops.form
	f.date.SetText("31/02/2026")
	f.hours.SetText("three")
	f.capacity.SetText("2.5")
	f.gov.ClearSelected()
	f.submit()
	got := shownErrors(f.errs)
	for _, field := range []string{"title_ar", "date", "hours", "capacity", "governorate"} {
		if got[field] == "" {
			t.Errorf("no message next to %s (shown: %v)", field, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("messages %v", got)
	}
	if got["capacity"] != "Type a whole number of people, like 30." {
		t.Errorf("capacity says %q", got["capacity"])
	}
	if f.message.Logical() != "Please correct the fields marked in red." {
		t.Errorf("message %q", f.message.Logical())
	}
	capture(t, u, "workshop-errors-en")

	test.Type(f.capacity, "0") // "2.50": still not whole
	if shownErrors(f.errs)["capacity"] == "" {
		t.Fatal("capacity 2.50 accepted")
	}
	f.capacity.SetText("30")
	if got := shownErrors(f.errs); got["capacity"] != "" || len(got) != 4 {
		t.Fatalf("after capacity: %v", got)
	}
	f.hours.SetText("3")
	if got := shownErrors(f.errs); got["hours"] != "" || len(got) != 3 {
		t.Fatalf("after hours: %v", got)
	}
	f.titleAr.SetText("البيانات المفتوحة")
	f.date.SetText("2026-02-28")
	if got := shownErrors(f.errs); len(got) != 1 || got["governorate"] == "" {
		t.Fatalf("after title and date: %v", got)
	}
	f.gov.SetSelected(u.places.govName(English, "OM-MA"))
	if got := shownErrors(f.errs); len(got) != 0 || f.message.Logical() != "" {
		t.Fatalf("all corrected, still %v %q", got, f.message.Logical())
	}
	f.submit()
	eventually(t, "saved", func() bool { return f.w.ID != "" })
	settle(u) // the list reloads and selects the new workshop
	if f.message.Logical() != "البيانات المفتوحة added." || f.w.Capacity != 30 {
		t.Fatalf("after save: %q, capacity %d", f.message.Logical(), f.w.Capacity)
	}
	if w, err := s.Workshop(context.Background(), f.w.ID); err != nil || w.Capacity != 30 || w.Hours != 3 {
		t.Fatalf("stored %+v %v", w, err)
	}
	f.venue.SetText("Knowledge Oasis")
	f.submit()
	eventually(t, "saved again", func() bool { return f.save.Disabled() == false && strings.HasSuffix(f.message.Logical(), "saved.") })
}

// TestPersonFormAllErrorsAtOnce: the person form shows every problem at
// once and takes each away as its field is corrected; Save says who was
// added.
func TestPersonFormAllErrorsAtOnce(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, Arabic)
	u.show(screenPeople)
	u.people.create()
	p := u.people.detail
	p.nameAr.SetText("Ahmed")
	p.phone.SetText("12")
	p.email.SetText("ahmed@")
	p.submit()
	got := shownErrors(p.errs)
	if len(got) != 4 || got["name_ar"] == "" || got["phone"] == "" || got["email"] == "" || got["governorate"] == "" {
		t.Fatalf("messages %v", got)
	}
	p.phone.SetText("9123 4567")
	if got := shownErrors(p.errs); got["phone"] != "" || len(got) != 3 {
		t.Fatalf("after phone: %v", got)
	}
	p.email.SetText("ahmed@example.om")
	p.nameAr.SetText("أحمد الهنائي")
	p.gov.SetSelected(u.places.govName(Arabic, "OM-MA"))
	if got := shownErrors(p.errs); len(got) != 0 {
		t.Fatalf("after all: %v", got)
	}
	p.submit()
	eventually(t, "saved", func() bool { return p.person.ID != "" && p.message.Logical() == "أُضيف أحمد الهنائي." })
	settle(u)
	if p.message.Logical() != "أُضيف أحمد الهنائي." {
		t.Fatalf("message after the panel reloaded: %q", p.message.Logical())
	}
}

// TestWalkInAllErrorsAtOnce: with no name and a bad phone, both are said
// at once; each goes when corrected.
func TestWalkInAllErrorsAtOnce(t *testing.T) {
	s := testStore(t)
	todayWorkshop(t, s)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "workshops", func() bool { return len(c.workshops) > 0 })
	f := c.walkIn
	f.open()
	f.phone.SetText("12")
	f.submit()
	if got := shownErrors(f.errs); got["name"] == "" || got["phone"] == "" {
		t.Fatalf("messages %v", got)
	}
	f.name.SetText("Zahra Al Lawati")
	if got := shownErrors(f.errs); got["name"] != "" || got["phone"] == "" {
		t.Fatalf("after the name: %v", got)
	}
	f.phone.SetText("9876 5432")
	if got := shownErrors(f.errs); len(got) != 0 {
		t.Fatalf("after the phone: %v", got)
	}
}

// TestNewWorkshopEnrolledGovernorate: on a computer enrolled for two
// governorates a new workshop starts in the first.
func TestNewWorkshopEnrolledGovernorate(t *testing.T) {
	s := testStore(t)
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "https://hq.example", Token: "t",
		Governorates: []string{"OM-DA", "OM-MA"}}); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, English)
	u.show(screenWorkshops)
	u.workshops.create()
	f := u.workshops.form
	want := u.places.govName(English, "OM-DA")
	eventually(t, "governorate", func() bool { return f.gov.Selected == want })
	if w, err := f.read(); err == nil || w.Governorate != "OM-DA" {
		t.Fatalf("read %+v %v", w.Governorate, err) // no title yet: an error
	}
}

// TestDeleteWorkshop: a workshop with attendance is refused in words on
// the form; one without is deleted after the confirmation, and the screen
// says so.
func TestDeleteWorkshop(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	attended := attendedWorkshop(t, s, safeer.Workshop{TitleEn: "Attended", Governorate: "OM-MA"})
	empty := addWorkshop(t, s, safeer.Workshop{TitleEn: "Empty", Date: "2026-12-20", Hours: 2, Governorate: "OM-MA"})
	u := newTestUI(t, s, English)
	u.show(screenWorkshops)
	ws := u.workshops
	eventually(t, "workshops", func() bool { return len(ws.shownWs) == 2 })
	f := ws.form
	open := func(id string) {
		for i, w := range ws.shownWs {
			if w.ID == id {
				ws.list.Select(i)
			}
		}
	}
	open(attended.ID)
	test.Tap(f.remove)
	tapDialogButton(t, u, "Delete")
	eventually(t, "refused", func() bool { return strings.Contains(f.message.Logical(), "cannot be deleted") })
	if w, _ := s.Workshop(ctx, attended.ID); w.Deleted {
		t.Fatal("deleted with attendance")
	}
	open(empty.ID)
	test.Tap(f.remove)
	tapDialogButton(t, u, "Cancel")
	if w, _ := s.Workshop(ctx, empty.ID); w.Deleted {
		t.Fatal("deleted without confirmation")
	}
	test.Tap(f.remove)
	tapDialogButton(t, u, "Delete")
	eventually(t, "deleted", func() bool { return len(ws.shownWs) == 1 })
	if w, _ := s.Workshop(ctx, empty.ID); !w.Deleted {
		t.Fatal("not deleted")
	}
	if ws.notice.Logical() != "Workshop Empty deleted." || !ws.notice.Visible() {
		t.Fatalf("notice %q", ws.notice.Logical())
	}
}
