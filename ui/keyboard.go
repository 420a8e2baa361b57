package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// The keyboard, beyond Tab (which reaches every entry, drop-down and button
// in reading order):
//
//	Escape        closes the dialog on top (as its Cancel/Close button does)
//	Ctrl+F        the search box of the screen, if it has one
//	Ctrl+N        a new person (Ambassadors), workshop, walk-in (Check-in)
//	Ctrl+S        saves the person or workshop form that is open
//	Ctrl+1 … 7    the screens, in the navigation's order
//	Ctrl+L        locks the app now (with an encrypted store, lock.go)
//
// Cmd instead of Ctrl on macOS.
var (
	shortcutSave    = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutScreens = func() []*desktop.CustomShortcut {
		keys := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7}
		var out []*desktop.CustomShortcut
		for _, k := range keys[:len(screenOrder)] {
			out = append(out, &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault})
		}
		return out
	}()
)

// A screen whose form can be saved from the keyboard saves it on Ctrl+S and
// reports whether a form was open.
type saver interface{ saveForm() bool }

// appShortcuts are the shortcuts the window listens for.
func appShortcuts() []fyne.Shortcut {
	out := []fyne.Shortcut{shortcutFind, shortcutNew, shortcutSave, shortcutLock}
	for _, s := range shortcutScreens {
		out = append(out, s)
	}
	return out
}

// keyboard hooks the window's shortcuts and Escape.
func (u *UI) keyboard() {
	c := u.win.Canvas()
	for _, sc := range appShortcuts() {
		c.AddShortcut(sc, func(s fyne.Shortcut) { u.shortcut(s) })
	}
	c.SetOnTypedRune(func(rune) { u.activity() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		u.activity()
		if ev.Name == fyne.KeyEscape {
			u.escape()
		}
	})
}

// dialogOpen reports whether a dialog (or another modal) is on top.
func (u *UI) dialogOpen() bool {
	c := u.win.Canvas()
	return c != nil && c.Overlays().Top() != nil
}

// screenShortcut runs Ctrl+1…7, Ctrl+S; false if s is neither.
func (u *UI) screenShortcut(name string) bool {
	for i, sc := range shortcutScreens {
		if name == sc.ShortcutName() {
			u.show(screenOrder[i])
			return true
		}
	}
	if name == shortcutSave.ShortcutName() {
		if sv, ok := u.screens[u.current].(saver); ok {
			sv.saveForm()
		}
		return true
	}
	return false
}

// escape closes the dialog on top as its dismiss button does, so its
// callback hears "cancelled". It reports whether there was one.
func (u *UI) escape() bool {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	if b := dismissButton(top); b != nil && !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
		return true
	}
	top.Hide()
	u.win.Canvas().Overlays().Remove(top)
	return true
}

// dismissButton finds a dialog's dismiss button: Fyne's dialogs put their
// buttons in the fourth object of the pop-up's content, dismiss first (the
// Arabic dialogs of dialogs.go too: dismiss on the left); a dialog with
// buttons of its own (the merge view) and the file dialogs have a Cancel
// button in their content.
func dismissButton(o fyne.CanvasObject) *widget.Button {
	if p, ok := o.(*widget.PopUp); ok {
		if c, ok := p.Content.(*fyne.Container); ok && len(c.Objects) == 5 {
			if b := firstButton(c.Objects[3], ""); b != nil {
				return b
			}
		}
		o = p.Content
	}
	return firstButton(o, lang.L("Cancel"))
}

// firstButton is the first visible button under o's containers (with that
// text, if text is set). Dialogs lay their buttons out in plain containers.
func firstButton(o fyne.CanvasObject, text string) *widget.Button {
	if o == nil || !o.Visible() {
		return nil
	}
	switch x := o.(type) {
	case *widget.Button:
		if text == "" || x.Text == text {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := firstButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// TypedKey: Escape in a text field closes the dialog it is in.
func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	e.u.activity()
	if ev.Name == fyne.KeyEscape && e.u.escape() {
		return
	}
	e.rtlEntry.TypedKey(ev)
}

// TypedKey: Escape in a text area closes the dialog it is in.
func (e *textArea) TypedKey(ev *fyne.KeyEvent) {
	e.u.activity()
	if ev.Name == fyne.KeyEscape && e.u.escape() {
		return
	}
	e.rtlArea.TypedKey(ev)
}

func (p *peopleScreen) saveForm() bool {
	d := p.detail
	if len(d.content.Objects) == 0 || d.content.Objects[0] != d.body || d.save.Disabled() {
		return false
	}
	d.submit()
	return true
}

func (s *workshopsScreen) saveForm() bool {
	f := s.form
	if len(f.content.Objects) == 0 || f.content.Objects[0] == f.empty || f.save.Disabled() {
		return false
	}
	f.submit()
	return true
}
