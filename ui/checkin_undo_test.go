package ui

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
)

// presentWorkshop checks testPeople in at today's workshop, one second
// apart (the present list is newest first), and opens the check-in screen.
func presentWorkshop(t *testing.T, s *data.Store, l Lang) (*UI, []safeer.Person, safeer.Workshop) {
	t.Helper()
	people := addPeople(t, s, testPeople...)
	w := todayWorkshop(t, s)
	at := time.Now().UTC().Add(-time.Minute)
	for i, p := range people {
		a := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID, CheckedInAt: at.Add(time.Duration(i) * time.Second).Format(time.RFC3339)}
		if err := s.Attend(context.Background(), &a); err != nil {
			t.Fatal(err)
		}
	}
	u := newTestUI(t, s, l)
	u.show(screenCheckIn)
	eventually(t, "present list", func() bool { return len(u.checkin.present) == len(people) })
	return u, people, w
}

// undoButtons is the present list's Undo buttons as drawn, top to bottom,
// each with the name on its row.
type undoButton struct {
	name string
	y    float32
	b    *widget.Button
}

func undoButtons(t *testing.T, u *UI) []undoButton {
	t.Helper()
	var out []undoButton
	d := fyne.CurrentApp().Driver()
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			var b *widget.Button
			var name *label
			for _, c := range x.Objects {
				switch c := c.(type) {
				case *widget.Button:
					b = c
				case *label:
					if name == nil {
						name = c
					}
				}
			}
			if b != nil && name != nil {
				out = append(out, undoButton{name.Logical(), d.AbsolutePositionForObject(b).Y, b})
				return
			}
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(u.checkin.presentBox)
	sort.Slice(out, func(i, j int) bool { return out[i].y < out[j].y })
	return out
}

// tapDialogButton taps the button saying text in the window's top overlay.
func tapDialogButton(t *testing.T, u *UI, text string) {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			// An Arabic dialog's buttons are the app's: their text is
			// displayText's, with marks around the words.
			if logicalText(x.Text) == logicalText(text) {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	walk(top)
	if found == nil {
		t.Fatalf("no button %q in the dialog", text)
	}
	test.Tap(found)
}

func TestUndoKeepsTheNextRowUnderThePointer(t *testing.T) {
	s := testStore(t)
	u, _, w := presentWorkshop(t, s, English)
	c := u.checkin
	before := undoButtons(t, u)
	if len(before) != 3 {
		t.Fatalf("%d Undo buttons", len(before))
	}
	// Newest first: Salim, Fatima, Ahmed. Undo Fatima, in the middle.
	middle, next := before[1], before[2]
	if !strings.Contains(middle.name, "Fatima") || !strings.Contains(next.name, "Ahmed") {
		t.Fatalf("rows %q, %q", middle.name, next.name)
	}
	test.Tap(middle.b)
	eventually(t, "Fatima undone", func() bool { return c.counter.Text == "Present 2 / 30" })

	after := undoButtons(t, u)
	if len(after) != 3 {
		t.Fatalf("%d rows after the undo: the list moved", len(after))
	}
	for i := range before {
		if after[i].name != before[i].name || after[i].y != before[i].y {
			t.Errorf("row %d was %q at %v, is %q at %v", i, before[i].name, before[i].y, after[i].name, after[i].y)
		}
	}
	if !after[1].b.Disabled() || after[1].b.Text != "Undone" {
		t.Fatalf("the undone row's button: %q, disabled %v", after[1].b.Text, after[1].b.Disabled())
	}
	// A second click where the pointer is does nothing…
	test.Tap(after[1].b)
	settle(u)
	if got := attendees(t, s, w); len(got) != 2 {
		t.Fatalf("a second click changed attendance: %v", got)
	}
	// …and the next row's button, where it was, is still Ahmed's.
	test.Tap(after[2].b)
	eventually(t, "Ahmed undone", func() bool { return c.counter.Text == "Present 1 / 30" })
	rows, _ := s.WorkshopAttendance(context.Background(), w.ID)
	if len(rows) != 1 || !strings.Contains(rows[0].Person.NameEn, "Salim") {
		t.Fatalf("left present: %+v", rows)
	}

	// The next reading of the list drops the undone rows.
	c.loadAttendance()
	eventually(t, "list read again", func() bool { return len(c.present) == 1 && len(c.undone) == 0 })
}

func TestUndoWithCertificateAsksAndRevokes(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople[:2]...)
	w := todayWorkshop(t, s)
	for _, p := range people {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.IssueCertificates(ctx, w.ID, signer)
	if err != nil || len(rep.Issued) != 2 {
		t.Fatalf("issued %+v, %v", rep, err)
	}
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "present list", func() bool { return len(c.present) == 2 })
	var r data.AttendanceRecord
	for _, p := range c.present {
		if p.PersonID == people[1].ID {
			r = p
		}
	}
	live, _ := s.LiveCertificates(ctx, r.ID)
	if len(live) != 1 {
		t.Fatalf("Fatima's certificates: %+v", live)
	}

	// Cancel: nothing changes.
	c.undo(r)
	eventually(t, "asked", func() bool { return c.asked != nil })
	tapDialogButton(t, u, "Cancel")
	settle(u)
	if got := attendees(t, s, w); len(got) != 2 {
		t.Fatalf("cancelled undo changed attendance: %v", got)
	}

	c.undo(r)
	eventually(t, "asked", func() bool { return c.asked != nil })
	q := c.asked
	if !q.revoke.Checked || q.reason.Text != "check-in undone" {
		t.Fatalf("revoke %v, reason %q", q.revoke.Checked, q.reason.Text)
	}
	if text := allText(u.win.Canvas().Overlays().Top()); !strings.Contains(text, certificate.FormatCode(live[0].Code)) {
		t.Fatalf("the question does not name the certificate:\n%s", text)
	}
	tapDialogButton(t, u, "Undo check-in")
	eventually(t, "undone", func() bool { return c.undone[r.ID] })
	cert, err := s.CertificateByCode(ctx, live[0].Code)
	if err != nil || cert.RevokedAt == "" || cert.RevokedReason != "check-in undone" {
		t.Fatalf("certificate after the undo: %+v, %v", cert, err)
	}
	if got := attendees(t, s, w); len(got) != 1 || got[0] != people[0].ID {
		t.Fatalf("attendance %v", got)
	}
	if !strings.Contains(c.feedback.Logical(), "revoked") {
		t.Fatalf("feedback %q", c.feedback.Logical())
	}
	// Ahmed's certificate is untouched.
	if l, _ := s.LiveCertificates(ctx, data.AttendanceID(w.ID, people[0].ID)); len(l) != 1 {
		t.Fatalf("Ahmed's live certificates: %+v", l)
	}
}

func TestUndoWithoutCertificateDoesNotAsk(t *testing.T) {
	s := testStore(t)
	u, people, w := presentWorkshop(t, s, English)
	c := u.checkin
	c.undo(c.present[0]) // Salim, the newest
	eventually(t, "undone", func() bool { return c.counter.Text == "Present 2 / 30" })
	if c.asked != nil || u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("asked before undoing a check-in without a certificate")
	}
	got := attendees(t, s, w)
	if len(got) != 2 || got[0] == people[2].ID || got[1] == people[2].ID {
		t.Fatalf("attendance %v", got)
	}
}

func TestUndoTheUndo(t *testing.T) {
	s := testStore(t)
	u, people, w := presentWorkshop(t, s, English)
	c := u.checkin
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }

	// Fatima stayed 2.5 hours; her check-in is undone, then the undo.
	fatima := c.present[1]
	c.setHours(fatima, "2.5")
	eventually(t, "hours", func() bool { return len(c.present) == 3 && c.present[1].Hours == 2.5 })
	fatima = c.present[1]
	c.undo(fatima)
	eventually(t, "undone", func() bool { return c.undone[fatima.ID] })
	if !c.redo.Visible() {
		t.Fatal("no Undo on the feedback line")
	}
	now = now.Add(undoWindow - time.Second)
	c.refreshFeedback()
	if !c.redo.Visible() {
		t.Fatal("the Undo went before undoWindow")
	}
	test.Tap(c.redo)
	eventually(t, "back", func() bool { return len(c.present) == 3 && len(c.undone) == 0 && c.counter.Text == "Present 3 / 30" })
	rows, _ := s.WorkshopAttendance(context.Background(), w.ID)
	var back data.AttendanceRecord
	for _, r := range rows {
		if r.PersonID == people[1].ID {
			back = r
		}
	}
	if back.Hours != 2.5 || back.CheckedInAt != fatima.CheckedInAt {
		t.Fatalf("checked in again with %v hours at %s, was %v at %s", back.Hours, back.CheckedInAt, fatima.Hours, fatima.CheckedInAt)
	}
	if c.redo.Visible() || !strings.Contains(c.feedback.Logical(), "checked in again") {
		t.Fatalf("after undoing the undo: Undo visible %v, %q", c.redo.Visible(), c.feedback.Logical())
	}

	// After undoWindow the Undo is gone, and nothing comes back.
	salim := c.present[0]
	c.undo(salim)
	eventually(t, "undone", func() bool { return c.undone[salim.ID] })
	now = now.Add(undoWindow)
	c.refreshFeedback()
	if c.redo.Visible() {
		t.Fatal("the Undo outlived undoWindow")
	}
	c.redoTapped()
	settle(u)
	if got := attendees(t, s, w); len(got) != 2 {
		t.Fatalf("an expired Undo changed attendance: %v", got)
	}
}
