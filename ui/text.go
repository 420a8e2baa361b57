package ui

// Right-to-left text in Fyne 2.7.
//
// Fyne draws text with go-text: it splits a line into runs (by bidi
// direction, script and font), shapes each run (so Arabic letters join and
// a right-to-left run reads from the right) and places the runs from left
// to right in the order they come in the string. What it does not do is
// the last step of the bidi algorithm (UAX #9 rule L2): putting the runs
// themselves in visual order. A line that is one run (an Arabic name, an
// Arabic sentence without digits or punctuation) is drawn right; a line
// that mixes runs is not: in "الحضور 12 من 30" the number runs and the
// Arabic runs come out in logical order, left to right, and the colon of
// "الحضور:" sits on the wrong side of its word because it comes from
// another font than the letters and so is a run of its own. Passing the
// output of arabic.Display (shaped and fully reordered, what fpdf needs)
// is worse: Fyne reverses its Arabic runs a second time
// (docs/fyne-bidi-check.png).
//
// displayText does the missing step. It resolves the line's levels with
// go-text's bidi package (the one Fyne uses), puts the runs in visual
// order, keeps the characters of each run in logical order (Fyne shapes
// them), and cuts right-to-left runs between Arabic words and other
// characters (punctuation from the Latin font), reversing those pieces.
// Each piece is wrapped in a directional isolate (RLI or LRI … PDI), so that
// Fyne's own bidi pass sees exactly these runs with these directions and
// places them, left to right, in the order given. The isolates are
// invisible (default-ignorable, zero width). TestDisplayTextOrder replays
// Fyne's segmentation on the result and checks it against arabic.VisualDir.
//
// Lines are reordered one by one, so a label that wraps has to be broken
// into lines first: label does that for wrapping labels.
//
// Entries keep logical text (what is stored); only display-only text goes
// through here. The app's text fields (rtlentry.go) cut and order their
// text by the same rules, piece by piece, to place a caret in it.

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/bidi"
)

const (
	lrm = '\u200E'
	rlm = '\u200F'
	lri = '\u2066'
	rli = '\u2067'
	pdi = '\u2069'
)

// displayText prepares display-only text for a Fyne label: text in a
// right-to-left paragraph when rtl (the Arabic UI), else in a left-to-right
// one. Text that Fyne draws right as it is comes back unchanged.
func displayText(s string, rtl bool) string {
	if !needsBidi(s) {
		return s
	}
	var b strings.Builder
	start := 0
	for i, r := range s {
		if r == '\n' {
			b.WriteString(displayLine(s[start:i], rtl))
			b.WriteByte('\n')
			start = i + 1
		}
	}
	b.WriteString(displayLine(s[start:], rtl))
	return b.String()
}

// needsBidi reports whether s has right-to-left text next to something Fyne
// would put in another run: only then can the order come out wrong.
func needsBidi(s string) bool {
	hasRTL, hasOther := false, false
	for _, r := range s {
		switch {
		case r < 0x0590:
			if r != ' ' && r != '\n' {
				hasOther = true
			}
		case isRTL(r):
			hasRTL = true
		default:
			hasOther = true
		}
	}
	return hasRTL && hasOther
}

// isRTL reports strong right-to-left letters (and Arabic marks).
func isRTL(r rune) bool {
	switch {
	case r == rlm: // the mark is a strong right-to-left character (an ellipsis ending an Arabic cell)
		return true
	case r >= 0x0660 && r <= 0x0669, r >= 0x06F0 && r <= 0x06F9:
		return false // Arabic-Indic digits: numbers
	case r >= 0x0590 && r <= 0x08FF, r >= 0xFB1D && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
		return true
	}
	return false
}

// isExplicitControl reports the bidi embeddings, overrides and isolates,
// which are dropped from the input: the output sets its own.
func isExplicitControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// piece is a run of text to be drawn in one direction.
type piece struct {
	text string
	rtl  bool
}

func displayLine(line string, rtl bool) string {
	line = strings.Map(func(r rune) rune {
		if isExplicitControl(r) {
			return -1
		}
		return r
	}, line)
	var pieces []piece
	if rtl {
		pieces = rtlPieces(line)
	} else {
		pieces = ltrPieces(line)
	}
	var b strings.Builder
	b.Grow(len(line) + 8*len(pieces))
	b.WriteRune(lrm) // Fyne's paragraph is left to right, whatever comes first
	for _, p := range pieces {
		if p.text == " " {
			b.WriteByte(' ')
			continue
		}
		if p.rtl {
			b.WriteRune(rli)
		} else {
			b.WriteRune(lri)
		}
		b.WriteString(p.text)
		b.WriteRune(pdi)
	}
	return b.String()
}

// rtlPieces is a line of a right-to-left paragraph as pieces in visual
// order, left to right.
func rtlPieces(line string) []piece {
	rs := append([]rune{rlm}, []rune(line)...) // forces a right-to-left paragraph
	var p bidi.Paragraph
	runs := p.Segment(numbersWhole(rs), bidi.RightToLeft)
	// In a right-to-left paragraph (without embeddings) levels are 1 and 2,
	// and go-text cuts runs where the direction changes, so each run has one
	// level; rule L2 then just reverses the order of the runs.
	var out []piece
	for i := runs.NumRuns() - 1; i >= 0; i-- {
		run := runs.Run(i)
		text := rs[max(run.Start, 1):run.End]
		if len(text) == 0 {
			continue
		}
		if run.IsLeftToRight() {
			out = append(out, ltrRun(text)...)
			continue
		}
		out = append(out, rtlRun(text)...)
	}
	return out
}

// numbersWhole returns a copy of rs for the bidi analysis in which the
// plus of a phone number (+968…) and the hyphens of a date (2026-11-29)
// read as digits, so that each stays one left-to-right number. By the bidi
// algorithm alone, after Arabic letters the plus would go to the number's
// right and a date's parts would come out in reverse order.
func numbersWhole(rs []rune) []rune {
	out := append([]rune(nil), rs...)
	digit := func(i int) bool { return i >= 0 && i < len(rs) && rs[i] >= '0' && rs[i] <= '9' }
	for i, r := range rs {
		switch {
		case r == '+' && digit(i+1) && !digit(i-1):
			out[i] = '0'
		case r == '-' && digit(i-1) && digit(i+1):
			out[i] = '0'
		}
	}
	return out
}

// ltrPieces is a line of a left-to-right paragraph as pieces: left-to-right
// text stays where it is, and each stretch of right-to-left text (from its
// first right-to-left letter to its last, with the numbers after it) is
// laid out as a right-to-left line of its own.
func ltrPieces(line string) []piece {
	rs := []rune(line)
	var out []piece
	flushLTR := func(t []rune) { out = append(out, ltrRun(t)...) }
	i := 0
	for i < len(rs) {
		// Left-to-right text up to the next right-to-left letter.
		j := i
		for j < len(rs) && !isRTL(rs[j]) {
			j++
		}
		flushLTR(rs[i:j])
		if j == len(rs) {
			break
		}
		// The right-to-left stretch ends before the next strong
		// left-to-right letter, without the neutrals that precede it.
		k := j
		end := j
		for k < len(rs) && !isStrongLTR(rs[k]) {
			if isRTL(rs[k]) || unicode.IsDigit(rs[k]) {
				end = k + 1
			}
			k++
		}
		out = append(out, rtlPieces(string(rs[j:end]))...)
		i = end
	}
	return out
}

func isStrongLTR(r rune) bool {
	return r == lrm || (unicode.IsLetter(r) && !isRTL(r))
}

// rtlRun cuts a right-to-left run into pieces that Fyne draws as one run
// each, in visual order: Arabic words (letters, marks, tatweel), and every
// other character on its own (punctuation, which may come from another
// font than the letters). Spaces are pieces of their own too, drawn outside
// any isolate: inside one, the bidi algorithm would move a space at the
// isolate's end to the other side (rule L1).
func rtlRun(text []rune) []piece {
	var pieces []piece
	var word []rune
	flush := func() {
		if len(word) > 0 {
			pieces = append(pieces, piece{string(word), true})
			word = nil
		}
	}
	for _, r := range text {
		switch {
		case isWordRune(r):
			word = append(word, r)
		case r == ' ':
			flush()
			pieces = append(pieces, piece{" ", false})
		default:
			flush()
			pieces = append(pieces, piece{string(r), true})
		}
	}
	flush()
	for a, z := 0, len(pieces)-1; a < z; a, z = a+1, z-1 {
		pieces[a], pieces[z] = pieces[z], pieces[a]
	}
	return pieces
}

// isWordRune reports the characters of an Arabic word, which Fyne shapes
// together: letters, marks (tashkeel), tatweel, and the invisible marks.
func isWordRune(r rune) bool {
	return isRTL(r) && unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == 0x0640 ||
		r == lrm || r == rlm || r == 0x200C || r == 0x200D
}

// ltrRun is a left-to-right run as pieces, with the spaces at its ends
// outside the isolate.
func ltrRun(text []rune) []piece {
	i, j := 0, len(text)
	for i < j && text[i] == ' ' {
		i++
	}
	for j > i && text[j-1] == ' ' {
		j--
	}
	var out []piece
	for range i {
		out = append(out, piece{" ", false})
	}
	if i < j {
		out = append(out, piece{string(text[i:j]), false})
	}
	for range len(text) - j {
		out = append(out, piece{" ", false})
	}
	return out
}

// label is a widget.Label that takes logical text and shows it in visual
// order for the UI's direction (see displayText). A wrapping label breaks
// its lines itself, before reordering each, since a reordered paragraph
// would wrap from the wrong end.
type label struct {
	widget.Label
	rtl      bool
	logical  string
	width    float32 // the width the lines were broken (or the text cut) for
	ellipsis bool    // one line, cut with an ellipsis to fit (cells.go)
}

func newLabel(text string, rtl bool) *label {
	l := &label{rtl: rtl}
	l.ExtendBaseWidget(l)
	l.Alignment = fyne.TextAlignLeading
	if rtl {
		l.Alignment = fyne.TextAlignTrailing
	}
	l.SetText(text)
	return l
}

// SetText shows text (logical order).
func (l *label) SetText(text string) {
	l.logical = text
	l.width = 0
	l.Label.SetText(l.layoutText(l.Size().Width))
}

// set shows msg, or hides the label when msg is empty (field errors).
func (l *label) set(msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// Logical is the text as it was given.
func (l *label) Logical() string { return l.logical }

func (l *label) Resize(size fyne.Size) {
	if l.ellipsis && size.Width != l.width && size.Width > 0 {
		l.width = size.Width
		l.Label.Text = l.layoutText(size.Width)
		l.Label.Resize(size)
		l.Label.Refresh()
		return
	}
	if l.Wrapping != fyne.TextWrapOff && needsBidi(l.logical) && size.Width != l.width && size.Width > 0 {
		l.Label.Text = l.layoutText(size.Width)
		l.width = size.Width
		l.Label.Resize(size)
		l.Label.Refresh()
		return
	}
	l.Label.Resize(size)
}

// layoutText is the text to draw at width w: broken into lines first when
// the label wraps.
func (l *label) layoutText(w float32) string {
	if l.ellipsis {
		if w <= 0 {
			return displayText(l.logical, l.rtl)
		}
		return displayText(l.fitText(w), l.rtl)
	}
	if l.Wrapping == fyne.TextWrapOff || w <= 0 || !needsBidi(l.logical) {
		return displayText(l.logical, l.rtl)
	}
	avail := w - 2*theme.InnerPadding()
	size := theme.TextSize()
	if l.SizeName != "" {
		size = theme.Size(l.SizeName)
	}
	var lines []string
	for _, para := range strings.Split(l.logical, "\n") {
		lines = append(lines, breakLines(para, avail, size, l.TextStyle)...)
	}
	for i := range lines {
		lines[i] = displayText(lines[i], l.rtl)
	}
	return strings.Join(lines, "\n")
}

// breakLines wraps a paragraph (logical order) at spaces to width w.
func breakLines(para string, w, size float32, style fyne.TextStyle) []string {
	words := strings.Fields(para)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	cur := words[0]
	for _, word := range words[1:] {
		try := cur + " " + word
		if fyne.MeasureText(try, size, style).Width > w {
			lines = append(lines, cur)
			cur = word
			continue
		}
		cur = try
	}
	return append(lines, cur)
}

// text is s ready for display in the UI's direction, for widgets other than
// labels (buttons, chart text, drop-down options).
func (u *UI) text(s string) string { return displayText(s, u.lang.RTL()) }
