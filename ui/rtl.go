package ui

// Fyne draws Arabic text well (go-text shapes it and orders right-to-left
// runs) but has no right-to-left layout: containers place their first child
// on the left, labels align left, forms put labels on the left. In Arabic the
// app mirrors its own layouts with the helpers below, which every screen uses
// instead of the containers directly.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// align is where text starts: the left in English, the right in Arabic.
func (u *UI) align() fyne.TextAlign {
	if u.lang.RTL() {
		return fyne.TextAlignTrailing
	}
	return fyne.TextAlignLeading
}

// label is a label aligned for the language, holding text as Fyne wants it.
func (u *UI) label(text string) *label { return newLabel(text, u.lang.RTL()) }

// heading is a bold label.
func (u *UI) heading(text string) *label {
	l := u.label(text)
	l.TextStyle.Bold = true
	return l
}

// wrapped is a label that wraps, for sentences.
func (u *UI) wrapped(text string) *label {
	l := u.label(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// fieldError is a message about one field, in the theme's error colour,
// under the field; hidden while empty (see label.set).
func (u *UI) fieldError() *label {
	l := u.label("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = u.align()
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	return l
}

// button is a button whose icon sits on the reading side.
func (u *UI) button(text string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(u.text(text), icon, tapped)
	if u.lang.RTL() {
		b.IconPlacement = widget.ButtonIconTrailingText
	}
	return b
}

// forward is the icon of a button that goes somewhere: an arrow pointing
// the way the text reads.
func (u *UI) forward() fyne.Resource {
	if u.lang.RTL() {
		return theme.NavigateBackIcon()
	}
	return theme.NavigateNextIcon()
}

// undoIcon is the undo arrow, turned for right-to-left.
func (u *UI) undoIcon() fyne.Resource {
	if u.lang.RTL() {
		return theme.ContentRedoIcon()
	}
	return theme.ContentUndoIcon()
}

// selectBox is a drop-down aligned for the language.
func (u *UI) selectBox(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.Alignment = u.align()
	s.PlaceHolder = u.text(u.T("select.choose"))
	return s
}

// row lays objects out in reading order: from the left in English, from the
// right in Arabic.
func (u *UI) row(objs ...fyne.CanvasObject) *fyne.Container {
	if !u.lang.RTL() {
		return container.NewHBox(objs...)
	}
	mirrored := make([]fyne.CanvasObject, 0, len(objs)+1)
	mirrored = append(mirrored, layout.NewSpacer())
	for i := len(objs) - 1; i >= 0; i-- {
		mirrored = append(mirrored, objs[i])
	}
	return container.NewHBox(mirrored...)
}

// border is container.NewBorder with start and end sides instead of left and
// right: start is the left in English and the right in Arabic.
func (u *UI) border(top, bottom, start, end fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	if u.lang.RTL() {
		start, end = end, start
	}
	return container.NewBorder(top, bottom, start, end, center...)
}

// split is a horizontal split whose first part is on the reading side.
func (u *UI) split(first, second fyne.CanvasObject, offset float64) *container.Split {
	if u.lang.RTL() {
		s := container.NewHSplit(second, first)
		s.Offset = 1 - offset
		return s
	}
	s := container.NewHSplit(first, second)
	s.Offset = offset
	return s
}

// columns lays its objects side by side with widths in proportion to
// weights, in reading order: a list row and its header line up.
func (u *UI) columns(weights []float32, objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&columnsLayout{weights: weights, rtl: u.lang.RTL()}, objs...)
}

type columnsLayout struct {
	weights []float32
	rtl     bool
}

func (c *columnsLayout) weight(i int) float32 {
	if i < len(c.weights) {
		return c.weights[i]
	}
	return 1
}

func (c *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var total float32
	for i := range objs {
		total += c.weight(i)
	}
	if total == 0 {
		return
	}
	avail := size.Width - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		w := avail * c.weight(i) / total
		h := o.MinSize().Height
		if h > size.Height || h == 0 {
			h = size.Height
		}
		pos := x
		if c.rtl {
			pos = size.Width - x - w
		}
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(pos, 0))
		x += w + pad
	}
}

func (c *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		m := o.MinSize()
		if m.Height > h {
			h = m.Height
		}
		if c.weight(i) > 0 {
			w += m.Width
		}
	}
	return fyne.NewSize(w, h)
}

// formRow is one line of a form: its label and its field (usually the
// field with its error text under it).
type formRow struct {
	label string
	field fyne.CanvasObject
}

// form lays out labelled fields in two columns, labels on the reading side:
// on the left in English, on the right in Arabic, where widget.Form cannot
// put them.
func (u *UI) form(rows ...formRow) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, r := range rows {
		l := u.label(r.label)
		l.TextStyle.Bold = true
		objs = append(objs, l, r.field)
	}
	return container.New(&formLayout{rtl: u.lang.RTL()}, objs...)
}

// withError stacks a field over its error text.
func withError(field fyne.CanvasObject, err *label) fyne.CanvasObject {
	return container.NewVBox(field, err)
}

type formLayout struct{ rtl bool }

func (f *formLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i+1 < len(objs); i += 2 {
		if !objs[i+1].Visible() {
			continue
		}
		if m := objs[i].MinSize().Width; m > w {
			w = m
		}
	}
	return w
}

func (f *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	lw := f.labelWidth(objs)
	fw := size.Width - lw - pad
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		label, field := objs[i], objs[i+1]
		if !field.Visible() {
			label.Hide()
			continue
		}
		label.Show()
		fh := field.MinSize().Height
		lh := label.MinSize().Height
		if _, ok := field.(*wideField); ok {
			// The label on its own line, the field the whole width.
			lx := float32(0)
			if f.rtl {
				lx = size.Width - lw
			}
			label.Move(fyne.NewPos(lx, y))
			label.Resize(fyne.NewSize(lw, lh))
			field.Move(fyne.NewPos(0, y+lh))
			field.Resize(fyne.NewSize(size.Width, fh))
			y += lh + fh + pad
			continue
		}
		h := max(fh, lh)
		lx, fx := float32(0), lw+pad
		if f.rtl {
			lx, fx = fw+pad, 0
		}
		label.Move(fyne.NewPos(lx, y))
		label.Resize(fyne.NewSize(lw, lh))
		field.Move(fyne.NewPos(fx, y))
		field.Resize(fyne.NewSize(fw, fh))
		y += h + pad
	}
}

// wideField is a form field that takes the form's whole width under its
// label: a choice whose values are long (a wilayat such as "Shalim and the
// Hallaniyat Islands"), which Fyne would otherwise cut in a narrow panel.
type wideField struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func wide(content fyne.CanvasObject) *wideField {
	w := &wideField{content: content}
	w.ExtendBaseWidget(w)
	return w
}

func (w *wideField) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(w.content) }

func (f *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	lw := f.labelWidth(objs)
	var fw, h float32
	n := 0
	for i := 0; i+1 < len(objs); i += 2 {
		if !objs[i+1].Visible() {
			continue
		}
		fm, lm := objs[i+1].MinSize(), objs[i].MinSize()
		n++
		if _, ok := objs[i+1].(*wideField); ok {
			fw = max(fw, fm.Width-lw-pad)
			h += lm.Height + fm.Height
			continue
		}
		fw = max(fw, fm.Width)
		h += max(fm.Height, lm.Height)
	}
	if n > 1 {
		h += pad * float32(n-1)
	}
	return fyne.NewSize(lw+pad+fw, h)
}

// tapArea makes any content tappable (the status bar), with a pointer cursor.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor shows a hand over the area, like a link.
func (t *tapArea) Cursor() desktop.Cursor { return desktop.PointerCursor }

// dot is a small filled circle (online, offline…).
func dot(c color.Color) *canvas.Circle { return canvas.NewCircle(c) }

// fixedSize holds an object at a minimum size.
func fixedSize(o fyne.CanvasObject, w, h float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, h), o)
}

// hint is a sentence shown where a panel is empty ("choose a person…").
func (u *UI) hint(text string) fyne.CanvasObject {
	l := u.wrapped(text)
	l.Importance = widget.LowImportance
	return container.NewVBox(layout.NewSpacer(), l, layout.NewSpacer())
}
