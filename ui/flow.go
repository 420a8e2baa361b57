package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// flowLayout lays objects out one after the other in reading order, each at
// the width it needs to show whole (a Select: its longest option), starting
// a new line when the next one does not fit. A row of filters above a list
// so keeps every word at 1024 pixels as at 1366, where a grid of equal
// columns had Fyne cut "All governorates" to "All g…".
//
// Its height depends on the width it is given, which Fyne's MinSize cannot
// know; it remembers the width of its last layout, and when that changes
// the number of lines it refreshes the container above it (relayout), so
// the lines below move down.
type flowLayout struct {
	rtl      bool
	width    float32 // width of the last layout, 0 before the first
	relayout func()  // refreshes what holds the flow, when its height changed
}

func (u *UI) flow(relayout func(), objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &flowLayout{rtl: u.lang.RTL(), relayout: relayout}, Objects: objs}
}

// need is the size o asks for to show whole.
func need(o fyne.CanvasObject) fyne.Size {
	min := o.MinSize()
	s, ok := o.(*widget.Select)
	if !ok {
		return min
	}
	widest := float32(0)
	for _, opt := range append([]string{s.PlaceHolder}, s.Options...) {
		widest = max(widest, fyne.MeasureText(opt, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	// Fyne's Select: padding on both sides of the text, the drop-down
	// icon and the padding around it.
	w := widest + 4*theme.InnerPadding() + theme.IconInlineSize() + 2*theme.Padding()
	return fyne.NewSize(max(min.Width, w), min.Height)
}

// lines places objs in width, returning each one's place and size and the
// height used.
func (f *flowLayout) lines(objs []fyne.CanvasObject, width float32) ([]fyne.Position, []fyne.Size, float32) {
	pad := theme.Padding()
	pos := make([]fyne.Position, len(objs))
	sizes := make([]fyne.Size, len(objs))
	var x, y, lineH float32
	lineStart := 0
	finish := func(end int) {
		// In Arabic the line starts on the right.
		if f.rtl {
			for i := lineStart; i < end; i++ {
				pos[i].X = width - pos[i].X - sizes[i].Width
			}
		}
	}
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		s := need(o)
		s.Width = min(s.Width, width)
		if x > 0 && x+s.Width > width {
			finish(i)
			lineStart = i
			x = 0
			y += lineH + pad
			lineH = 0
		}
		pos[i] = fyne.NewPos(x, y)
		sizes[i] = s
		x += s.Width + pad
		lineH = max(lineH, s.Height)
	}
	finish(len(objs))
	return pos, sizes, y + lineH
}

func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pos, sizes, h := f.lines(objs, size.Width)
	for i, o := range objs {
		o.Move(pos[i])
		o.Resize(sizes[i])
	}
	changed := size.Width != f.width && h != f.heightAt(objs, f.width)
	f.width = size.Width
	if changed && f.relayout != nil {
		f.relayout()
	}
}

// heightAt is the flow's height at width w (one line when w is not known).
func (f *flowLayout) heightAt(objs []fyne.CanvasObject, w float32) float32 {
	if w <= 0 {
		w = 1e6
	}
	_, _, h := f.lines(objs, w)
	return h
}

func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var widest float32
	for _, o := range objs {
		if o.Visible() {
			widest = max(widest, need(o).Width)
		}
	}
	return fyne.NewSize(widest, f.heightAt(objs, f.width))
}
