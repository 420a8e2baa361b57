package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

func todayWorkshop(t *testing.T, s *data.Store) safeer.Workshop {
	return addWorkshop(t, s, safeer.Workshop{TitleAr: "ورشة المدن الذكية", TitleEn: "Smart cities 101",
		Date: time.Now().Format("2006-01-02"), Hours: 3, Capacity: 30, Governorate: "OM-MA", Wilayat: "Muscat"})
}

func TestCheckInTopMatchWithEnter(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := todayWorkshop(t, s)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "today's workshop chosen", func() bool { return c.workshopID == w.ID && c.counter.Text == "Present 0 / 30" })
	if u.win.Canvas().Focused() != c.search {
		t.Fatal("the search box does not have the keyboard")
	}

	test.Type(c.search, "fatima")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "Fatima present", func() bool { return len(c.present) == 1 && c.counter.Text == "Present 1 / 30" })
	if c.present[0].PersonID != people[1].ID {
		t.Fatalf("checked in %s", c.present[0].Person.NameEn)
	}
	if !strings.Contains(c.feedback.Text, "Fatima Al Zadjali") || c.search.Text != "" {
		t.Fatalf("feedback %q, search %q", c.feedback.Text, c.search.Text)
	}
	rows, err := s.WorkshopAttendance(context.Background(), w.ID)
	if err != nil || len(rows) != 1 || rows[0].Hours != 3 {
		t.Fatalf("stored attendance %+v, %v", rows, err)
	}

	// Enter again for the same person says so and changes nothing.
	test.Type(c.search, "92223333")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "already checked in", func() bool { return strings.Contains(c.feedback.Text, "already checked in") })

	// Hours are editable.
	c.setHours(c.present[0], "2.5")
	eventually(t, "hours changed", func() bool { return len(c.present) == 1 && c.present[0].Hours == 2.5 })

	// Un-check-in: the row stays, marked undone, until the list is read again.
	fatima := c.present[0]
	c.undo(fatima)
	eventually(t, "nobody present", func() bool { return c.undone[fatima.ID] && c.counter.Text == "Present 0 / 30" })
	capture(t, u, "checkin-en")
}

func TestWalkInWhoDuplicatesSomeoneIsWarned(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	todayWorkshop(t, s)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "workshop chosen", func() bool { return c.workshopID != "" })

	c.search.TypedShortcut(shortcutNew) // Ctrl+N opens the walk-in form
	f := c.walkIn
	if !f.content.Visible() || u.win.Canvas().Focused() != f.name {
		t.Fatal("Ctrl+N did not open the walk-in form")
	}
	test.Type(f.name, "Ahmad Balushi")
	test.Type(f.phone, "9123 4567") // Ahmed's phone, typed differently
	eventually(t, "duplicate warning", func() bool { return f.dups.visible() })
	if m := f.dups.matches[0]; m.ID != people[0].ID {
		t.Fatalf("warned about %+v", m)
	}
	text := allText(f.dups.view())
	if !strings.Contains(text, "Ahmed Al Balushi") || !strings.Contains(text, "phone") {
		t.Fatalf("warning says %q", text)
	}
	capture(t, u, "walkin-duplicate-en")

	// "This is the same person" checks in the one on the roster.
	f.dups.onSame(f.dups.matches[0])
	eventually(t, "Ahmed present", func() bool { return len(c.present) == 1 && c.present[0].PersonID == people[0].ID })
	if f.content.Visible() {
		t.Fatal("walk-in form still open")
	}
	if n, _ := s.CountPeople(context.Background()); n != 3 {
		t.Fatalf("%d people: a duplicate was added", n)
	}

	// A real newcomer is added and checked in.
	c.walkIn.open()
	test.Type(f.name, "مريم الهنائية")
	test.Type(f.phone, "99887766")
	f.submit()
	eventually(t, "Mariam present", func() bool { return len(c.present) == 2 })
	if n, _ := s.CountPeople(context.Background()); n != 4 {
		t.Fatalf("%d people after a walk-in", n)
	}
}
