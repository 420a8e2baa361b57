package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// placed is where something of the top dialog is drawn, in the window.
type placed struct {
	x0, x1 float32
}

// dialogTree finds, in the window's top overlay as it is drawn, the text
// saying title (its canvas.Text, placed as the painter draws it: by its
// alignment in the space it is given) and the buttons saying each of
// buttons, and the extent of the dialog itself (the pop-up's content).
func dialogTree(t *testing.T, u *UI, title string, buttons ...string) (dlg, titleText placed, found map[string]placed) {
	t.Helper()
	top, ok := u.win.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok {
		t.Fatalf("no dialog on top: %T", u.win.Canvas().Overlays().Top())
	}
	found = map[string]placed{}
	var titleFound bool
	var walk func(o fyne.CanvasObject, parent fyne.Position)
	walk = func(o fyne.CanvasObject, parent fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		pos := parent.Add(o.Position())
		switch x := o.(type) {
		case *canvas.Text:
			if logicalText(x.Text) == title {
				need := x.MinSize()
				left := pos.X
				switch x.Alignment {
				case fyne.TextAlignTrailing:
					left += x.Size().Width - need.Width
				case fyne.TextAlignCenter:
					left += (x.Size().Width - need.Width) / 2
				}
				titleText, titleFound = placed{left, left + need.Width}, true
			}
			return
		case *widget.Button:
			for _, b := range buttons {
				if logicalText(x.Text) == b {
					found[b] = placed{pos.X, pos.X + x.Size().Width}
				}
			}
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c, pos)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c, pos)
			}
		}
	}
	walk(top, fyne.Position{})
	c := top.Content
	dlg = placed{c.Position().X, c.Position().X + c.Size().Width}
	if !titleFound {
		t.Fatalf("no title %q drawn in the dialog", title)
	}
	for _, b := range buttons {
		if _, ok := found[b]; !ok {
			t.Fatalf("no button %q in the dialog", b)
		}
	}
	return dlg, titleText, found
}

// checkTitleSide: the title is drawn against the reading side of the
// dialog: in Arabic it ends within a padding of the right edge and is
// nearer the right edge than the left; in English the other way round.
func checkTitleSide(t *testing.T, rtl bool, dlg, title placed) {
	t.Helper()
	left, right := title.x0-dlg.x0, dlg.x1-title.x1
	if rtl {
		if right < 0 || right > 24 || right >= left {
			t.Errorf("Arabic title drawn at %v in a dialog at %v: not aligned right", title, dlg)
		}
		return
	}
	if left < 0 || left > 24 || left >= right {
		t.Errorf("English title drawn at %v in a dialog at %v: not aligned left", title, dlg)
	}
}

// TestDialogsReadFromTheRight: in Arabic, each kind of dialog the app opens
// (a question, a dialog with one button, one with buttons of its own) has
// its title on the right and the confirming button right of the dismissing
// one; Escape and the buttons answer as they say. In English they are
// Fyne's own dialogs, title on the left.
func TestDialogsReadFromTheRight(t *testing.T) {
	for _, l := range []Lang{Arabic, English} {
		s := testStore(t)
		u := newTestUI(t, s, l)
		rtl := l == Arabic
		title := u.T("person.delete")
		yes, no := u.T("person.delete"), u.T("button.cancel")
		if rtl && !strings.ContainsAny(title, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") {
			t.Fatalf("the Arabic title is %q", title)
		}
		// Title and button share the words here; give the question its own.
		title = u.T("workshops.deletetitle")

		// A question.
		answers := []bool{}
		d := u.confirm(title, yes, no, u.wrapped(u.T("dup.title")), func(ok bool) { answers = append(answers, ok) })
		if _, stock := d.(*dialog.ConfirmDialog); stock == rtl {
			t.Errorf("%v: the question is Fyne's own dialog: %v", l, stock)
		}
		d.Show()
		dlg, tt, b := dialogTree(t, u, title, yes, no)
		checkTitleSide(t, rtl, dlg, tt)
		if b[yes].x0 < b[no].x1 {
			t.Errorf("%v: %q at %v is not right of %q at %v", l, yes, b[yes], no, b[no])
		}
		tapDialogButton(t, u, yes)
		escapeKey(u) // nothing open: nothing answered
		d = u.confirm(title, yes, no, u.wrapped(u.T("dup.title")), func(ok bool) { answers = append(answers, ok) })
		d.Show()
		tapDialogButton(t, u, no)
		d = u.confirm(title, yes, no, u.wrapped(u.T("dup.title")), func(ok bool) { answers = append(answers, ok) })
		d.Show()
		escapeKey(u)
		if u.dialogOpen() || len(answers) != 3 || !answers[0] || answers[1] || answers[2] {
			t.Errorf("%v: confirm, dismiss, Escape answered %v (a dialog open: %v)", l, answers, u.dialogOpen())
		}

		// One button, then Escape.
		closed := 0
		c := u.custom(title, u.T("button.close"), u.wrapped(u.T("dup.title")))
		c.SetOnClosed(func() { closed++ })
		c.Show()
		dlg, tt, b = dialogTree(t, u, title, u.T("button.close"))
		checkTitleSide(t, rtl, dlg, tt)
		if b[u.T("button.close")].x1 < dlg.x0 || b[u.T("button.close")].x0 > dlg.x1 {
			t.Errorf("%v: the button at %v is outside the dialog at %v", l, b[u.T("button.close")], dlg)
		}
		escapeKey(u)
		if u.dialogOpen() || closed != 1 {
			t.Errorf("%v: Escape on a dialog with one button: open %v, closed %d times", l, u.dialogOpen(), closed)
		}

		// Buttons of its own (the merge view's kind), laid out by u.answers.
		var w dialog.Dialog
		cancelled := false
		cancel := u.button(no, nil, func() { cancelled = true; w.Hide() })
		ok := u.button(yes, nil, func() { w.Hide() })
		w = u.customWithoutButtons(title, u.border(nil, u.answers(ok, cancel), nil, nil, u.wrapped(u.T("dup.title"))))
		w.Show()
		dlg, tt, b = dialogTree(t, u, title, yes, no)
		checkTitleSide(t, rtl, dlg, tt)
		if b[yes].x0 < b[no].x1 {
			t.Errorf("%v: %q at %v is not right of %q at %v", l, yes, b[yes], no, b[no])
		}
		escapeKey(u)
		if u.dialogOpen() || !cancelled {
			t.Errorf("%v: Escape on a dialog with its own buttons: open %v, Cancel tapped %v", l, u.dialogOpen(), cancelled)
		}
	}
}

// TestDeletePersonAsksInArabic: a real question of the app, on a real
// store: deleting a person in Arabic asks with the confirming button on the
// right, and deletes only when it is tapped.
func TestDeletePersonAsksInArabic(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	u := newTestUI(t, s, Arabic)
	u.show(screenPeople)
	p := u.people.detail
	p.open(people[0].ID)
	eventually(t, "open", func() bool { return p.person.ID == people[0].ID })
	p.confirmDelete()
	yes, no := u.T("person.delete"), u.T("button.cancel")
	dlg, tt, b := dialogTree(t, u, u.T("person.delete"), yes, no)
	checkTitleSide(t, true, dlg, tt)
	if b[yes].x0 < b[no].x1 {
		t.Errorf("%q at %v is not right of %q at %v", yes, b[yes], no, b[no])
	}
	escapeKey(u)
	settle(u)
	if _, err := s.Person(context.Background(), people[0].ID); err != nil {
		t.Fatalf("Escape deleted: %v", err)
	}
	p.confirmDelete()
	tapDialogButton(t, u, yes)
	eventually(t, "deleted", func() bool {
		x, err := s.Person(context.Background(), people[0].ID)
		return err != nil || x.Deleted
	})
}

// TestMergeViewReadsFromTheRight: the merge view (a dialog with buttons of
// its own) in Arabic: title on the right, Merge right of Cancel; in English
// title on the left, Merge right of Cancel as before.
func TestMergeViewReadsFromTheRight(t *testing.T) {
	for _, l := range []Lang{Arabic, English} {
		s, _, _ := twinStore(t)
		u := newTestUI(t, s, l)
		openPair(t, u)
		yes, no := u.T("merge.yes"), u.T("button.cancel")
		dlg, tt, b := dialogTree(t, u, u.T("mergeview.title"), yes, no)
		checkTitleSide(t, l == Arabic, dlg, tt)
		if b[yes].x0 < b[no].x1 {
			t.Errorf("%v: %q at %v is not right of %q at %v", l, yes, b[yes], no, b[no])
		}
		escapeKey(u)
		settle(u)
		if u.dialogOpen() {
			t.Errorf("%v: Escape left the merge view open", l)
		}
	}
}
