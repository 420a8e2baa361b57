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
// go-text's bidi package (the one Fyne uses, through arabic.Levels), puts
// the runs in visual order, keeps the characters of each run in logical
// order (Fyne shapes them), and cuts right-to-left runs between Arabic
// words and other characters (punctuation from the Latin font), reversing
// those pieces. Isolates in the text (a message's placeholders) are
// honoured, as arabic.VisualDir honours them.
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
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
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
		return dropIsolates(s) // one direction: the placeholders' isolates change nothing
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

// displayLine is one line as pieces in visual order, each in its isolate
// (spaces outside any), after a left-to-right mark that makes Fyne's own
// paragraph left to right. The pieces are rtlEntry's (bidiLine.pieces):
// levels from arabic.Levels, so the directional isolates and marks the
// text itself holds (a message's placeholders, see Lang.F) steer the
// order, as in arabic.VisualDir, and are then dropped from the pieces,
// which set their own.
func displayLine(line string, rtl bool) string {
	l := bidiOrder([]rune(line), rtl)
	type piece struct {
		open  rune // LRI or RLI; 0 for a space
		inner string
	}
	var ps []piece
	for _, p := range l.pieces() {
		if p.text == " " {
			ps = append(ps, piece{inner: " "})
			continue
		}
		rs := []rune(p.text)
		inner := strings.Map(func(r rune) rune {
			if isExplicitControl(r) {
				return -1
			}
			return r
		}, string(rs[1:len(rs)-1]))
		if inner == "" {
			continue
		}
		// Left-to-right pieces with only spaces between them are one
		// isolate, as they read ("Ahmed Al Balushi").
		if n := len(ps); rs[0] == lri && n >= 2 && ps[n-2].open == lri && ps[n-1].open == 0 {
			ps[n-2].inner += ps[n-1].inner + inner
			ps = ps[:n-1]
			continue
		}
		ps = append(ps, piece{rs[0], inner})
	}
	var b strings.Builder
	b.Grow(len(line) + 8*len(ps))
	b.WriteRune(lrm) // Fyne's paragraph is left to right, whatever comes first
	for _, p := range ps {
		if p.open == 0 {
			b.WriteString(p.inner)
			continue
		}
		b.WriteRune(p.open)
		b.WriteString(p.inner)
		b.WriteRune(pdi)
	}
	return b.String()
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

func isStrongLTR(r rune) bool {
	return r == lrm || (unicode.IsLetter(r) && !isRTL(r))
}

// isWordRune reports the characters of an Arabic word, which Fyne shapes
// together: letters, marks (tashkeel), tatweel, and the invisible marks.
func isWordRune(r rune) bool {
	return isRTL(r) && unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == 0x0640 ||
		r == lrm || r == rlm || r == 0x200C || r == 0x200D
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

// Logical is the text as it was given, without the isolates around its
// placeholders (format).
func (l *label) Logical() string { return dropIsolates(l.logical) }

// dropIsolates is s without directional isolates (LRI, RLI, FSI, PDI).
func dropIsolates(s string) string {
	if !strings.ContainsFunc(s, isIsolate) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isIsolate(r) {
			return -1
		}
		return r
	}, s)
}

func isIsolate(r rune) bool { return r >= 0x2066 && r <= 0x2069 }

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
		lines = append(lines, balanceIsolates(breakLines(para, avail, size, l.TextStyle))...)
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

// balanceIsolates closes, at the end of each line, the isolates still open
// there and opens them again at the start of the next, so that a
// placeholder broken over two lines stays isolated on both.
func balanceIsolates(lines []string) []string {
	var open []rune
	for i, line := range lines {
		prefix := string(open)
		for _, r := range line {
			switch {
			case r == lri || r == rli || r == 0x2068:
				open = append(open, r)
			case r == pdi && len(open) > 0:
				open = open[:len(open)-1]
			}
		}
		lines[i] = prefix + line + strings.Repeat(string(pdi), len(open))
	}
	return lines
}

// text is s ready for display in the UI's direction, for widgets other than
// labels (buttons, chart text, drop-down options).
func (u *UI) text(s string) string { return displayText(s, u.lang.RTL()) }

// Messages are templates per language (messages.go) whose placeholders
// are filled by format: each argument goes into the text inside a
// directional isolate, so that the bidi algorithm sees it as one whole run
// and the template's own words and punctuation keep their places around
// it. Numbers, codes, phones, file paths and any text without Arabic are
// left-to-right isolates (LRI); text with Arabic (a name, a title, a
// reason) is right to left in an Arabic message, and in an English one
// when its first letter is Arabic (RLI for "مريم البلوشي", LRI for
// "Maryam — مريم"), as rtlParagraph decides for entries; a path is left to
// right whatever its folders are called. So "%s: %s hours." with an Arabic name
// and 2.5 reads "مريم: 2.5 hours.", not "2.5 :مريم hours.", and the
// governorate code of "العمود %s: %s" stays inside its own quotes.

// verbRE matches a fmt verb: %, an optional [n], flags, width, precision
// and the verb letter (or a second %).
var verbRE = regexp.MustCompile(`%(\[(\d+)\])?([-+# 0]*)(\d*)(\.\d*)?([a-zA-Z%])`)

// format is fmt.Sprintf(tmpl, args...) with each argument isolated, for a
// template of the Arabic UI when rtl.
func format(rtl bool, tmpl string, args ...any) string {
	var b strings.Builder
	next := 0
	last := 0
	for _, m := range verbRE.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(tmpl[last:m[0]])
		last = m[1]
		if tmpl[m[12]:m[13]] == "%" {
			b.WriteByte('%')
			continue
		}
		i := next
		if m[4] >= 0 {
			n, _ := strconv.Atoi(tmpl[m[4]:m[5]])
			i = n - 1
		}
		next = i + 1
		verb := "%" + tmpl[m[6]:m[1]] // without the index
		if i < 0 || i >= len(args) {
			b.WriteString("%!" + tmpl[m[12]:m[13]] + "(MISSING)") // as fmt says it
			continue
		}
		b.WriteString(isolate(fmt.Sprintf(verb, args[i]), rtl))
	}
	b.WriteString(tmpl[last:])
	return b.String()
}

// isolate wraps a placeholder's text in LRI or RLI … PDI (see format): the
// direction is the one an entry gives the text (rtlParagraph), and paths
// are left to right.
func isolate(s string, rtlUI bool) string {
	open := lri
	if !looksLikePath(s) && rtlParagraph(s, rtlUI) {
		open = rli
	}
	return string(open) + s + string(pdi)
}

// looksLikePath: a file path or address, which reads left to right.
func looksLikePath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, "http")
}
