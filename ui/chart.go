package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bar is one bar of a chart.
type bar struct {
	label string
	value int
}

// barChart draws bars with Fyne's canvas: a rectangle each, its value above
// and its label below. In Arabic the bars run from the right, so time reads
// in the same direction as the text.
type barChart struct {
	widget.BaseWidget
	bars []bar
	rtl  bool
}

func newBarChart(rtl bool) *barChart {
	c := &barChart{rtl: rtl}
	c.ExtendBaseWidget(c)
	return c
}

func (c *barChart) set(bars []bar) {
	c.bars = bars
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barChartRenderer{c: c}
	r.rebuild()
	return r
}

type barChartRenderer struct {
	c      *barChart
	rects  []*canvas.Rectangle
	values []*canvas.Text
	labels []*canvas.Text
	axis   *canvas.Line
	size   fyne.Size
}

func (r *barChartRenderer) rebuild() {
	r.rects, r.values, r.labels = nil, nil, nil
	small := theme.TextSize() * 0.85
	for _, b := range r.c.bars {
		rect := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		rect.CornerRadius = 2
		v := canvas.NewText(strconv.Itoa(b.value), theme.Color(theme.ColorNameForeground))
		v.TextSize = small
		v.Alignment = fyne.TextAlignCenter
		l := canvas.NewText(displayText(b.label, r.c.rtl), theme.Color(theme.ColorNamePlaceHolder))
		l.TextSize = small
		l.Alignment = fyne.TextAlignCenter
		r.rects = append(r.rects, rect)
		r.values = append(r.values, v)
		r.labels = append(r.labels, l)
	}
	r.axis = canvas.NewLine(theme.Color(theme.ColorNameSeparator))
}

func (r *barChartRenderer) Layout(size fyne.Size) {
	r.size = size
	n := len(r.rects)
	pad := theme.Padding()
	labelH := theme.TextSize() * 1.6
	top := theme.TextSize() * 1.4
	base := size.Height - labelH
	r.axis.Position1 = fyne.NewPos(0, base)
	r.axis.Position2 = fyne.NewPos(size.Width, base)
	if n == 0 {
		return
	}
	maxV := 1
	for _, b := range r.c.bars {
		maxV = max(maxV, b.value)
	}
	slot := size.Width / float32(n)
	w := max(slot-2*pad, 2)
	w = min(w, 60)
	for i := range r.rects {
		at := i
		if r.c.rtl {
			at = n - 1 - i
		}
		x := float32(at)*slot + (slot-w)/2
		h := (base - top) * float32(r.c.bars[i].value) / float32(maxV)
		r.rects[i].Move(fyne.NewPos(x, base-h))
		r.rects[i].Resize(fyne.NewSize(w, h))
		r.values[i].Move(fyne.NewPos(float32(at)*slot, base-h-top))
		r.values[i].Resize(fyne.NewSize(slot, top))
		fitText(r.labels[i], r.c.bars[i].label, r.c.rtl, slot-2)
		r.labels[i].Move(fyne.NewPos(float32(at)*slot, base+pad/2))
		r.labels[i].Resize(fyne.NewSize(slot, labelH-pad/2))
	}
}

// fitText shrinks t, showing logical, until it fits in width w, down to a
// readable floor; below that it cuts the text with an ellipsis (a wilayat
// like "Shalim and the Hallaniyat Islands" under a narrow bar).
func fitText(t *canvas.Text, logical string, rtl bool, w float32) {
	size := theme.TextSize() * 0.85
	floor := theme.TextSize() * 0.6
	text := displayText(logical, rtl)
	for size > floor && fyne.MeasureText(text, size, t.TextStyle).Width > w {
		size -= 0.5
	}
	if fyne.MeasureText(text, size, t.TextStyle).Width > w {
		runes := []rune(logical)
		for n := len(runes) - 1; n >= 0; n-- {
			text = displayText(strings.TrimSpace(string(runes[:n]))+ellipsis, rtl)
			if n == 0 || fyne.MeasureText(text, size, t.TextStyle).Width <= w {
				break
			}
		}
		if fyne.MeasureText(text, size, t.TextStyle).Width > w {
			text = ""
		}
	}
	if t.TextSize != size || t.Text != text {
		t.TextSize = size
		t.Text = text
		t.Refresh()
	}
}

func (r *barChartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(float32(max(len(r.c.bars), 1))*36, 160)
}

func (r *barChartRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

func (r *barChartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.axis}
	for i := range r.rects {
		objs = append(objs, r.rects[i], r.values[i], r.labels[i])
	}
	return objs
}

func (r *barChartRenderer) Destroy() {}
