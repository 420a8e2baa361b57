package ui

// rtlEntry is the app's single-line text field. Fyne 2.7's Entry draws its
// text as labels were drawn before text.go (runs left to right in logical
// order) and always from the left, so "جامعة نزوى - القاعة 4" reads
// "4القاعة - جامعة نزوى" while it is typed. rtlEntry keeps the logical
// text (what is stored), draws it in visual order by the same rules as
// displayText (runs reordered by UAX #9, Arabic words as pieces that Fyne
// shapes, each other character of a right-to-left run on its own inside an
// isolate so that Fyne mirrors brackets; displayLine draws the same
// pieces), aligns it right in a right-to-left paragraph, and moves the
// caret as a reader of that paragraph expects: Left and Right move on the
// screen, across runs;
// Home and End go to the logical start and end; typing, Backspace and
// Delete work on the logical text.
//
// The paragraph is right to left when the text has Arabic in the Arabic UI,
// or begins with an Arabic letter in the English one (rtlParagraph); the
// text is aligned right in the Arabic UI and for a right-to-left paragraph.

import (
	"image/color"
	"sort"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/arabic"
)

// bidiLine is one line of logical text with its visual order.
type bidiLine struct {
	rs     []rune
	rtl    bool  // paragraph direction
	levels []int // per logical rune
	order  []int // visual slot (left to right) → logical index
	slot   []int // logical index → visual slot
	toLog  []int // visual caret boundary (0 = left edge … n = right edge) → logical position
	toVis  []int // logical position → visual caret boundary
}

func newBidiLine(rs []rune, rtl bool) *bidiLine {
	l := bidiOrder(rs, rtl)
	l.carets()
	return l
}

// bidiOrder is the line's levels and visual order, without the caret
// pairing (what labels and wrapping need).
func bidiOrder(rs []rune, rtl bool) *bidiLine {
	n := len(rs)
	l := &bidiLine{rs: rs, rtl: rtl, levels: arabic.Levels(numbersWhole(rs), rtl)}
	// Rule L2: from the highest level down to the lowest odd one, reverse
	// every stretch at that level or higher.
	l.order = make([]int, n)
	maxL, minOdd := 0, 1<<30
	for i, lv := range l.levels {
		l.order[i] = i
		maxL = max(maxL, lv)
		if lv%2 == 1 {
			minOdd = min(minOdd, lv)
		}
	}
	for lv := maxL; lv >= minOdd && lv > 0; lv-- {
		for i := 0; i < n; {
			if l.levels[l.order[i]] < lv {
				i++
				continue
			}
			j := i
			for j < n && l.levels[l.order[j]] >= lv {
				j++
			}
			for a, z := i, j-1; a < z; a, z = a+1, z-1 {
				l.order[a], l.order[z] = l.order[z], l.order[a]
			}
			i = j
		}
	}
	l.slot = make([]int, n)
	for s, i := range l.order {
		l.slot[i] = s
	}
	return l
}

// carets pairs the n+1 visual caret boundaries with the n+1 logical
// positions. A boundary lies between two characters on the screen; it
// belongs to the one with the higher bidi level (the run nested in the
// other), or the only one at the line's ends, and is that character's
// leading or trailing edge in its own direction: before it or after it
// logically. Where the pairing is not one to one (it is, for text without
// explicit embeddings), the positions left over take the leading edge of
// the character after them.
func (l *bidiLine) carets() {
	n := len(l.rs)
	l.toLog = make([]int, n+1)
	l.toVis = make([]int, n+1)
	for i := range l.toVis {
		l.toVis[i] = -1
	}
	if n == 0 {
		return
	}
	for b := 0; b <= n; b++ {
		useRight := b < n && (b == 0 || l.levels[l.order[b]] > l.levels[l.order[b-1]])
		var pos int
		if useRight { // left edge of the character at slot b
			i := l.order[b]
			pos = i
			if l.levels[i]%2 == 1 {
				pos = i + 1
			}
		} else { // right edge of the character at slot b-1
			i := l.order[b-1]
			pos = i + 1
			if l.levels[i]%2 == 1 {
				pos = i
			}
		}
		l.toLog[b] = pos
		if l.toVis[pos] < 0 {
			l.toVis[pos] = b
		}
	}
	for i := range l.toVis {
		if l.toVis[i] >= 0 {
			continue
		}
		switch {
		case i == n:
			s := l.slot[n-1]
			l.toVis[i] = s + 1
			if l.levels[n-1]%2 == 1 {
				l.toVis[i] = s
			}
		default:
			s := l.slot[i]
			l.toVis[i] = s
			if l.levels[i]%2 == 1 {
				l.toVis[i] = s + 1
			}
		}
	}
}

// visualBoundary is where the caret for logical position i is drawn.
func (l *bidiLine) visualBoundary(i int) int {
	if len(l.rs) == 0 {
		return 0
	}
	return l.toVis[i]
}

// move is the logical position after moving the caret from logical
// position i one step on the screen, leftward when left.
func (l *bidiLine) move(i int, left bool) int {
	if len(l.rs) == 0 {
		return 0
	}
	b := l.toVis[i]
	if left {
		b--
	} else {
		b++
	}
	if b < 0 || b > len(l.rs) {
		return i
	}
	return l.toLog[b]
}

// entryPiece is a stretch of the line drawn by one canvas.Text: visual
// slots [from, to).
type entryPiece struct {
	from, to int
	rtl      bool
	text     string // logical characters, wrapped as Fyne must see them
}

// pieces cuts the visual line into what Fyne draws as one run each, in
// visual order: left-to-right stretches up to a space, right-to-left ones
// into Arabic words and every other character on its own (punctuation may
// come from another font than the letters), spaces on their own outside
// any isolate (inside one, rule L1 would move a space at its end to the
// other side). Labels (displayLine) draw the same pieces.
func (l *bidiLine) pieces() []entryPiece {
	var out []entryPiece
	n := len(l.rs)
	for s := 0; s < n; {
		i := l.order[s]
		lv := l.levels[i]
		r := l.rs[i]
		if r == ' ' {
			out = append(out, entryPiece{from: s, to: s + 1, text: " "})
			s++
			continue
		}
		e := s + 1
		if lv%2 == 0 {
			for e < n && l.levels[l.order[e]] == lv && l.order[e] == l.order[e-1]+1 && l.rs[l.order[e]] != ' ' {
				e++
			}
			out = append(out, entryPiece{from: s, to: e, text: string(lri) + string(l.rs[i:l.order[e-1]+1]) + string(pdi)})
			s = e
			continue
		}
		if isWordRune(r) {
			for e < n && l.levels[l.order[e]] == lv && l.order[e] == l.order[e-1]-1 && isWordRune(l.rs[l.order[e]]) {
				e++
			}
		}
		first := l.order[e-1] // logical start of the piece
		out = append(out, entryPiece{from: s, to: e, rtl: true, text: string(rli) + string(l.rs[first:i+1]) + string(pdi)})
		s = e
	}
	return out
}

// rtlParagraph: in the Arabic UI, text with Arabic in it; in the English
// UI, text whose first letter is Arabic. Text without Arabic is left to
// right in either UI, as labels draw it (displayText leaves it alone): an
// English name typed as "Dr. Huda (PhD)" keeps its bracket at the end, an
// email its "@" while it is typed.
func rtlParagraph(s string, rtlUI bool) bool {
	if rtlUI {
		return strings.IndexFunc(s, isRTL) >= 0
	}
	for _, r := range s {
		if isRTL(r) {
			return true
		}
		if unicode.IsLetter(r) {
			return false
		}
	}
	return false
}

// rtlEntry is the single-line text field (see the top of this file).
type rtlEntry struct {
	widget.DisableableWidget

	Text        string // logical
	PlaceHolder string // logical
	OnChanged   func(string)
	OnSubmitted func(string)

	rtlUI   bool
	outer   fyne.Widget
	cursor  int // logical position, in runes
	anchor  int // the other end of the selection; == cursor when none
	focused bool
	shift   bool
	dragged bool
	offset  float32 // horizontal scroll of the text, in content coordinates

	undo, redo []entryState

	line *bidiLine
	// per visual caret boundary, x in the text's own coordinates (0 = left edge)
	xs      []float32
	pieces  []entryPiece
	pieceXs []float32
	width   float32
}

func newRTLEntry(rtlUI bool) *rtlEntry {
	e := &rtlEntry{rtlUI: rtlUI}
	e.ExtendBaseWidget(e)
	return e
}

// entryState is what Undo goes back to.
type entryState struct {
	text   string
	cursor int
}

// SetText replaces the text; the caret stays where it was, as in Fyne's
// Entry (at the start in a new field, which then shows the text's start),
// and what was typed before cannot be undone.
func (e *rtlEntry) SetText(s string) {
	e.undo, e.redo = nil, nil
	e.setText(s, min(e.cursor, len([]rune(s))))
}

func (e *rtlEntry) setText(s string, cursor int) {
	changed := s != e.Text
	e.Text = s
	e.cursor, e.anchor = cursor, cursor
	e.Refresh()
	if changed && e.OnChanged != nil {
		e.OnChanged(s)
	}
}

// CursorPosition is the caret's logical position, in runes.
func (e *rtlEntry) CursorPosition() int { return e.cursor }

// SetCursor puts the caret at logical position i and drops the selection.
func (e *rtlEntry) SetCursor(i int) {
	e.cursor = max(0, min(i, len([]rune(e.Text))))
	e.anchor = e.cursor
	e.Refresh()
}

// Selection is the selected logical range [from, to) in runes.
func (e *rtlEntry) Selection() (from, to int) {
	return min(e.cursor, e.anchor), max(e.cursor, e.anchor)
}

// SelectedText is the selected text, logical.
func (e *rtlEntry) SelectedText() string {
	a, b := e.Selection()
	return string([]rune(e.Text)[a:b])
}

func (e *rtlEntry) rtl() bool { return rtlParagraph(e.Text, e.rtlUI) }

// alignRight: in the Arabic UI (whose forms and columns are mirrored), and
// for a right-to-left paragraph in the English one.
func (e *rtlEntry) alignRight() bool { return e.rtlUI || e.rtl() }

// layoutLine measures the line: where each piece and each caret boundary is.
func (e *rtlEntry) layoutLine() {
	if e.line != nil && string(e.line.rs) == e.Text && e.line.rtl == e.rtl() && e.xs != nil {
		return
	}
	m := measureLine([]rune(e.Text), e.rtl())
	e.line, e.pieces, e.xs, e.pieceXs, e.width = m.line, m.pieces, m.xs, m.pieceXs, m.width
}

// measuredLine is one line of text laid out for drawing: its visual order,
// the pieces Fyne draws, where each piece starts and where each caret
// boundary is (x from the line's left edge). The single-line entry and the
// multi-line area (rtlarea.go) both draw lines so.
type measuredLine struct {
	line    *bidiLine
	pieces  []entryPiece
	pieceXs []float32
	xs      []float32 // per visual caret boundary
	width   float32
}

// measureLine lays out rs (one line, logical order) in a paragraph of the
// given direction.
func measureLine(rs []rune, rtl bool) measuredLine {
	m := measuredLine{line: newBidiLine(rs, rtl)}
	m.pieces = m.line.pieces()
	size := theme.TextSize()
	style := fyne.TextStyle{}
	n := len(rs)
	m.xs = make([]float32, n+1)
	m.pieceXs = make([]float32, len(m.pieces))
	x := float32(0)
	for k, p := range m.pieces {
		m.pieceXs[k] = x
		w := fyne.MeasureText(p.text, size, style).Width
		m.xs[p.from] = x
		for b := p.from + 1; b < p.to; b++ {
			if p.rtl { // the characters right of b are the logical start of the piece
				first := m.line.order[p.to-1]
				// The prefix ends in a joiner so that its last letter
				// takes the form it has inside the word.
				prefix := string(rs[first:m.line.order[b]+1]) + "\u200d"
				m.xs[b] = x + w - fyne.MeasureText(prefix, size, style).Width
			} else {
				m.xs[b] = x + fyne.MeasureText(string(rs[m.line.order[p.from]:m.line.order[b]]), size, style).Width
			}
		}
		x += w
		// Shaping can make a prefix measure wider than a longer one;
		// keep the caret stops in order on the screen.
		for b := p.from + 1; b < p.to; b++ {
			m.xs[b] = max(m.xs[b], m.xs[b-1]+0.01)
		}
		for b := p.to - 1; b > p.from; b-- {
			m.xs[b] = min(m.xs[b], x-0.01*float32(p.to-b))
		}
	}
	m.xs[n] = x
	m.width = x
	return m
}

// drawnWidth is how wide rs is drawn (measureLine's width, without placing
// the caret stops): what wrapping asks of each candidate line.
func drawnWidth(rs []rune, rtl bool) float32 {
	w := float32(0)
	for _, p := range bidiOrder(rs, rtl).pieces() {
		w += fyne.MeasureText(p.text, theme.TextSize(), fyne.TextStyle{}).Width
	}
	return w
}

// caretX is the caret's x in the text's own coordinates.
func (e *rtlEntry) caretX() float32 {
	e.layoutLine()
	return e.xs[e.line.visualBoundary(e.cursor)]
}

// Drawn is the text as drawn: each piece's string, left to right.
func (e *rtlEntry) drawn() []string {
	e.layoutLine()
	out := make([]string, len(e.pieces))
	for i, p := range e.pieces {
		out[i] = p.text
	}
	return out
}

func (e *rtlEntry) edit(f func(rs []rune, a, b int) ([]rune, int)) {
	rs := []rune(e.Text)
	a, b := e.Selection()
	rs, cur := f(rs, a, b)
	if string(rs) != e.Text {
		e.undo = append(e.undo, entryState{e.Text, e.cursor})
		e.redo = nil
	}
	e.setText(string(rs), cur)
}

func (e *rtlEntry) insert(s string) {
	ins := []rune(s)
	e.edit(func(rs []rune, a, b int) ([]rune, int) {
		out := append(append(append([]rune{}, rs[:a]...), ins...), rs[b:]...)
		return out, a + len(ins)
	})
}

// TypedRune inserts r at the caret, replacing the selection.
func (e *rtlEntry) TypedRune(r rune) {
	if e.Disabled() || r == '\n' || r == '\r' {
		return
	}
	e.insert(string(r))
}

// TypedKey moves the caret and deletes.
func (e *rtlEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.Disabled() {
		return
	}
	n := len([]rune(e.Text))
	e.layoutLine()
	moveTo := func(i int) {
		e.cursor = i
		if !e.shift {
			e.anchor = i
		}
		e.Refresh()
	}
	a, b := e.Selection()
	switch ev.Name {
	case fyne.KeyLeft, fyne.KeyRight:
		left := ev.Name == fyne.KeyLeft
		if !e.shift && a != b {
			// Collapse the selection to its end on that side of the screen.
			xa, xb := e.xs[e.line.visualBoundary(a)], e.xs[e.line.visualBoundary(b)]
			if (xa < xb) == left {
				moveTo(a)
			} else {
				moveTo(b)
			}
			return
		}
		moveTo(e.line.move(e.cursor, left))
	case fyne.KeyHome:
		moveTo(0)
	case fyne.KeyEnd:
		moveTo(n)
	case fyne.KeyBackspace:
		e.edit(func(rs []rune, a, b int) ([]rune, int) {
			if a == b {
				if a == 0 {
					return rs, 0
				}
				a--
			}
			return append(append([]rune{}, rs[:a]...), rs[b:]...), a
		})
	case fyne.KeyDelete:
		e.edit(func(rs []rune, a, b int) ([]rune, int) {
			if a == b {
				if b == len(rs) {
					return rs, a
				}
				b++
			}
			return append(append([]rune{}, rs[:a]...), rs[b:]...), a
		})
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.OnSubmitted != nil {
			e.OnSubmitted(e.Text)
		}
	}
}

// KeyDown and KeyUp follow Shift, which makes the arrows select.
func (e *rtlEntry) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = true
	}
}

func (e *rtlEntry) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = false
	}
}

// TypedShortcut: select all, copy, cut, paste.
func (e *rtlEntry) TypedShortcut(s fyne.Shortcut) {
	clip := func() fyne.Clipboard {
		if a := fyne.CurrentApp(); a != nil {
			return a.Clipboard()
		}
		return nil
	}
	switch s.(type) {
	case *fyne.ShortcutSelectAll:
		e.anchor, e.cursor = 0, len([]rune(e.Text))
		e.Refresh()
	case *fyne.ShortcutCopy:
		if c := clip(); c != nil && e.SelectedText() != "" {
			c.SetContent(e.SelectedText())
		}
	case *fyne.ShortcutCut:
		if c := clip(); c != nil && !e.Disabled() && e.SelectedText() != "" {
			c.SetContent(e.SelectedText())
			e.insert("")
		}
	case *fyne.ShortcutUndo:
		if n := len(e.undo); n > 0 && !e.Disabled() {
			e.redo = append(e.redo, entryState{e.Text, e.cursor})
			st := e.undo[n-1]
			e.undo = e.undo[:n-1]
			e.setText(st.text, st.cursor)
		}
	case *fyne.ShortcutRedo:
		if n := len(e.redo); n > 0 && !e.Disabled() {
			e.undo = append(e.undo, entryState{e.Text, e.cursor})
			st := e.redo[n-1]
			e.redo = e.redo[:n-1]
			e.setText(st.text, st.cursor)
		}
	case *fyne.ShortcutPaste:
		if c := clip(); c != nil && !e.Disabled() {
			txt := []rune(c.Content())
			for i, r := range txt {
				if r == '\n' || r == '\r' || r == '\t' {
					txt[i] = ' '
				}
			}
			e.insert(string(txt))
		}
	}
}

func (e *rtlEntry) FocusGained() {
	e.focused = true
	e.Refresh()
}

func (e *rtlEntry) FocusLost() {
	e.focused = false
	e.shift = false
	e.Refresh()
}

func (e *rtlEntry) requestFocus() {
	if e.Disabled() {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && c.Focused() != e.focusTarget() {
		c.Focus(e.focusTarget())
	}
}

// focusTarget is the widget the canvas knows: the entry that extends this one.
func (e *rtlEntry) focusTarget() fyne.Focusable {
	if f, ok := e.super().(fyne.Focusable); ok {
		return f
	}
	return e
}

func (e *rtlEntry) super() fyne.Widget {
	if e.outer != nil {
		return e.outer
	}
	return e
}

// ExtendBaseWidget records the widget that extends this one (the first
// call wins, as in BaseWidget).
func (e *rtlEntry) ExtendBaseWidget(w fyne.Widget) {
	if e.outer == nil {
		e.outer = w
	}
	e.DisableableWidget.ExtendBaseWidget(w)
}

// Tapped puts the caret at the boundary nearest the tap.
func (e *rtlEntry) Tapped(ev *fyne.PointEvent) {
	e.requestFocus()
	if e.Disabled() {
		return
	}
	e.cursor = e.boundaryAt(ev.Position.X)
	if !e.shift {
		e.anchor = e.cursor
	}
	e.Refresh()
}

// DoubleTapped selects the word tapped (up to the spaces around it).
func (e *rtlEntry) DoubleTapped(ev *fyne.PointEvent) {
	if e.Disabled() {
		return
	}
	rs := []rune(e.Text)
	i := e.boundaryAt(ev.Position.X)
	a, b := i, i
	for a > 0 && !unicode.IsSpace(rs[a-1]) {
		a--
	}
	for b < len(rs) && !unicode.IsSpace(rs[b]) {
		b++
	}
	e.anchor, e.cursor = a, b
	e.Refresh()
}

// TappedSecondary shows Cut, Copy, Paste and Select all, in Fyne's words
// (translated, see fyneLanguage).
func (e *rtlEntry) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(e.super())
	if c == nil {
		return
	}
	e.requestFocus()
	do := func(s fyne.Shortcut) func() {
		return func() { e.super().(fyne.Shortcutable).TypedShortcut(s) }
	}
	var items []*fyne.MenuItem
	if !e.Disabled() {
		items = append(items, fyne.NewMenuItem(lang.L("Cut"), do(&fyne.ShortcutCut{})))
	}
	items = append(items, fyne.NewMenuItem(lang.L("Copy"), do(&fyne.ShortcutCopy{})))
	if !e.Disabled() {
		items = append(items, fyne.NewMenuItem(lang.L("Paste"), do(&fyne.ShortcutPaste{})))
	}
	items = append(items, fyne.NewMenuItem(lang.L("Select all"), do(&fyne.ShortcutSelectAll{})))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, ev.AbsolutePosition)
}

// Dragged selects from where the drag started.
func (e *rtlEntry) Dragged(ev *fyne.DragEvent) {
	if e.Disabled() {
		return
	}
	if !e.dragged {
		e.requestFocus()
		e.dragged = true
		e.anchor = e.boundaryAt(ev.Position.X - ev.Dragged.DX)
	}
	e.cursor = e.boundaryAt(ev.Position.X)
	e.Refresh()
}

func (e *rtlEntry) DragEnd() { e.dragged = false }

func (e *rtlEntry) Cursor() desktop.Cursor { return desktop.TextCursor }

// textLeft is where the text's x = 0 is, in the widget's coordinates.
func (e *rtlEntry) textLeft() float32 {
	e.layoutLine()
	pad := theme.InnerPadding()
	avail := e.Size().Width - 2*pad
	if e.width <= avail {
		if e.alignRight() {
			return pad + avail - e.width
		}
		return pad
	}
	return pad - e.offset
}

// boundaryAt is the logical position of the caret boundary nearest x (in
// the widget's coordinates).
func (e *rtlEntry) boundaryAt(x float32) int {
	e.layoutLine()
	if len(e.line.rs) == 0 {
		return 0
	}
	x -= e.textLeft()
	best := 0
	for b := range e.xs {
		if abs32(e.xs[b]-x) < abs32(e.xs[best]-x) {
			best = b
		}
	}
	return e.line.toLog[best]
}

func abs32(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

// scrollToCaret keeps the caret in view when the text is wider than the field.
func (e *rtlEntry) scrollToCaret() {
	e.layoutLine()
	avail := e.Size().Width - 2*theme.InnerPadding()
	if e.width <= avail || avail <= 0 {
		e.offset = 0
		return
	}
	cx := e.caretX()
	if cx < e.offset {
		e.offset = cx
	}
	if cx > e.offset+avail {
		e.offset = cx - avail
	}
	e.offset = max(0, min(e.offset, e.width-avail))
}

func (e *rtlEntry) MinSize() fyne.Size {
	e.ExtendBaseWidget(e)
	return e.BaseWidget.MinSize()
}

func (e *rtlEntry) CreateRenderer() fyne.WidgetRenderer {
	e.ExtendBaseWidget(e)
	th := e.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	// The text scrolls sideways when it is wider than the field, as in
	// Fyne's Entry; the scroll also clips it.
	r := &rtlEntryRenderer{e: e, fieldParts: newFieldParts(th, v, container.NewHScroll)}
	r.scroll.OnScrolled = func(p fyne.Position) { e.offset = p.X }
	// The height and width Fyne's own single-line entry asks for.
	tmpl := widget.NewEntry()
	tmpl.PlaceHolder = e.PlaceHolder
	r.min = tmpl.MinSize()
	r.Refresh()
	return r
}

// fieldParts are what the app's single-line field (rtlEntry) and its
// multi-line one (rtlArea) draw alike: the box and its border, the caret,
// the placeholder, and the pieces of text (and selection) laid out in a
// content that scrolls, sideways for one line, down for several.
type fieldParts struct {
	box, border *canvas.Rectangle
	caret       *canvas.Rectangle
	placeholder *canvas.Text
	texts       []*canvas.Text
	selection   []*canvas.Rectangle
	content     *fyne.Container
	area        *spanLayout
	scroll      *container.Scroll
	min         fyne.Size
}

func newFieldParts(th fyne.Theme, v fyne.ThemeVariant, scroller func(fyne.CanvasObject) *container.Scroll) fieldParts {
	var f fieldParts
	f.box = canvas.NewRectangle(th.Color(theme.ColorNameInputBackground, v))
	f.box.CornerRadius = th.Size(theme.SizeNameInputRadius)
	f.border = canvas.NewRectangle(color.Transparent)
	f.border.CornerRadius = th.Size(theme.SizeNameInputRadius)
	f.caret = canvas.NewRectangle(th.Color(theme.ColorNamePrimary, v))
	f.placeholder = canvas.NewText("", th.Color(theme.ColorNamePlaceHolder, v))
	f.area = &spanLayout{}
	f.content = container.New(f.area)
	f.scroll = scroller(f.content)
	return f
}

func (f *fieldParts) Destroy() {}

func (f *fieldParts) MinSize() fyne.Size { return f.min }

func (f *fieldParts) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{f.box, f.border, f.scroll}
}

// frame lays the box, the border and the scroll out in size.
func (f *fieldParts) frame(size fyne.Size) {
	bs := theme.InputBorderSize()
	f.border.Resize(fyne.NewSize(size.Width-bs-.5, size.Height-bs-.5))
	f.border.StrokeWidth = bs
	f.border.Move(fyne.NewSquareOffsetPos(bs / 2))
	f.box.Resize(size.Subtract(fyne.NewSquareSize(bs * 2)))
	f.box.Move(fyne.NewSquareOffsetPos(bs))
	f.scroll.Move(fyne.NewPos(0, bs))
	f.scroll.Resize(fyne.NewSize(size.Width, size.Height-2*bs))
}

// stack puts the parts in the content in drawing order: the selection
// under the placeholder and the text, the caret on top.
func (f *fieldParts) stack(placeholder color.Color) {
	f.placeholder.Color = placeholder
	f.placeholder.TextSize = theme.TextSize()
	objs := make([]fyne.CanvasObject, 0, len(f.selection)+len(f.texts)+2)
	for _, s := range f.selection {
		objs = append(objs, s)
	}
	objs = append(objs, f.placeholder)
	for _, t := range f.texts {
		objs = append(objs, t)
	}
	f.content.Objects = append(objs, f.caret)
}

// refreshAll redraws the field w and its parts.
func (f *fieldParts) refreshAll(w fyne.CanvasObject) {
	canvas.Refresh(w)
	f.box.Refresh()
	f.border.Refresh()
	f.content.Refresh()
}

type rtlEntryRenderer struct {
	e *rtlEntry
	fieldParts
}

func (r *rtlEntryRenderer) Layout(size fyne.Size) {
	r.frame(size)
	r.place()
}

// place positions the text pieces, the selection, the caret and the
// placeholder in the scroll's coordinates.
func (r *rtlEntryRenderer) place() {
	e := r.e
	e.scrollToCaret()
	h := r.scroll.Size().Height
	// The content spans the field, or the text and its padding when wider;
	// left is the text's origin in the content's coordinates.
	pad := theme.InnerPadding()
	scrollX := float32(0)
	if e.width > r.scroll.Size().Width-2*pad {
		scrollX = e.offset
	}
	left := e.textLeft() + scrollX
	r.area.min = fyne.NewSize(max(r.scroll.Size().Width, e.width+2*pad), h)
	r.content.Resize(r.area.min)
	r.scroll.Offset = fyne.NewPos(scrollX, 0)
	size := theme.TextSize()
	th := fyne.MeasureText("M", size, fyne.TextStyle{}).Height
	y := (h - th) / 2
	for i, t := range r.texts {
		t.Move(fyne.NewPos(left+e.pieceXs[i], y))
		t.Resize(t.MinSize())
	}
	a, b := e.Selection()
	k := 0
	if a != b {
		// One rectangle per stretch of selected characters on the screen.
		for s := 0; s < len(e.line.rs); {
			if i := e.line.order[s]; i < a || i >= b {
				s++
				continue
			}
			t := s
			for t < len(e.line.rs) && e.line.order[t] >= a && e.line.order[t] < b {
				t++
			}
			rect := r.selection[k]
			x0, x1 := e.xs[s], e.xs[t]
			// xs of a boundary inside a piece is measured; use the slots' edges
			rect.Move(fyne.NewPos(left+min(x0, x1), y))
			rect.Resize(fyne.NewSize(abs32(x1-x0), th))
			rect.Show()
			k++
			s = t
		}
	}
	for ; k < len(r.selection); k++ {
		r.selection[k].Hide()
	}
	cw := theme.InputBorderSize()
	r.caret.Move(fyne.NewPos(left+e.caretX()-cw/2, y))
	r.caret.Resize(fyne.NewSize(cw, th))
	r.caret.Hidden = !e.focused || e.Disabled()
	r.placeholder.Text = displayText(fitWords(e.PlaceHolder, r.scroll.Size().Width-2*pad, e.rtlUI), e.rtlUI)
	pw := r.placeholder.MinSize().Width
	px := pad
	if e.rtlUI {
		px = r.scroll.Size().Width - pad - pw
	}
	r.placeholder.Move(fyne.NewPos(px, y))
	r.placeholder.Resize(r.placeholder.MinSize())
	r.placeholder.Hidden = e.Text != ""
	r.scroll.Refresh()
}

// fitWords is s cut at a word, with an ellipsis, to fit width w (the
// placeholder, which the field shows whole when it can).
func fitWords(s string, w float32, rtl bool) string {
	fits := func(t string) bool {
		return w <= 0 || fyne.MeasureText(displayText(t, rtl), theme.TextSize(), fyne.TextStyle{}).Width <= w
	}
	if fits(s) {
		return s
	}
	words := strings.Fields(s)
	for n := len(words) - 1; n > 0; n-- {
		if t := strings.Join(words[:n], " ") + "…"; fits(t) {
			return t
		}
	}
	return ""
}

// spanLayout gives the scrolled content its size; the renderer places
// what is in it.
type spanLayout struct{ min fyne.Size }

func (l *spanLayout) Layout([]fyne.CanvasObject, fyne.Size) {}
func (l *spanLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.min }

func (r *rtlEntryRenderer) Refresh() {
	e := r.e
	th := e.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	e.cursor = max(0, min(e.cursor, len([]rune(e.Text))))
	e.anchor = max(0, min(e.anchor, len([]rune(e.Text))))
	e.layoutLine()

	r.box.FillColor = th.Color(theme.ColorNameInputBackground, v)
	switch {
	case e.focused && !e.Disabled():
		r.border.StrokeColor = th.Color(theme.ColorNamePrimary, v)
	default:
		r.border.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	}
	fg := th.Color(theme.ColorNameForeground, v)
	if e.Disabled() {
		fg = th.Color(theme.ColorNameDisabled, v)
	}
	for len(r.texts) < len(e.pieces) {
		r.texts = append(r.texts, canvas.NewText("", fg))
	}
	r.texts = r.texts[:len(e.pieces)]
	for i, p := range e.pieces {
		r.texts[i].Text = p.text
		r.texts[i].Color = fg
		r.texts[i].TextSize = theme.TextSize()
	}
	a, b := e.Selection()
	need := 0
	if a != b {
		need = len(e.line.rs) // at most one per character
	}
	for len(r.selection) < need {
		r.selection = append(r.selection, canvas.NewRectangle(th.Color(theme.ColorNameSelection, v)))
	}
	r.stack(th.Color(theme.ColorNamePlaceHolder, v))
	r.place()
	r.refreshAll(e.super())
}

// sortedTexts is the drawn pieces left to right (for tests).
func (r *rtlEntryRenderer) sortedTexts() []*canvas.Text {
	out := append([]*canvas.Text{}, r.texts...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position().X < out[j].Position().X })
	return out
}
