package ui

// Every dialog the app opens (but the file chooser, see filedialog.go) is
// made here. In English they are Fyne's own. Fyne's dialogs have no
// right-to-left layout: the title sits on the left, the buttons' icons before
// their words. In Arabic the dialog is Fyne's frame (the modal pop-up, its
// background, size and Hide, which Escape and the callers use) with the
// app's own pieces inside: the title a heading aligned right, the content
// the caller's labels (u.label, u.wrapped: reordered and aligned for
// Arabic), the buttons u.button in reading order (u.answers): the
// confirming one first, on the right, the dismissing one on its left.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// confirm is a dialog that asks: confirmText does it (callback(true)),
// dismissText, Escape or Hide does not (callback(false)). Call Show.
func (u *UI) confirm(title, confirmText, dismissText string, content fyne.CanvasObject, callback func(bool)) dialog.Dialog {
	content = u.watched(content) // pointer moves over it keep the idle lock away
	if !u.lang.RTL() {
		return dialog.NewCustomConfirm(title, confirmText, dismissText, content, callback, u.win)
	}
	d := u.rtlDialog(title, content)
	confirmed := false
	ok := u.button(confirmText, theme.ConfirmIcon(), func() {
		confirmed = true
		d.Hide()
	})
	ok.Importance = widget.HighImportance
	cancel := u.button(dismissText, theme.CancelIcon(), d.Hide)
	// As wide as each other, as Fyne's are, in the order of u.answers:
	// the confirming button first from the right.
	d.SetButtons([]fyne.CanvasObject{container.NewGridWithColumns(2, cancel, ok)})
	d.SetOnClosed(func() {
		yes := confirmed
		confirmed = false
		if callback != nil {
			callback(yes)
		}
	})
	return d
}

// askConfirm shows a confirm dialog at once.
func (u *UI) askConfirm(title, confirmText, dismissText string, content fyne.CanvasObject, callback func(bool)) {
	u.confirm(title, confirmText, dismissText, content, callback).Show()
}

// custom is a dialog showing content with one button, dismissText, that
// closes it (as Escape does). Call Show.
func (u *UI) custom(title, dismissText string, content fyne.CanvasObject) dialog.Dialog {
	content = u.watched(content) // pointer moves over it keep the idle lock away
	if !u.lang.RTL() {
		return dialog.NewCustom(title, dismissText, content, u.win)
	}
	d := u.rtlDialog(title, content)
	d.SetButtons([]fyne.CanvasObject{container.NewGridWithColumns(1, u.button(dismissText, nil, d.Hide))})
	return d
}

// answers lays out a dialog's confirming and dismissing buttons in reading
// order, the confirming one first in Arabic: so it is on the right of the
// dismissing one in both languages, where Fyne puts it in English and where
// an Arabic reader expects it (read first). Other buttons go with u.row.
func (u *UI) answers(confirm, dismiss fyne.CanvasObject) *fyne.Container {
	if u.lang.RTL() {
		return u.row(confirm, dismiss)
	}
	return u.row(dismiss, confirm)
}

// customWithoutButtons is a dialog whose content has its own buttons
// (laid out by the caller with u.answers and u.row); Escape taps the one
// whose text is Fyne's "Cancel" (see dismissButton). Call Show.
func (u *UI) customWithoutButtons(title string, content fyne.CanvasObject) dialog.Dialog {
	content = u.watched(content) // pointer moves over it keep the idle lock away
	if !u.lang.RTL() {
		return dialog.NewCustomWithoutButtons(title, content, u.win)
	}
	return u.rtlDialog(title, content)
}

// rtlDialog is Fyne's frame around content, with the title drawn by the
// app once it is shown.
func (u *UI) rtlDialog(title string, content fyne.CanvasObject) *appDialog {
	return &appDialog{CustomDialog: dialog.NewCustomWithoutButtons("", content, u.win), u: u, title: title}
}

// appDialog is a Fyne dialog that, when first shown, puts the app's
// heading in place of Fyne's title and lays it out aligned right.
type appDialog struct {
	*dialog.CustomDialog
	u      *UI
	title  string
	placed bool
}

// Show shows the dialog; the first time, it finds Fyne's pop-up (the
// overlay on top once shown: Fyne gives no other way to it) and puts the
// title in it.
func (d *appDialog) Show() {
	d.CustomDialog.Show()
	if d.placed {
		return
	}
	p, ok := d.u.win.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok {
		return
	}
	c, ok := p.Content.(*fyne.Container)
	if !ok || len(c.Objects) != 5 || c.Layout == nil {
		return // not the layout of Fyne 2.7's dialogs: leave it as Fyne draws it
	}
	d.placed = true
	title := d.u.heading(d.title)
	title.Alignment = fyne.TextAlignTrailing
	c.Objects[4] = title
	c.Layout = &rtlDialogLayout{inner: c.Layout}
	p.Refresh() // sizes the pop-up for the new title
	c.Layout.Layout(c.Objects, c.Size())
}

// rtlDialogLayout is Fyne's dialog layout (objects: icon, background,
// content, buttons, title) mirrored where it places things by the left:
// the title (which Fyne leaves unsized, drawn from the top left) spans the
// top and is aligned right; an icon goes to the top left.
type rtlDialogLayout struct{ inner fyne.Layout }

func (l *rtlDialogLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.inner.Layout(objs, size)
	icon := objs[0]
	icon.Move(fyne.NewPos(size.Width-icon.Position().X-icon.Size().Width, icon.Position().Y))
	title := objs[4]
	title.Move(fyne.NewPos(0, 0))
	title.Resize(fyne.NewSize(size.Width, title.MinSize().Height))
}

func (l *rtlDialogLayout) MinSize(objs []fyne.CanvasObject) fyne.Size { return l.inner.MinSize(objs) }
