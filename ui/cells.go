package ui

// List rows and their headers, in columns.
//
// A list's columns are described once (table): each has a header, a share
// of the width left over (grow) and what it must fit without cutting: its
// header, sample texts (a time, a phone number, or every value when the
// list holds few, like the reasons people are not eligible) and, for a
// column of buttons or entries, the template object's own MinSize. The
// header and every row lay out with the same widths: every column gets
// what it must fit, the columns that grow share the rest by their weights,
// and when the row is too narrow for all that, the growing columns give
// back by weight (never the buttons). Text cells are cell labels,
// which cut what does not fit with an ellipsis, in logical order so the
// ellipsis ends the text on its reading side; the whole value is on the
// screen's detail pane or feedback line. In Arabic the columns run from the
// right.

import (
	"math"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// column is one column of a table.
type column struct {
	header  string
	grow    float32           // share of the width left over; 0: only what it must fit
	samples []string          // texts it must fit without cutting
	fit     fyne.CanvasObject // a template object (button, entry) it must fit
	bold    bool              // its cells are bold (measure the samples so)
	min     float32           // what it must fit, measured at first layout
	known   bool
}

// table is the columns of one list, shared by its header and its rows.
type table struct {
	cols []*column
	rtl  bool
}

func (u *UI) table(cols ...column) *table {
	t := &table{rtl: u.lang.RTL()}
	for i := range cols {
		c := cols[i]
		t.cols = append(t.cols, &c)
	}
	return t
}

// setSamples makes column i fit these texts (the list's own values) and
// measures it again at the next layout.
func (t *table) setSamples(i int, samples []string) {
	t.cols[i].samples = samples
	t.cols[i].known = false
}

// header is the row of column headings.
func (t *table) header(u *UI) *fyne.Container {
	objs := make([]fyne.CanvasObject, len(t.cols))
	for i, c := range t.cols {
		h := u.cell()
		h.TextStyle.Bold = true
		h.SetText(c.header)
		objs[i] = h
	}
	return t.row(objs...)
}

// row lays objs out in the table's columns.
func (t *table) row(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&tableLayout{t: t}, objs...)
}

// textWidth is what a label needs to show s whole: Fyne's own truncation
// measures by shaping and whole pixels, so a label exactly as wide as
// MeasureText says can still lose its last letter; hence the two pixels.
func textWidth(s string, bold bool) float32 {
	if s == "" {
		return 0
	}
	w := fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{Bold: bold}).Width
	return float32(math.Ceil(float64(w))) + 2 + 2*theme.InnerPadding()
}

func (c *column) need() float32 {
	if c.known {
		return c.min
	}
	m := textWidth(c.header, true)
	for _, s := range c.samples {
		m = max(m, textWidth(displayText(s, false), c.bold))
	}
	if c.fit != nil {
		m = max(m, c.fit.MinSize().Width)
	}
	c.min, c.known = m, true
	return m
}

// widths shares w between the columns.
func (t *table) widths(w float32) []float32 {
	pad := theme.Padding()
	out := make([]float32, len(t.cols))
	avail := w - pad*float32(len(t.cols)-1)
	var fixed, growMin, weight float32
	for i, c := range t.cols {
		out[i] = c.need()
		if c.grow > 0 {
			growMin += out[i]
			weight += c.grow
		} else {
			fixed += out[i]
		}
	}
	rest := avail - fixed
	if weight == 0 || rest <= 0 {
		if weight > 0 {
			for i, c := range t.cols {
				if c.grow > 0 {
					out[i] = 0
				}
			}
		}
		return out
	}
	if rest <= growMin {
		// Too narrow for every header: the growing columns share what
		// there is by weight (a name column keeps its share even when
		// its header is the shortest).
		for i, c := range t.cols {
			if c.grow > 0 {
				out[i] = rest * c.grow / weight
			}
		}
		return out
	}
	// Share the rest by weight, each at least what it must fit: the
	// columns whose share is short of that get it, the others share what
	// is left.
	done := make([]bool, len(t.cols))
	for {
		share, settled := rest, false
		var w float32
		for i, c := range t.cols {
			if c.grow > 0 && !done[i] {
				w += c.grow
			} else if c.grow > 0 {
				share -= out[i]
			}
		}
		for i, c := range t.cols {
			if c.grow > 0 && !done[i] && share*c.grow/w < c.need() {
				out[i], done[i], settled = c.need(), true, true
			}
		}
		if settled {
			continue
		}
		for i, c := range t.cols {
			if c.grow > 0 && !done[i] {
				out[i] = share * c.grow / w
			}
		}
		return out
	}
}

type tableLayout struct{ t *table }

func (l *tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	ws := l.t.widths(size.Width)
	x := float32(0)
	for i, o := range objs {
		if i >= len(ws) {
			o.Hide()
			continue
		}
		w := ws[i]
		pos := x
		if l.t.rtl {
			pos = size.Width - x - w
		}
		h := size.Height
		if _, ok := o.(*label); !ok {
			// Buttons and entries keep their height, centred.
			h = min(o.MinSize().Height, size.Height)
		}
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(pos, (size.Height-h)/2))
		x += w + pad
	}
}

// MinSize is what every column must fit: a parent that gives the row that
// much cuts no button and leaves every column its header.
func (l *tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		if i < len(l.t.cols) {
			w += l.t.cols[i].need()
		}
		h = max(h, o.MinSize().Height)
	}
	if n := min(len(objs), len(l.t.cols)); n > 1 {
		w += theme.Padding() * float32(n-1)
	}
	return fyne.NewSize(w, h)
}

// cell is a one-line label for a list cell: it cuts what does not fit with
// an ellipsis at the end of the text (see label.fitText).
func (u *UI) cell() *label {
	l := u.label("")
	l.ellipsis = true
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

const ellipsis = "…"

// fitText is the logical text cut to fit width w with an ellipsis, when it
// does not fit whole. Cutting before reordering keeps the ellipsis at the
// end of the reading, on the left of an Arabic text in the Arabic UI.
func (l *label) fitText(w float32) string {
	avail := w - 2*theme.InnerPadding()
	size := theme.TextSize()
	if l.SizeName != "" {
		size = theme.Size(l.SizeName)
	}
	fits := func(s string) bool {
		return fyne.MeasureText(displayText(s, l.rtl), size, l.TextStyle).Width <= avail
	}
	if fits(l.logical) {
		return l.logical
	}
	runes := []rune(l.logical)
	lo, hi := 0, len(runes) // runes[:lo] plus the ellipsis fits; runes[:hi] does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fits(string(runes[:mid]) + ellipsis) {
			lo = mid
		} else {
			hi = mid
		}
	}
	cut := string(runes[:lo])
	for len(cut) > 0 {
		r, n := utf8.DecodeLastRuneInString(cut)
		if r != ' ' && r != '-' && r != '—' && r != '،' && r != ',' {
			break
		}
		cut = cut[:len(cut)-n]
	}
	if cut == "" {
		if !fits(ellipsis) {
			return "" // not even room for the ellipsis: draw nothing rather than over the next cell
		}
		return ellipsis
	}
	return cut + ellipsisAfter(cut)
}

// ellipsisAfter is the ellipsis that ends cut on its reading side: the
// ellipsis is neutral, so it takes the direction of the paragraph and would
// sit at the start of an Arabic name in the English UI (or after an English
// one in the Arabic UI); a mark of the direction of the cut's last letter
// keeps it with that letter.
func ellipsisAfter(cut string) string {
	for i := len(cut); i > 0; {
		r, n := utf8.DecodeLastRuneInString(cut[:i])
		i -= n
		switch {
		case isRTL(r):
			return ellipsis + string(rlm)
		case isStrongLTR(r):
			return ellipsis + string(lrm)
		}
	}
	return ellipsis
}
