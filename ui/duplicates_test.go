package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/roster"
)

// twinStore is testPeople plus a second record of Ahmed Al Balushi (the
// same phone, an e-mail and an organisation Ahmed's record lacks, another
// wilayat), added after him so its values are the newer.
func twinStore(t *testing.T) (*data.Store, []safeer.Person, safeer.Person) {
	t.Helper()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	twin := addPeople(t, s, safeer.Person{NameAr: "احمد البلوشي", NameEn: "Ahmad Al Balushi", Governorate: "OM-MA",
		Wilayat: "Bawshar", Phone: "91234567", Email: "ahmed@example.om", Organisation: "Ministry of Housing"})[0]
	return s, people, twin
}

// TestDuplicatesCountOnRosterAndDashboard: the Ambassadors screen's button
// and the dashboard's attention list say how many pairs there are, and the
// button opens the duplicates screen.
func TestDuplicatesCountOnRosterAndDashboard(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		s, _, _ := twinStore(t)
		u := newTestUI(t, s, l)
		u.show(screenPeople)
		want := l.pick("Possible duplicates (1)", "التكرارات المحتملة (1)")
		eventually(t, "count on the button", func() bool { return u.people.dups.Text == u.text(want) })
		u.show(screenDashboard)
		line := l.pick("1 pair on the roster may be the same person.", "زوج واحد في القائمة قد يكون الشخص نفسه.")
		eventually(t, "count on the dashboard", func() bool { return strings.Contains(labelsText(u.dashboard.attention), line) })

		u.show(screenPeople)
		test.Tap(u.people.dups)
		if u.current != screenDuplicates {
			t.Fatalf("%s: the button opened %q", l, u.current)
		}
		eventually(t, "pairs", func() bool { return !u.duplicates.scanning && len(u.duplicates.pairs) == 1 })
	}
	// No pairs, no line on the dashboard and (0) on the button.
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	eventually(t, "count", func() bool { return u.people.dups.Text == "Possible duplicates (0)" })
	u.show(screenDashboard)
	eventually(t, "dashboard", func() bool { return u.dashboard.people.Text == "3" })
	settle(u)
	if text := labelsText(u.dashboard.attention); strings.Contains(text, "same person") {
		t.Fatalf("no pairs, yet the dashboard says:\n%s", text)
	}
}

// TestDuplicatesListShowsPhoneWilayatAndWhy: each pair shows both people's
// names, phones and wilayats and the reasons as sentences, in English and
// Arabic.
func TestDuplicatesListShowsPhoneWilayatAndWhy(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		s, _, _ := twinStore(t)
		u := newTestUI(t, s, l)
		u.show(screenDuplicates)
		d := u.duplicates
		eventually(t, "pairs", func() bool { return !d.scanning && len(d.pairs) == 1 })
		settle(u)
		text := labelsText(d.list)
		for _, want := range []string{
			l.pick("Ahmed Al Balushi", "أحمد البلوشي"), l.pick("Ahmad Al Balushi", "احمد البلوشي"),
			"+96891234567",
			l.pick("Muscat", "مسقط"), l.pick("Bawshar", "بوشر"),
			l.pick("Same phone number", "رقم الهاتف نفسه"),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q is not in the list:\n%s", l, want, text)
			}
		}
		if !strings.Contains(d.message.Logical(), l.pick("1 pair", "زوج واحد")) {
			t.Errorf("%s: message %q", l, d.message.Logical())
		}
	}
}

// openPair opens the one pair of the duplicates screen side by side.
func openPair(t *testing.T, u *UI) *mergeView {
	t.Helper()
	u.show(screenDuplicates)
	d := u.duplicates
	eventually(t, "pairs", func() bool { return !d.scanning && len(d.pairs) == 1 })
	d.list.Select(0)
	if d.merge == nil || !u.dialogOpen() {
		t.Fatal("choosing the pair opened nothing")
	}
	eventually(t, "plan", func() bool { return len(d.merge.plan.Fields) > 0 && !d.merge.buttons[3].Disabled() })
	settle(u)
	return d.merge
}

// fieldRadio is the radio buttons of field's row in the merge view, or nil
// when the row shows none (its values are the same).
func fieldRadio(t *testing.T, u *UI, field string) *widget.RadioGroup {
	t.Helper()
	name := u.fieldName(field)
	var found *widget.RadioGroup
	seen := false
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *fyne.Container:
			if _, ok := x.Layout.(*tableLayout); ok && len(x.Objects) == 4 {
				if l, ok := x.Objects[0].(*label); ok && l.Logical() == name {
					if st, ok := x.Objects[3].(*fyne.Container); ok {
						seen = true
						if r := st.Objects[1].(*widget.RadioGroup); r.Visible() {
							found = r
						}
					}
					return
				}
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
	walk(u.win.Canvas().Overlays().Top())
	if !seen {
		t.Fatalf("no row for %s in the merge view", field)
	}
	return found
}

// TestMergeViewDefaultsAndChoices: side by side, the merged record's
// e-mail is chosen since the kept has none, fields that do not differ have
// no choice, and a side chosen against the default is what the store's
// merge applies; the screen says who was merged into whom.
func TestMergeViewDefaultsAndChoices(t *testing.T) {
	s, people, twin := twinStore(t)
	u := newTestUI(t, s, English)
	m := openPair(t, u)
	keep, merge := m.plan.Keep.ID, m.plan.Merge.ID
	if keep == twin.ID {
		m.swap() // start from Ahmed's record staying
		eventually(t, "swapped", func() bool { return m.plan.Keep.ID == people[0].ID && !m.buttons[3].Disabled() })
		settle(u)
		keep, merge = people[0].ID, twin.ID
	}
	if keep != people[0].ID || merge != twin.ID {
		t.Fatalf("pair %s/%s", keep, merge)
	}
	if c := m.choice("email"); c != roster.Merged {
		t.Fatalf("e-mail: %s, want the merged record's", c)
	}
	if r := fieldRadio(t, u, "email"); r == nil || r.Selected != "Merged in" {
		t.Fatalf("e-mail's radio: %+v", r)
	}
	if r := fieldRadio(t, u, "phone"); r != nil {
		t.Fatalf("the phones are the same, yet there is a choice: %q", r.Selected)
	}
	// The wilayat differs: the newer (the twin's) by default; choose Ahmed's.
	r := fieldRadio(t, u, "wilayat")
	if r == nil || r.Selected != "Merged in" {
		t.Fatalf("wilayat's radio: %+v", r)
	}
	r.SetSelected("Stays")
	if c := m.choice("wilayat"); c != roster.Kept {
		t.Fatalf("wilayat chosen %s after the radio", c)
	}
	test.Tap(m.buttons[3])
	d := u.duplicates
	eventually(t, "merged", func() bool { return u.dialogOpen() == false && len(d.pairs) == 0 })
	if got := d.message.Logical(); got != "Ahmad Al Balushi — احمد البلوشي merged into Ahmed Al Balushi — أحمد البلوشي." {
		t.Errorf("message %q", got)
	}
	got, err := s.Person(context.Background(), people[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "ahmed@example.om" || got.Organisation != "Ministry of Housing" || got.Wilayat != "Muscat" {
		t.Fatalf("after the merge: email %q, organisation %q, wilayat %q", got.Email, got.Organisation, got.Wilayat)
	}
	if b, _ := s.Person(context.Background(), twin.ID); b.MergedInto != people[0].ID {
		t.Fatalf("the twin's merged_into is %q", b.MergedInto)
	}
}

// TestMergeViewSwap: swapping makes the other record the one that stays,
// a value chosen before the swap stays chosen, and the merge goes that way.
func TestMergeViewSwap(t *testing.T) {
	s, people, twin := twinStore(t)
	u := newTestUI(t, s, Arabic)
	m := openPair(t, u)
	first := m.plan.Keep.ID
	// Choose the twin's wilayat, whichever side it is on.
	side := roster.Kept
	if first != twin.ID {
		side = roster.Merged
	}
	m.choose("wilayat", side)
	m.swap()
	eventually(t, "swapped", func() bool { return m.plan.Keep.ID != first && !m.buttons[3].Disabled() })
	if m.plan.Merge.ID != first {
		t.Fatalf("after the swap %s stays and %s is merged", m.plan.Keep.ID, m.plan.Merge.ID)
	}
	for _, f := range m.plan.Fields {
		if f.Field == "wilayat" && f.Value() != "Bawshar" {
			t.Fatalf("the wilayat chosen before the swap became %q", f.Value())
		}
	}
	keep := m.plan.Keep.ID
	test.Tap(m.buttons[3])
	eventually(t, "merged", func() bool { return !u.dialogOpen() })
	gone, _ := s.Person(context.Background(), first)
	if gone.MergedInto != keep {
		t.Fatalf("%s merged into %q, want %s", first, gone.MergedInto, keep)
	}
	kept, _ := s.Person(context.Background(), keep)
	if kept.Wilayat != "Bawshar" || kept.Email != "ahmed@example.om" {
		t.Fatalf("survivor %+v", kept)
	}
	_ = people
}

// TestNotTheSamePerson: "Not the same person" takes the pair away, merges
// nothing, and the pair is not counted or offered again.
func TestNotTheSamePerson(t *testing.T) {
	s, _, _ := twinStore(t)
	u := newTestUI(t, s, English)
	m := openPair(t, u)
	tapDialogButton(t, u, "Not the same person")
	d := u.duplicates
	eventually(t, "gone", func() bool { return !u.dialogOpen() && len(d.pairs) == 0 })
	if !strings.Contains(d.message.Logical(), "are different people") {
		t.Errorf("message %q", d.message.Logical())
	}
	if n, _ := s.CountPeople(context.Background()); n != 4 {
		t.Fatalf("%d people: something was merged", n)
	}
	d.run(true)
	eventually(t, "scanned again", func() bool { return !d.scanning })
	if len(d.pairs) != 0 {
		t.Fatalf("the pair is offered again: %+v", d.pairs)
	}
	u.show(screenPeople)
	eventually(t, "count", func() bool { return u.people.dups.Text == "Possible duplicates (0)" })
	_ = m
}

// labelsText is the text of every visible label (the app's own, in
// logical order; Fyne's, as they are) and button under o.
func labelsText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *label:
			b.WriteString(x.Logical() + "\n")
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
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
	walk(o)
	return b.String()
}

// openPerson opens id in the Ambassadors screen's form and waits for it and
// its duplicate check to be on screen.
func openPerson(t *testing.T, u *UI, id string) *personPanel {
	t.Helper()
	u.show(screenPeople)
	p := u.people.detail
	p.open(id)
	eventually(t, "person open", func() bool { return p.person.ID == id })
	settle(u)
	return p
}

// TestPersonWarningSkipsNotSamePairs: a pair marked "Not the same person"
// on the Duplicates screen is no longer offered by the person form's
// duplicate warning, and "Different person" said in the warning of a
// person on the roster is kept the same way (the Duplicates screen stops
// offering the pair too).
func TestPersonWarningSkipsNotSamePairs(t *testing.T) {
	ctx := context.Background()
	s, people, twin := twinStore(t)
	u := newTestUI(t, s, English)
	p := openPerson(t, u, twin.ID)
	if !p.dups.visible() || p.dups.matches[0].ID != people[0].ID {
		t.Fatalf("before marking, the twin's form warns of %+v", p.dups.matches)
	}
	openPair(t, u)
	tapDialogButton(t, u, "Not the same person")
	eventually(t, "marked", func() bool { return !u.dialogOpen() && len(u.duplicates.pairs) == 0 })
	for _, id := range []string{twin.ID, people[0].ID} {
		p = openPerson(t, u, id)
		for _, m := range p.dups.matches {
			if m.ID == twin.ID || m.ID == people[0].ID {
				t.Fatalf("the form of %s still warns of %s, marked not the same", id, m.ID)
			}
		}
	}

	// "Different person" in the warning of someone on the roster.
	s, people, twin = twinStore(t)
	u = newTestUI(t, s, English)
	p = openPerson(t, u, people[0].ID)
	if !p.dups.visible() || p.dups.matches[0].ID != twin.ID {
		t.Fatalf("the form warns of %+v", p.dups.matches)
	}
	var different *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == "Different person" && different == nil {
				different = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(p.dups.view())
	if different == nil {
		t.Fatalf("no Different person in %q", allText(p.dups.view()))
	}
	test.Tap(different)
	eventually(t, "kept", func() bool {
		pairs, err := s.NotSamePairs(ctx)
		return err == nil && pairs[data.NewPairKey(people[0].ID, twin.ID)]
	})
	if p = openPerson(t, u, twin.ID); p.dups.visible() {
		t.Fatalf("the twin's form still warns of %+v", p.dups.matches)
	}
	u.show(screenDuplicates)
	eventually(t, "scanned", func() bool { return !u.duplicates.scanning })
	settle(u)
	if n := len(u.duplicates.pairs); n != 0 {
		t.Fatalf("the Duplicates screen offers %d pairs after Different person", n)
	}
}
