package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer/sync/client"
)

func pos(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

// TestSwitchToArabicMirrorsTheLayout switches language in Settings: the
// labels are Arabic at once (no restart) and the layout mirrors: the
// navigation moves to the right, form labels to the right of their fields,
// labels align to the right.
func TestSwitchToArabicMirrorsTheLayout(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenSettings)
	settle(u)
	width := u.win.Canvas().Size().Width
	if x := pos(u.navBox).X; x > width/4 {
		t.Fatalf("English navigation at x=%v, not on the left", x)
	}
	if got := u.nav[screenPeople].Text; got != "Ambassadors" {
		t.Fatalf("navigation says %q", got)
	}

	u.settings.language.SetSelectedIndex(0) // العربية
	settle(u)
	if u.lang != Arabic || u.app.Preferences().String(prefLanguage) != "ar" {
		t.Fatalf("language %q, saved %q", u.lang, u.app.Preferences().String(prefLanguage))
	}
	if got := u.nav[screenPeople].Text; got != "السفراء" {
		t.Fatalf("navigation says %q after switching", got)
	}
	if u.current != screenSettings {
		t.Fatalf("switching language moved to %q", u.current)
	}
	if x := pos(u.navBox).X; x < width/2 {
		t.Fatalf("Arabic navigation at x=%v, not on the right (window %v wide)", x, width)
	}
	if !strings.Contains(u.win.Title(), "سفير") {
		t.Fatalf("title %q", u.win.Title())
	}

	// The person form: labels on the right of their fields, aligned right.
	u.show(screenPeople)
	u.people.create()
	settle(u)
	p := u.people.detail
	field := p.nameAr
	var nameLabel *label
	for _, o := range formOf(p).Objects {
		if l, ok := o.(*label); ok && l.Text == "الاسم بالعربية" {
			nameLabel = l
		}
	}
	if nameLabel == nil {
		t.Fatal("no Arabic label for the Arabic name")
	}
	if pos(nameLabel).X <= pos(field).X+field.Size().Width/2 {
		t.Fatalf("label at x=%v, field at x=%v..%v: label not on the right", pos(nameLabel).X, pos(field).X, pos(field).X+field.Size().Width)
	}
	if nameLabel.Alignment != fyne.TextAlignTrailing {
		t.Fatal("Arabic label not aligned right")
	}
	if got := u.people.count.Logical(); got != "3 أشخاص" {
		t.Fatalf("count %q", got)
	}
	capture(t, u, "person-new-ar")

	// And back to English.
	u.show(screenSettings)
	u.settings.language.SetSelectedIndex(1)
	settle(u)
	if u.nav[screenPeople].Text != "Ambassadors" || pos(u.navBox).X > width/4 {
		t.Fatal("not back to English")
	}
}

// formOf finds the person form (the container laid out by formLayout).
func formOf(p *personPanel) *fyne.Container {
	var found *fyne.Container
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil {
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			if _, ok := x.Layout.(*formLayout); ok {
				found = x
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
	walk(p.body)
	return found
}

// TestShortcutsAndPreferences: Ctrl+N and Ctrl+F reach the screen even from
// a text field, and the window's size and last screen are remembered.
func TestShortcutsAndPreferences(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	settle(u)
	u.people.search.TypedShortcut(shortcutNew)
	if !strings.Contains(u.people.detail.title.Text, "New person") || u.win.Canvas().Focused() != u.people.detail.nameAr {
		t.Fatal("Ctrl+N did not start a new person")
	}
	u.people.detail.nameAr.TypedShortcut(shortcutFind)
	if u.win.Canvas().Focused() != u.people.search {
		t.Fatal("Ctrl+F did not focus the search")
	}
	u.show(screenWorkshops)
	u.workshops.filter.TypedShortcut(shortcutNew)
	if u.workshops.form.title.Text != "New workshop" {
		t.Fatal("Ctrl+N did not start a new workshop")
	}
	u.win.Resize(fyne.NewSize(1000, 700))
	u.saveSize()

	// A new window on the same preferences opens where this one was left.
	w2 := test.NewTempWindow(t, nil)
	u2 := New(context.Background(), u.app, w2, s, client.New(s))
	defer u2.Close()
	settle(u2)
	if u2.current != screenWorkshops {
		t.Fatalf("opened on %q", u2.current)
	}
	if got := w2.Canvas().Size(); got.Width != 1000 || got.Height != 700 {
		t.Fatalf("window size %v", got)
	}
}

// TestStatusBarShowsSync: changes waiting appear after a local edit, and
// tapping the bar opens Sync.
func TestStatusBarShowsSync(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	eventually(t, "nothing waiting", func() bool { return u.status.waiting.Text == "0 changes waiting" })
	if u.status.online.Text != "Not enrolled with HQ" || u.status.last.Text != "Never synced" {
		t.Fatalf("status %q %q", u.status.online.Text, u.status.last.Text)
	}
	addPeople(t, s, testPeople[0])
	u.changed()
	eventually(t, "one change waiting", func() bool { return u.status.waiting.Text == "1 change waiting" })
	test.Tap(u.status.content.(*tapArea))
	if u.current != screenSync {
		t.Fatalf("tapping the status bar opened %q", u.current)
	}
}

// TestArabicByDefaultOnAnArabicComputer: with no language chosen yet, the
// app speaks the computer's language.
func TestArabicByDefaultOnAnArabicComputer(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "ar_OM.UTF-8")
	t.Setenv("LANGUAGE", "ar_OM")
	if systemLang() != Arabic {
		t.Skip("this system's locale lookup ignores LANG")
	}
	s := testStore(t)
	u := newTestUI(t, s, "")
	if u.lang != Arabic || u.nav[screenPeople].Text != "السفراء" {
		t.Fatalf("language %q", u.lang)
	}
	t.Setenv("LANGUAGE", "en_GB")
	t.Setenv("LANG", "en_GB.UTF-8")
	if systemLang() != English {
		t.Fatal("English computer, Arabic app")
	}
}
