package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// buttonTexts is the text of every visible button under o.
func buttonTexts(o fyne.CanvasObject) map[string]bool {
	out := map[string]bool{}
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Button:
			out[x.Text] = true
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
	return out
}

// TestFileDialogSpeaksTheUILanguage: the file chooser (Import's Browse)
// has Arabic buttons and title in the Arabic UI, and English ones again
// after switching to English without a restart.
func TestFileDialogSpeaksTheUILanguage(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, Arabic)
	open := func() fyne.CanvasObject {
		t.Helper()
		u.show(screenPeople)
		w := newImportWizard(u, nil)
		w.show()
		w.browse()
		settle(u)
		top := u.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no file dialog")
		}
		return top
	}
	closeAll := func() {
		for u.win.Canvas().Overlays().Top() != nil {
			u.win.Canvas().Overlays().Top().Hide()
			u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())
		}
	}
	d := open()
	b := buttonTexts(d)
	if !b["فتح"] || !b["إلغاء"] || b["Open"] || b["Cancel"] {
		t.Errorf("Arabic UI: the file dialog's buttons are %v", b)
	}
	if text := allText(d); !strings.Contains(text, "فتح ملف") {
		t.Errorf("Arabic UI: no Arabic title in %q", text)
	}
	closeAll()

	u.setLanguage(English)
	d = open()
	b = buttonTexts(d)
	if !b["Open"] || !b["Cancel"] || b["فتح"] {
		t.Errorf("English UI: the file dialog's buttons are %v", b)
	}
	closeAll()
}
