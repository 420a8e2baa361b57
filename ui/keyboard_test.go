package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
)

// press sends a shortcut to the window, as Fyne does when no widget (or
// one that passes it on) has the keyboard.
func press(u *UI, s fyne.Shortcut) {
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// escapeKey presses Escape with nothing focused.
func escapeKey(u *UI) {
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestEscapeClosesDialogs: Escape closes the app's dialogs as their Cancel
// or Close button does, from the window or from a text field in the
// dialog, and a confirmation closed so is not confirmed.
func TestEscapeClosesDialogs(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)

	// The import wizard (a dialog with Close).
	u.show(screenPeople)
	newImportWizard(u, func() {}).show()
	if !u.dialogOpen() {
		t.Fatal("no import dialog")
	}
	escapeKey(u)
	if u.dialogOpen() {
		t.Fatal("Escape left the import dialog open")
	}

	// The side-by-side merge of two people: Escape is Cancel, nothing merged.
	u.show(screenDuplicates)
	var a, b data.PersonSummary
	a.ID, a.NameEn = people[0].ID, people[0].NameEn
	b.ID, b.NameEn = people[1].ID, people[1].NameEn
	u.duplicates.open(dupPair{a: a, b: b})
	if !u.dialogOpen() {
		t.Fatal("no merge view")
	}
	eventually(t, "plan", func() bool { return len(u.duplicates.merge.plan.Fields) > 0 })
	escapeKey(u)
	settle(u)
	if u.dialogOpen() {
		t.Fatal("Escape left the merge view open")
	}
	if n, _ := s.CountPeople(context.Background()); n != 3 {
		t.Fatalf("Escape merged: %d people", n)
	}

	// From a field inside a dialog.
	field := u.entry("")
	answered := ""
	d := dialog.NewCustomConfirm("t", "Yes", "No", field, func(ok bool) {
		answered = map[bool]string{true: "yes", false: "no"}[ok]
	}, u.win)
	d.Show()
	u.focus(field)
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.dialogOpen() || answered != "no" {
		t.Fatalf("Escape in a field: dialog open %v, answered %q", u.dialogOpen(), answered)
	}
}

// TestCtrlFFocusesSearchOnEveryScreen: on each screen with a search box,
// Ctrl+F puts the keyboard there, whatever had it.
func TestCtrlFFocusesSearchOnEveryScreen(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	searches := map[string]fyne.Focusable{
		screenPeople:    u.people.search,
		screenWorkshops: u.workshops.filter,
		screenCheckIn:   u.checkin.search,
	}
	for _, id := range screenOrder {
		u.show(id)
		settle(u)
		u.win.Canvas().Unfocus()
		press(u, shortcutFind)
		want, has := searches[id]
		if _, finds := u.screens[id].(finder); finds != has {
			t.Errorf("%s: has a search box %v, answers Ctrl+F %v", id, has, finds)
		}
		if got := u.win.Canvas().Focused(); has && got != want {
			t.Errorf("%s: Ctrl+F focused %T, not the search", id, got)
		}
	}
}

// TestCtrlNumberSwitchesScreens: Ctrl+1…7 open the screens in the
// navigation's order, even from a text field; not while a dialog is open.
func TestCtrlNumberSwitchesScreens(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, Arabic)
	for i, sc := range shortcutScreens {
		u.show(screenPeople)
		u.people.search.TypedShortcut(sc) // the search has the keyboard
		if u.current != screenOrder[i] {
			t.Fatalf("Ctrl+%d opened %q, want %q", i+1, u.current, screenOrder[i])
		}
		if u.nav[screenOrder[i]].Importance != widget.HighImportance {
			t.Fatalf("Ctrl+%d: the navigation does not show %q", i+1, screenOrder[i])
		}
	}
	u.show(screenDashboard)
	u.showError("x", context.Canceled)
	press(u, shortcutScreens[1])
	if u.current != screenDashboard {
		t.Fatal("Ctrl+2 switched screens behind a dialog")
	}
}

// TestCtrlSSavesTheOpenForm: Ctrl+S saves the person form from one of its
// fields; with no form open it does nothing.
func TestCtrlSSavesTheOpenForm(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	press(u, shortcutSave) // nothing open
	press(u, shortcutNew)
	p := u.people.detail
	test.Type(p.nameAr, "سالم")
	p.phone.SetText("91234567")
	p.gov.SetSelected(u.places.govName(English, "OM-MA"))
	p.phone.TypedShortcut(shortcutSave)
	eventually(t, "saved", func() bool { return p.person.ID != "" })
	if n, _ := s.CountPeople(context.Background()); n != 1 {
		t.Fatalf("%d people after Ctrl+S", n)
	}

	u.show(screenWorkshops)
	if u.workshops.saveForm() {
		t.Fatal("Ctrl+S saved a workshop form that is not open")
	}
}

// TestTabReachesTheButtons: Tab from the search goes on to the screen's
// buttons (Import, New person), and on Sync to Enrol.
func TestTabReachesTheButtons(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	reached := func(from fyne.Focusable, want ...string) {
		t.Helper()
		u.focus(from)
		seen := map[string]bool{}
		for i := 0; i < 40; i++ {
			u.win.Canvas().FocusNext()
			if b, ok := u.win.Canvas().Focused().(*widget.Button); ok {
				seen[b.Text] = true
			}
		}
		for _, w := range want {
			if !seen[u.text(w)] {
				t.Errorf("Tab never reaches %q (reached %v)", w, seen)
			}
		}
	}
	u.show(screenPeople)
	reached(u.people.search, u.T("people.import"), u.T("people.new"))
	u.show(screenSync)
	reached(u.syncScreen.hqURL, u.T("sync.enrol"))
}
