package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer/data"
)

func TestPeopleSearchNarrowsTheList(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	p := u.people
	eventually(t, "three people listed", func() bool { return p.list.Length() == 3 })

	test.Type(p.search, "احمد") // no hamza: still finds أحمد
	eventually(t, "one match", func() bool { return p.list.Length() == 1 && p.results[0].NameEn == "Ahmed Al Balushi" })
	if p.count.Text != "1 person" {
		t.Errorf("count label %q", p.count.Text)
	}
	p.search.SetText("")
	eventually(t, "everyone again", func() bool { return p.list.Length() == 3 })
	p.status.SetSelectedIndex(2) // inactive
	eventually(t, "the inactive one", func() bool { return p.list.Length() == 1 && p.results[0].NameEn == "Salim Al Harthy" })
	capture(t, u, "people-en")
}

// TestPersonFormShowsProblemsNextToFields saves a person with mistakes:
// each message appears under its field, in the user's language.
func TestPersonFormShowsProblemsNextToFields(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			s := testStore(t)
			u := newTestUI(t, s, l)
			u.show(screenPeople)
			u.people.create()
			p := u.people.detail
			test.Type(p.nameAr, "Ahmed")
			test.Type(p.phone, "12")
			test.Type(p.email, "not-an-email")
			p.submit()
			eventually(t, "errors", func() bool { return p.errs["phone"].Visible() })
			for _, f := range []string{"name_ar", "phone", "email", "governorate"} {
				if !p.errs[f].Visible() || p.errs[f].Logical() == "" {
					t.Errorf("no message under %s", f)
				}
			}
			if p.errs["name_en"].Visible() {
				t.Error("a message under a field that is fine")
			}
			if l == Arabic && !hasArabic(p.errs["phone"].Logical()) {
				t.Errorf("Arabic UI, English message: %q", p.errs["phone"].Logical())
			}
			if l == English && hasArabic(p.errs["phone"].Logical()) {
				t.Errorf("English UI, Arabic message: %q", p.errs["phone"].Logical())
			}
			capture(t, u, "person-errors-"+string(l))
			if n, _ := s.CountPeople(context.Background()); n != 0 {
				t.Fatal("an invalid person was saved")
			}

			// Fixed, it saves.
			p.nameAr.SetText("أحمد")
			p.phone.SetText("91234567")
			p.email.SetText("")
			p.gov.SetSelected(u.places.govName(l, "OM-MA"))
			p.submit()
			eventually(t, "saved", func() bool { return p.person.ID != "" && !p.errs["phone"].Visible() })
		})
	}
}

// TestNewPersonDuplicateWarning: typing a person who is already on the
// roster shows who and why; "this is the same person" completes and opens
// the existing record instead of adding a second one.
func TestNewPersonDuplicateWarning(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	u.people.create()
	p := u.people.detail
	test.Type(p.nameEn, "Ahmad Balushi")
	test.Type(p.phone, "+968 9123 4567")
	test.Type(p.email, "ahmed@example.om")
	eventually(t, "warning", func() bool { return p.dups.visible() })
	if p.dups.matches[0].ID != people[0].ID || !strings.Contains(allText(p.dups.view()), "phone") {
		t.Fatalf("warning: %q", allText(p.dups.view()))
	}
	capture(t, u, "person-duplicate-en")
	p.dups.onSame(p.dups.matches[0])
	eventually(t, "existing record opened", func() bool { return p.person.ID == people[0].ID })
	got, _ := s.Person(context.Background(), people[0].ID)
	if got.Email != "ahmed@example.om" || got.NameEn != "Ahmed Al Balushi" {
		t.Fatalf("existing record now %+v", got)
	}
	if n, _ := s.CountPeople(context.Background()); n != 3 {
		t.Fatalf("%d people", n)
	}

	// "Different person" dismisses the warning.
	u.people.create()
	test.Type(p.phone, "91234567")
	eventually(t, "warning again", func() bool { return p.dups.visible() })
	p.dups.dismissed[p.dups.matches[0].ID] = true
	p.dups.show(p.dups.matches, p.dups.onSame, true)
	if p.dups.visible() {
		t.Fatal("warning still shown after 'different person'")
	}
}

// TestPersonHistory shows a person's workshops and hours.
func TestPersonHistory(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := addWorkshop(t, s, data.Workshop{TitleEn: "Open data", Date: "2026-01-10", Hours: 2.5, Governorate: "OM-MA"})
	if err := s.Attend(context.Background(), &data.Attendance{WorkshopID: w.ID, PersonID: people[0].ID}); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	eventually(t, "listed", func() bool { return u.people.list.Length() == 3 })
	u.people.detail.open(people[0].ID)
	p := u.people.detail
	eventually(t, "history", func() bool { return p.hours.Text == "Workshops: 1 · hours in all: 2.5" })
	if !strings.Contains(allText(p.history), "Open data") {
		t.Fatalf("history %q", allText(p.history))
	}
}
