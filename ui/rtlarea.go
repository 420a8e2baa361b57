package ui

// rtlArea is the app's multi-line text field (a person's notes): rtlEntry
// (rtlentry.go) over several lines. It keeps the logical text, with "\n"
// between paragraphs (Enter inserts one), and draws each paragraph as
// rtlEntry draws its line: the paragraph's direction from rtlParagraph, its
// lines in visual order, aligned right in the Arabic UI and for a
// right-to-left paragraph. A paragraph wider than the field wraps: it is
// broken into lines in logical order, at spaces (a word is cut only when it
// is wider than the field by itself), and then each line is reordered, as
// wrapping labels do (text.go), since a reordered paragraph would wrap from
// the wrong end.
//
// The caret moves as in rtlEntry within a line (Left and Right on the
// screen); past a line's edge it goes on to the next line in the
// paragraph's reading direction (Left out of the left end of a
// right-to-left line, Right out of the right end of a left-to-right one),
// entering it at its right or left edge as it reads, or back to the
// previous line at the edge where it ends: so the arrow that reads on
// visits every position of the text once. Up and Down keep the caret's x; Home and
// End go to the logical start and end of the line, Ctrl+Home and Ctrl+End
// to those of the text. Typing, deleting, selection, the clipboard (which
// keeps line breaks), undo and the right button's menu are rtlEntry's.
// Tab is left to the window (focus moves on), and so is every shortcut the
// field does not use.
//
// A space where a line wraps is not drawn: the line ends before it and the
// next begins after it, so every logical position belongs to one line
// (the caret after the space is at the start of the next line).

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// areaLine is one drawn line: logical positions start … end of the text
// (the characters [start, end)), in a paragraph of direction rtl.
type areaLine struct {
	start, end int
	rtl        bool
	m          measuredLine
}

type rtlArea struct {
	rtlEntry
	rows int // lines visible at least

	lines    []areaLine
	paras    map[string][]areaLine // laid out paragraphs by text, positions from 0: typing relays only its own
	wrappedT string                // the text lines were made for
	wrappedW float32               // and the width
	goalX    float32               // the x Up and Down keep (-1: the caret's)
	voffset  float32               // vertical scroll
	seenAt   int                   // the caret when last scrolled to
	seenText string                // and the text
}

func newRTLArea(rtlUI bool, rows int) *rtlArea {
	a := &rtlArea{rows: rows, goalX: -1}
	a.rtlUI = rtlUI
	a.ExtendBaseWidget(a)
	return a
}

// wrapWidth is the width lines may take; 0 before the field has a size.
func (a *rtlArea) wrapWidth() float32 {
	return max(0, a.Size().Width-2*theme.InnerPadding())
}

// layoutLines breaks the text into the lines drawn.
func (a *rtlArea) layoutLines() {
	w := a.wrapWidth()
	if a.lines != nil && a.wrappedT == a.Text && a.wrappedW == w {
		return
	}
	if a.wrappedW != w {
		a.paras = nil
	}
	a.wrappedT, a.wrappedW = a.Text, w
	rs := []rune(a.Text)
	a.lines = a.lines[:0]
	paras := map[string][]areaLine{}
	for ps := 0; ; {
		pe := ps
		for pe < len(rs) && rs[pe] != '\n' {
			pe++
		}
		para := string(rs[ps:pe])
		laid, ok := a.paras[para]
		if !ok {
			rtl := rtlParagraph(para, a.rtlUI)
			prs := rs[ps:pe]
			for _, l := range wrapParagraph(prs, 0, len(prs), rtl, w) {
				laid = append(laid, areaLine{start: l[0], end: l[1], rtl: rtl, m: measureLine(prs[l[0]:l[1]], rtl)})
			}
		}
		paras[para] = laid
		for _, l := range laid {
			l.start += ps
			l.end += ps
			a.lines = append(a.lines, l)
		}
		if pe == len(rs) {
			break
		}
		ps = pe + 1
	}
	a.paras = paras
}

// wrapParagraph breaks rs[ps:pe] into lines no wider than w, in logical
// order: each line [start, end) ends before a space (which is dropped) or,
// for a word wider than w by itself, inside the word. w <= 0: one line.
func wrapParagraph(rs []rune, ps, pe int, rtl bool, w float32) [][2]int {
	if w <= 0 || drawnWidth(rs[ps:pe], rtl) <= w {
		return [][2]int{{ps, pe}}
	}
	var out [][2]int
	fits := func(s, e int) bool { return drawnWidth(rs[s:e], rtl) <= w }
	s := ps
	for {
		if fits(s, pe) {
			return append(out, [2]int{s, pe})
		}
		// The last space after which the line would still fit.
		best := -1
		for j := s + 1; j < pe; j++ {
			if rs[j] != ' ' || rs[j-1] == ' ' {
				continue
			}
			if !fits(s, j) {
				break
			}
			best = j
		}
		if best > s {
			out = append(out, [2]int{s, best})
			s = best + 1
			if s == pe { // the paragraph ends with the space it wrapped at
				return append(out, [2]int{pe, pe})
			}
			continue
		}
		// The first word alone is wider than the line: cut it where it
		// stops fitting (one character at least).
		k := s + 1
		for k < pe && rs[k] != ' ' && fits(s, k+1) {
			k++
		}
		out = append(out, [2]int{s, k})
		s = k
		if s < pe && rs[s] == ' ' {
			s++
			if s == pe {
				return append(out, [2]int{pe, pe})
			}
		}
	}
}

// lineOf is the index of the line position p is drawn on.
func (a *rtlArea) lineOf(p int) int {
	a.layoutLines()
	k := 0
	for i, l := range a.lines {
		if l.start <= p {
			k = i
		}
	}
	return k
}

// lineHeight is the distance between lines; top the first line's y.
func lineHeight() float32 {
	return fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height + theme.LineSpacing()
}

func areaTop() float32 { return theme.InnerPadding() / 2 }

// lineLeft is the x of line k's left edge, in the widget's coordinates.
func (a *rtlArea) lineLeft(k int) float32 {
	pad := theme.InnerPadding()
	l := a.lines[k]
	if avail := a.wrapWidth(); (a.rtlUI || l.rtl) && l.m.width < avail {
		return pad + avail - l.m.width
	}
	return pad
}

// caretAt is where the caret for position p is: its line and its x in the
// widget's coordinates.
func (a *rtlArea) caretAt(p int) (int, float32) {
	k := a.lineOf(p)
	l := a.lines[k]
	local := max(0, min(p-l.start, l.end-l.start))
	return k, a.lineLeft(k) + l.m.xs[l.m.line.visualBoundary(local)]
}

// positionIn is the position nearest x (widget coordinates) on line k.
func (a *rtlArea) positionIn(k int, x float32) int {
	l := a.lines[k]
	if l.end == l.start {
		return l.start
	}
	x -= a.lineLeft(k)
	best := 0
	for b := range l.m.xs {
		if abs32(l.m.xs[b]-x) < abs32(l.m.xs[best]-x) {
			best = b
		}
	}
	p := l.start + l.m.line.toLog[best]
	if k+1 < len(a.lines) && p == a.lines[k+1].start && p > l.start {
		p-- // a cut word: its last position here is drawn on the next line
	}
	return p
}

// positionAt is the position nearest a point in the widget.
func (a *rtlArea) positionAt(pos fyne.Position) int {
	a.layoutLines()
	k := int((pos.Y + a.voffset - theme.InputBorderSize() - areaTop()) / lineHeight())
	k = max(0, min(k, len(a.lines)-1))
	return a.positionIn(k, pos.X)
}

// step is the position after one press of Left (left) or Right from p.
func (a *rtlArea) step(p int, left bool) int {
	k := a.lineOf(p)
	l := a.lines[k]
	local := max(0, min(p-l.start, l.end-l.start))
	b := l.m.line.visualBoundary(local)
	if left {
		b--
	} else {
		b++
	}
	if b >= 0 && b <= l.end-l.start && l.end > l.start {
		return l.start + l.m.line.toLog[b]
	}
	// Past the line's edge: on to the next line, or back to the previous
	// one, at its edge on this side of reading (its right edge when it
	// reads right to left and the caret reads on), from where the arrow
	// goes on through every position of it.
	next := k + 1
	if left != l.rtl {
		next = k - 1
	}
	if next < 0 || next >= len(a.lines) {
		return p
	}
	nl := a.lines[next]
	if nl.end == nl.start {
		return nl.start
	}
	edge := 0 // the left edge
	if (next > k) == nl.rtl {
		edge = nl.end - nl.start // the right edge
	}
	q := nl.start + nl.m.line.toLog[edge]
	if next+1 < len(a.lines) && q == a.lines[next+1].start && q > nl.start {
		q-- // a cut word: the position at the cut is the next line's
	}
	return q
}

// TypedKey moves the caret over the lines, deletes and breaks lines.
func (a *rtlArea) TypedKey(ev *fyne.KeyEvent) {
	if a.Disabled() {
		return
	}
	a.layoutLines()
	moveTo := func(p int, vertical bool) {
		if !vertical {
			a.goalX = -1
		}
		a.cursor = p
		if !a.shift {
			a.anchor = p
		}
		a.Refresh()
	}
	from, to := a.Selection()
	switch ev.Name {
	case fyne.KeyLeft, fyne.KeyRight:
		left := ev.Name == fyne.KeyLeft
		if !a.shift && from != to {
			// Collapse the selection to its end on that side of the screen
			// (on one line), or the end the key reads towards.
			ka, xa := a.caretAt(from)
			kb, xb := a.caretAt(to)
			first := from
			switch {
			case ka == kb && (xa < xb) != left:
				first = to
			case ka != kb && left == a.lines[a.lineOf(a.cursor)].rtl:
				first = to
			}
			moveTo(first, false)
			return
		}
		moveTo(a.step(a.cursor, left), false)
	case fyne.KeyUp, fyne.KeyDown:
		k, x := a.caretAt(a.cursor)
		if a.goalX >= 0 {
			x = a.goalX
		}
		a.goalX = x
		switch {
		case ev.Name == fyne.KeyUp && k == 0:
			moveTo(0, true)
		case ev.Name == fyne.KeyDown && k == len(a.lines)-1:
			moveTo(len([]rune(a.Text)), true)
		case ev.Name == fyne.KeyUp:
			moveTo(a.positionIn(k-1, x), true)
		default:
			moveTo(a.positionIn(k+1, x), true)
		}
	case fyne.KeyHome, fyne.KeyEnd:
		k := a.lineOf(a.cursor)
		l := a.lines[k]
		p := l.start
		if ev.Name == fyne.KeyEnd {
			p = l.end
			if k+1 < len(a.lines) && a.lines[k+1].start == p && p > l.start {
				p-- // a cut word: the cut is the next line's
			}
		}
		moveTo(p, false)
	case fyne.KeyReturn, fyne.KeyEnter:
		a.goalX = -1
		a.insert("\n")
	case fyne.KeyBackspace, fyne.KeyDelete:
		a.goalX = -1
		back := ev.Name == fyne.KeyBackspace
		a.edit(func(rs []rune, i, j int) ([]rune, int) {
			if i == j {
				switch {
				case back && i > 0:
					i--
				case !back && j < len(rs):
					j++
				default:
					return rs, i
				}
			}
			return append(append([]rune{}, rs[:i]...), rs[j:]...), i
		})
	}
}

// TypedRune inserts r at the caret (rtlEntry's), forgetting the column.
func (a *rtlArea) TypedRune(r rune) {
	a.goalX = -1
	a.rtlEntry.TypedRune(r)
}

// The shortcuts rtlArea adds to rtlEntry's: Ctrl+Home, Ctrl+End, and a
// paste that keeps line breaks.
var (
	shortcutTextStart = &desktop.CustomShortcut{KeyName: fyne.KeyHome, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutTextEnd   = &desktop.CustomShortcut{KeyName: fyne.KeyEnd, Modifier: fyne.KeyModifierShortcutDefault}
)

func (a *rtlArea) TypedShortcut(s fyne.Shortcut) {
	a.goalX = -1
	if cs, ok := s.(*desktop.CustomShortcut); ok {
		switch cs.ShortcutName() {
		case shortcutTextStart.ShortcutName(), shortcutTextEnd.ShortcutName():
			p := 0
			if cs.KeyName == fyne.KeyEnd {
				p = len([]rune(a.Text))
			}
			a.cursor = p
			if !a.shift {
				a.anchor = p
			}
			a.Refresh()
		}
		return
	}
	if _, ok := s.(*fyne.ShortcutPaste); ok {
		if a.Disabled() || fyne.CurrentApp() == nil {
			return
		}
		txt := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(fyne.CurrentApp().Clipboard().Content())
		a.insert(txt)
		return
	}
	a.rtlEntry.TypedShortcut(s)
}

// Tapped puts the caret at the position nearest the tap.
func (a *rtlArea) Tapped(ev *fyne.PointEvent) {
	a.requestFocus()
	if a.Disabled() {
		return
	}
	a.goalX = -1
	a.cursor = a.positionAt(ev.Position)
	if !a.shift {
		a.anchor = a.cursor
	}
	a.Refresh()
}

// DoubleTapped selects the word tapped.
func (a *rtlArea) DoubleTapped(ev *fyne.PointEvent) {
	if a.Disabled() {
		return
	}
	rs := []rune(a.Text)
	i := a.positionAt(ev.Position)
	s, e := i, i
	for s > 0 && !unicode.IsSpace(rs[s-1]) {
		s--
	}
	for e < len(rs) && !unicode.IsSpace(rs[e]) {
		e++
	}
	a.anchor, a.cursor = s, e
	a.Refresh()
}

// Dragged selects from where the drag started.
func (a *rtlArea) Dragged(ev *fyne.DragEvent) {
	if a.Disabled() {
		return
	}
	if !a.dragged {
		a.requestFocus()
		a.dragged = true
		a.anchor = a.positionAt(ev.Position.Subtract(ev.Dragged))
	}
	a.cursor = a.positionAt(ev.Position)
	a.Refresh()
}

func (a *rtlArea) MinSize() fyne.Size {
	a.ExtendBaseWidget(a)
	return a.BaseWidget.MinSize()
}

func (a *rtlArea) CreateRenderer() fyne.WidgetRenderer {
	a.ExtendBaseWidget(a)
	th := a.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r := &rtlAreaRenderer{a: a, fieldParts: newFieldParts(th, v, container.NewVScroll)}
	r.scroll.OnScrolled = func(p fyne.Position) { a.voffset = p.Y }
	// At least the height Fyne's own multi-line entry asks for these rows.
	tmpl := widget.NewMultiLineEntry()
	tmpl.SetMinRowsVisible(max(1, a.rows))
	r.min = tmpl.MinSize()
	r.min.Height = max(r.min.Height, float32(max(1, a.rows))*lineHeight()+2*areaTop()+2*theme.InputBorderSize())
	r.Refresh()
	return r
}

type rtlAreaRenderer struct {
	a *rtlArea
	fieldParts
	pool      []*canvas.Text // texts made so far, reused
	textLine  []int          // the line of each text
	textPiece []int          // and its piece in the line
}

func (r *rtlAreaRenderer) Layout(size fyne.Size) {
	r.frame(size)
	r.Refresh()
}

// place positions the lines' pieces, the selection, the caret and the
// placeholder in the content's coordinates, and scrolls to the caret when
// it or the text has moved.
func (r *rtlAreaRenderer) place() {
	a := r.a
	a.layoutLines()
	lh := lineHeight()
	th := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height
	top := areaTop()
	viewH := r.scroll.Size().Height
	contentH := max(viewH, float32(len(a.lines))*lh+2*top)
	r.area.min = fyne.NewSize(r.scroll.Size().Width, contentH)
	r.content.Resize(r.area.min)
	k, cx := a.caretAt(a.cursor)
	if a.cursor != a.seenAt || a.seenText != a.Text {
		a.seenAt, a.seenText = a.cursor, a.Text
		cy := top + float32(k)*lh
		if cy < a.voffset {
			a.voffset = cy - top
		}
		if cy+lh+top > a.voffset+viewH {
			a.voffset = cy + lh + top - viewH
		}
	}
	a.voffset = max(0, min(a.voffset, contentH-viewH))
	r.scroll.Offset = fyne.NewPos(0, a.voffset)
	y := func(k int) float32 { return top + float32(k)*lh + (lh-th)/2 }

	for i, t := range r.texts {
		l := r.textLine[i]
		t.Move(fyne.NewPos(a.lineLeft(l)+a.lines[l].m.pieceXs[r.textPiece[i]], y(l)))
		t.Resize(t.MinSize())
	}
	from, to := a.Selection()
	n := 0
	if from != to {
		// One rectangle per stretch of selected characters on a line, and
		// a sliver for a selected line break.
		for k, l := range a.lines {
			left := a.lineLeft(k)
			order := l.m.line.order
			for s := 0; s < len(order); {
				if i := l.start + order[s]; i < from || i >= to {
					s++
					continue
				}
				e := s
				for e < len(order) && l.start+order[e] >= from && l.start+order[e] < to {
					e++
				}
				r.rect(n, left+l.m.xs[s], left+l.m.xs[e], y(k), th)
				n++
				s = e
			}
			if l.end >= from && l.end < to && k+1 < len(a.lines) && a.lines[k+1].start > l.end {
				x := left + l.m.width
				if l.rtl {
					x = left - th/3
				}
				r.rect(n, x, x+th/3, y(k), th)
				n++
			}
		}
	}
	for ; n < len(r.selection); n++ {
		r.selection[n].Hide()
	}
	cw := theme.InputBorderSize()
	r.caret.Move(fyne.NewPos(cx-cw/2, y(k)))
	r.caret.Resize(fyne.NewSize(cw, th))
	r.caret.Hidden = !a.focused || a.Disabled()
	pad := theme.InnerPadding()
	r.placeholder.Text = displayText(fitWords(a.PlaceHolder, r.scroll.Size().Width-2*pad, a.rtlUI), a.rtlUI)
	pw := r.placeholder.MinSize().Width
	px := pad
	if a.rtlUI {
		px = r.scroll.Size().Width - pad - pw
	}
	r.placeholder.Move(fyne.NewPos(px, y(0)))
	r.placeholder.Resize(r.placeholder.MinSize())
	r.placeholder.Hidden = a.Text != ""
	r.scroll.Refresh()
}

// rect shows selection rectangle n from x0 to x1 at y.
func (r *rtlAreaRenderer) rect(n int, x0, x1, y, h float32) {
	for len(r.selection) <= n {
		th := r.a.Theme()
		s := canvas.NewRectangle(th.Color(theme.ColorNameSelection, fyne.CurrentApp().Settings().ThemeVariant()))
		r.selection = append(r.selection, s)
		r.content.Objects = append([]fyne.CanvasObject{s}, r.content.Objects...)
	}
	s := r.selection[n]
	s.Move(fyne.NewPos(min(x0, x1), y))
	s.Resize(fyne.NewSize(abs32(x1-x0), h))
	s.Show()
}

func (r *rtlAreaRenderer) Refresh() {
	a := r.a
	th := a.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	n := len([]rune(a.Text))
	a.cursor = max(0, min(a.cursor, n))
	a.anchor = max(0, min(a.anchor, n))
	a.layoutLines()

	r.box.FillColor = th.Color(theme.ColorNameInputBackground, v)
	if a.focused && !a.Disabled() {
		r.border.StrokeColor = th.Color(theme.ColorNamePrimary, v)
	} else {
		r.border.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	}
	fg := th.Color(theme.ColorNameForeground, v)
	if a.Disabled() {
		fg = th.Color(theme.ColorNameDisabled, v)
	}
	r.texts, r.textLine, r.textPiece = r.texts[:0], r.textLine[:0], r.textPiece[:0]
	for k, l := range a.lines {
		for j, p := range l.m.pieces {
			if len(r.texts) == len(r.pool) {
				r.pool = append(r.pool, canvas.NewText("", fg))
			}
			t := r.pool[len(r.texts)]
			t.Text, t.Color, t.TextSize = p.text, fg, theme.TextSize()
			r.texts = append(r.texts, t)
			r.textLine = append(r.textLine, k)
			r.textPiece = append(r.textPiece, j)
		}
	}
	sel := th.Color(theme.ColorNameSelection, v)
	for _, s := range r.selection {
		s.FillColor = sel
	}
	r.stack(th.Color(theme.ColorNamePlaceHolder, v))
	r.place()
	r.refreshAll(a.super())
}
