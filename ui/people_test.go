package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/oman-sca/safeer/sync/client"
)

func TestPeopleSearchNarrowsTheList(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	p := u.people
	eventually(t, "three people listed", func() bool { return p.list.Length() == 3 })

	test.Type(p.search, "احمد") // no hamza: still finds أحمد
	eventually(t, "one match", func() bool { return p.list.Length() == 1 && rowNameEn(p, 0) == "Ahmed Al Balushi" })
	if p.count.Text != "1 person" {
		t.Errorf("count label %q", p.count.Text)
	}
	p.search.SetText("")
	eventually(t, "everyone again", func() bool { return p.list.Length() == 3 })
	p.status.SetSelectedIndex(2) // inactive
	eventually(t, "the inactive one", func() bool { return p.list.Length() == 1 && rowNameEn(p, 0) == "Salim Al Harthy" })
	capture(t, u, "people-en")
}

// rowNameEn is the English name on row id of the roster, or "" while its
// page is not here.
func rowNameEn(p *peopleScreen, id int) string {
	r, _ := p.row(id)
	return r.NameEn
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
	w := addWorkshop(t, s, safeer.Workshop{TitleEn: "Open data", Date: "2026-01-10", Hours: 2.5, Governorate: "OM-MA"})
	if err := s.Attend(context.Background(), &safeer.Attendance{WorkshopID: w.ID, PersonID: people[0].ID}); err != nil {
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

// gatedStore is a store whose search index is not ready until ready is
// closed: the roster by name answers (the store reads it from the file),
// every other search waits, as data.Store's do while the index is built.
type gatedStore struct {
	*data.Store
	ready chan struct{}
}

func (g gatedStore) wait(ctx context.Context, query string) error {
	if strings.TrimSpace(query) == "" {
		return nil
	}
	select {
	case <-g.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g gatedStore) LoadSearchIndex(ctx context.Context) error {
	if err := g.wait(ctx, "index"); err != nil {
		return err
	}
	return g.Store.LoadSearchIndex(ctx)
}

func (g gatedStore) Search(ctx context.Context, q string, opt data.SearchOptions) ([]data.SearchResult, error) {
	if err := g.wait(ctx, q); err != nil {
		return nil, err
	}
	return g.Store.Search(ctx, q, opt)
}

func (g gatedStore) SearchPage(ctx context.Context, q string, opt data.SearchOptions) (data.SearchPage, error) {
	if err := g.wait(ctx, q); err != nil {
		return data.SearchPage{}, err
	}
	return g.Store.SearchPage(ctx, q, opt)
}

// importPeople puts n generated people on the roster in one import.
func importPeople(t *testing.T, s *data.Store, n int) {
	t.Helper()
	tbl := &spreadsheet.Table{Header: []string{"name_ar", "name_en", "phone", "governorate"}}
	for i := range n {
		tbl.Rows = append(tbl.Rows, spreadsheet.Row{Number: i + 2, Cells: []string{
			fmt.Sprintf("سالم %03d", i), fmt.Sprintf("Salim %03d", i), fmt.Sprintf("9%07d", i), "OM-MA"}})
	}
	if _, err := s.Import(context.Background(), tbl, data.ImportOptions{Source: "test"}); err != nil {
		t.Fatal(err)
	}
}

// TestRosterShownBeforeSearchIndex: the Ambassadors screen lists the roster
// while the search index is still being built; a search typed meanwhile
// waits without blocking the window, and shows the right people once the
// index is there.
func TestRosterShownBeforeSearchIndex(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	importPeople(t, s, 300)
	g := gatedStore{Store: s, ready: make(chan struct{})}
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLanguage, string(English))
	a.Preferences().SetString(prefScreen, screenPeople)
	w := test.NewTempWindow(t, nil)
	u := New(context.Background(), a, w, g, client.New(s))
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	w.Resize(fyne.NewSize(1180, 760))
	p := u.people
	eventually(t, "the roster listed", func() bool { return p.list.Length() == 303 && rowNameEn(p, 0) != "" })
	if p.count.Text != "303 people" {
		t.Errorf("count label %q", p.count.Text)
	}
	// Names sort folded: أحمد (alef with hamza) first, سالم 000… next.
	if got := rowNameEn(p, 0); got != "Ahmed Al Balushi" {
		t.Errorf("first row %q", got)
	}

	test.Type(p.search, "fatima")
	settle(u)
	if p.list.Length() != 303 {
		t.Fatalf("the list changed before the search could answer: %d", p.list.Length())
	}
	close(g.ready)
	eventually(t, "the search answered", func() bool { return p.list.Length() == 1 && rowNameEn(p, 0) == "Fatima Al Zadjali" })
	if p.count.Text != "1 person" {
		t.Errorf("count label %q", p.count.Text)
	}
}

// TestRosterFetchesPagesAsItScrolls: the list counts everyone from the first
// page and fetches the other pages when their rows are wanted.
func TestRosterFetchesPagesAsItScrolls(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	importPeople(t, s, 450)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	p := u.people
	eventually(t, "listed", func() bool { return p.list.Length() == 450 })
	if got := len(p.onScreen.pages); got != 1 {
		t.Fatalf("%d pages fetched before scrolling", got)
	}
	want, err := s.Search(ctx, "", data.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.list.ScrollToBottom()
	eventually(t, "the last page", func() bool { return rowNameEn(p, 449) != "" })
	if p.onScreen.asked[1] {
		t.Error("the middle page was fetched without being on screen")
	}
	eventually(t, "the middle page", func() bool { return rowNameEn(p, 200) != "" })
	for _, id := range []int{0, 199, 200, 399, 420, 449} {
		if got := rowNameEn(p, id); got != want[id].NameEn {
			t.Errorf("row %d: %q, want %q", id, got, want[id].NameEn)
		}
	}

	// A filter starts over with its own count.
	p.gov.SetSelected(u.places.govName(English, "OM-DA"))
	eventually(t, "nobody in Ad Dakhiliyah", func() bool { return p.list.Length() == 0 })
	if p.count.Text != "" && p.count.Text != "0 people" {
		t.Errorf("count label %q", p.count.Text)
	}
}
