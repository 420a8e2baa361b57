package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer"
)

// Every message on the check-in screen's feedback line goes when the state
// it describes does.
func TestCheckInFeedbackFollowsTheState(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	noWorkshop, noMatch := u.T("checkin.noworkshop"), u.T("checkin.nomatch")

	// No workshop: said so, and Enter checks in nobody.
	eventually(t, "no workshop", func() bool { return c.feedback.Logical() == noWorkshop })
	test.Type(c.search, "fatima")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settle(u)
	if c.feedback.Logical() != noWorkshop || len(c.present) != 0 {
		t.Fatalf("Enter without a workshop: %q, %d present", c.feedback.Logical(), len(c.present))
	}
	// Once there is one (made under Workshops, chosen on coming back), the
	// message goes.
	w := todayWorkshop(t, s)
	c.shown()
	eventually(t, "workshop chosen", func() bool { return c.workshopID == w.ID })
	settle(u)
	if c.feedback.Logical() != "" {
		t.Fatalf("with a workshop the line says %q", c.feedback.Logical())
	}

	// A query that matches no one says so, as it is typed and on Enter…
	c.search.SetText("")
	test.Type(c.search, "zzz")
	eventually(t, "no match", func() bool { return c.feedback.Logical() == noMatch })
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settle(u)
	if c.feedback.Logical() != noMatch || len(c.present) != 0 {
		t.Fatalf("Enter on no match: %q", c.feedback.Logical())
	}
	// …and not above matches.
	c.search.SetText("")
	test.Type(c.search, "fatima")
	eventually(t, "matches", func() bool { return len(c.results) == 1 })
	if c.feedback.Logical() != "" {
		t.Fatalf("above a match the line says %q", c.feedback.Logical())
	}

	// An action's message stays while the coordinator types the next name,
	// gives way to "no match", and comes back when the box is emptied.
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "Fatima present", func() bool { return len(c.present) == 1 })
	done := c.feedback.Logical()
	if !strings.Contains(done, "Fatima Al Zadjali — فاطمة الزدجالية checked in") {
		t.Fatalf("after a check-in: %q", done)
	}
	test.Type(c.search, "ahm")
	eventually(t, "matches", func() bool { return len(c.results) == 1 })
	if c.feedback.Logical() != done {
		t.Fatalf("while typing the next name: %q", c.feedback.Logical())
	}
	test.Type(c.search, "zzz")
	eventually(t, "no match", func() bool { return c.feedback.Logical() == noMatch })
	c.search.SetText("")
	settle(u)
	if c.feedback.Logical() != done {
		t.Fatalf("query emptied: %q", c.feedback.Logical())
	}

	// Another workshop: the message was about the first one and goes.
	other := addWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data",
		Date: w.Date, Hours: 2, Governorate: "OM-MA", Wilayat: "Muscat"})
	c.shown()
	eventually(t, "two workshops", func() bool { return len(c.workshops) == 2 })
	for i, ws := range c.workshops {
		if ws.ID == other.ID {
			c.picker.SetSelectedIndex(i)
		}
	}
	eventually(t, "other workshop", func() bool { return c.workshopID == other.ID && len(c.present) == 0 })
	if c.feedback.Logical() != "" {
		t.Fatalf("after choosing another workshop: %q", c.feedback.Logical())
	}
}
