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

// The namesakes: two Ahmed Salim Al Kindi, in Izki and in Nizwa,
// whose names fold the same; the one in Nizwa came to a workshop before.
var namesakePeople = []safeer.Person{
	{NameAr: "أحمد سالم الكندي", NameEn: "Ahmed Salim Al Kindi", Governorate: "OM-DA", Wilayat: "Izki", Phone: "91110001", CivilID: "12345678"},
	{NameAr: "احمد سالم الكندى", NameEn: "Ahmed Salim Al Kindi", Governorate: "OM-DA", Wilayat: "Nizwa", Phone: "92220002", CivilID: "87654321"},
}

// namesakeStore has testPeople, the namesakes (returned), today's workshop
// and a past one the Nizwa namesake attended.
func namesakeStore(t *testing.T) (*data.Store, []safeer.Person, safeer.Workshop) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	people := addPeople(t, s, namesakePeople...)
	past := addWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data",
		Date: time.Now().AddDate(0, -1, 0).Format("2006-01-02"), Hours: 2, Governorate: "OM-DA", Wilayat: "Nizwa"})
	if err := s.Attend(context.Background(), &safeer.Attendance{WorkshopID: past.ID, PersonID: people[1].ID}); err != nil {
		t.Fatal(err)
	}
	return s, people, todayWorkshop(t, s)
}

// enterNamesakes types the namesakes' common name and Enter, and waits for
// the question.
func enterNamesakes(t *testing.T, u *UI, w safeer.Workshop) *namesakeDialog {
	t.Helper()
	c := u.checkin
	eventually(t, "today's workshop chosen", func() bool { return c.workshopID == w.ID })
	test.Type(c.search, "احمد الكندي")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "which one?", func() bool { return c.namesakes != nil })
	return c.namesakes
}

// attendees is who the store has at workshop w.
func attendees(t *testing.T, s *data.Store, w safeer.Workshop) []string {
	t.Helper()
	rows, err := s.WorkshopAttendance(context.Background(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.PersonID)
	}
	return ids
}

func TestNamesakesAreAskedAboutAndTheSecondChosenByKeyboard(t *testing.T) {
	s, people, w := namesakeStore(t)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	d := enterNamesakes(t, u, w)
	if got := attendees(t, s, w); len(got) != 0 {
		t.Fatalf("checked in %v before anyone was chosen", got)
	}
	if len(d.people) != 2 {
		t.Fatalf("asked about %d people", len(d.people))
	}
	if u.win.Canvas().Focused() != d {
		t.Fatalf("the question does not have the keyboard: %T", u.win.Canvas().Focused())
	}
	text := allText(d)
	for _, want := range []string{"Izki", "Nizwa", "phone •••0001", "phone •••0002", "civil ID •••678", "civil ID •••321",
		"no workshops yet", "1 workshop — last: Open data"} {
		if !strings.Contains(text, want) {
			t.Errorf("the question lacks %q:\n%s", want, text)
		}
	}
	for _, full := range []string{"91110001", "92220002", "12345678", "87654321"} {
		if strings.Contains(text, full) {
			t.Errorf("the question shows %s whole", full)
		}
	}

	second := d.people[1].ID
	focused := u.win.Canvas().Focused()
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "the second present", func() bool { return len(c.present) == 1 })
	if got := attendees(t, s, w); len(got) != 1 || got[0] != second {
		t.Fatalf("checked in %v, want the second, %s", got, second)
	}
	if second != people[0].ID && second != people[1].ID {
		t.Fatalf("the second is not a namesake: %s", second)
	}
	if c.namesakes != nil || c.search.Text != "" || u.win.Canvas().Focused() != c.search {
		t.Fatalf("after choosing: dialog %v, search %q, focus %T", c.namesakes, c.search.Text, u.win.Canvas().Focused())
	}

	// Asked again, the one already present is said so; choosing them adds
	// nobody.
	d = enterNamesakes(t, u, w)
	if !strings.Contains(allText(d), "already present") {
		t.Fatalf("the question does not say who is present:\n%s", allText(d))
	}
	i := 0
	if d.people[0].ID != second {
		i = 1
	}
	test.Tap(d.rows.Objects[i].(*tapArea)) // by mouse
	eventually(t, "already checked in", func() bool { return strings.Contains(c.feedback.Text, "already checked in") })
	if got := attendees(t, s, w); len(got) != 1 {
		t.Fatalf("attendance %v", got)
	}
}

func TestNamesakesEscapeChecksInNobody(t *testing.T) {
	s, _, w := namesakeStore(t)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	enterNamesakes(t, u, w)
	u.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	settle(u)
	if c.namesakes != nil || u.win.Canvas().Focused() != c.search {
		t.Fatalf("after Escape: dialog %v, focus %T", c.namesakes, u.win.Canvas().Focused())
	}
	if got := attendees(t, s, w); len(got) != 0 || len(c.present) != 0 {
		t.Fatalf("Escape checked in %v", got)
	}
	if c.search.Text == "" {
		t.Fatal("Escape lost what was typed")
	}
}

func TestClearTopMatchIsNotAskedAbout(t *testing.T) {
	s, people, w := namesakeStore(t)
	u := newTestUI(t, s, English)
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "today's workshop chosen", func() bool { return c.workshopID == w.ID })
	// The phone tells the namesakes apart.
	test.Type(c.search, "91110001")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "Izki's Ahmed present", func() bool { return len(c.present) == 1 })
	if got := attendees(t, s, w); len(got) != 1 || got[0] != people[0].ID {
		t.Fatalf("checked in %v", got)
	}
	test.Type(c.search, "fatima")
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "Fatima present", func() bool { return len(c.present) == 2 })
	if c.namesakes != nil {
		t.Fatal("asked about a clear match")
	}
}

// In Arabic the digits read left to right, the hidden part first.
func TestNamesakesArabic(t *testing.T) {
	s, _, w := namesakeStore(t)
	u := newTestUI(t, s, Arabic)
	u.show(screenCheckIn)
	d := enterNamesakes(t, u, w)
	text := allText(d)
	for _, want := range []string{"إزكي", "نزوى", "•••0001", "•••678", "واحدة"} {
		if !strings.Contains(text, want) {
			t.Errorf("the question lacks %q:\n%s", want, text)
		}
	}
}
