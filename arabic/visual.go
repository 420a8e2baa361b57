package arabic

import (
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-text/typesetting/bidi"
)

// Display returns s as a renderer without shaping or bidi support should draw
// it from left to right: Visual(Shape(s)). Use it for PDF text (fpdf) and
// display-only Fyne labels; never store or search its result.
func Display(s string) string {
	return Visual(Shape(s))
}

// Visual reorders each line of s from logical to visual order with the
// Unicode bidirectional algorithm (UAX #9). A line's base direction comes
// from its first strong character: Arabic first makes a right-to-left line,
// Latin first (or no strong character) a left-to-right one. Latin words and
// numbers inside Arabic keep their left-to-right order, brackets and other
// mirrored characters in right-to-left runs are mirrored ("(" drawn on the
// right of a word becomes ")"), and combining marks stay after their base
// letter. Explicit bidi controls (LRM, RLM, ALM, embeddings, overrides and
// isolates) steer the algorithm and are then removed, since a renderer
// without bidi support would draw them as boxes.
//
// As in every UAX #9 implementation, a phone number in Arabic text is split
// at its spaces (after Arabic letters, digits are Arabic numbers and the
// spaces between them right-to-left); wrap it in LRI … PDI (U+2066 …
// U+2069) to keep it whole.
//
// Lines end at paragraph separators (\n, \r, U+2029, …), which are kept;
// each line is reordered on its own. Wrap long text into lines before
// calling Visual. Invalid UTF-8 comes out as U+FFFD.
func Visual(s string) string {
	return visual(s, bidi.Neutral)
}

// VisualDir is Visual with the base direction of every line forced: rtl for
// right-to-left, as for a line in an Arabic paragraph that happens to begin
// with a Latin word or a number.
func VisualDir(s string, rtl bool) string {
	if rtl {
		return visual(s, bidi.RightToLeft)
	}
	return visual(s, bidi.LeftToRight)
}

func visual(s string, dir bidi.Direction) string {
	if dir != bidi.RightToLeft && !hasBidiRune(s) {
		return s // all left to right: nothing moves, nothing mirrors
	}
	p := paragraphs.Get().(*bidi.Paragraph)
	defer paragraphs.Put(p)
	var (
		b    strings.Builder
		line []rune
	)
	b.Grow(len(s))
	start := 0
	for i, r := range s {
		if isParagraphSeparator(r) {
			line = appendVisualLine(&b, p, line, s[start:i], dir)
			b.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	appendVisualLine(&b, p, line, s[start:], dir)
	return b.String()
}

// paragraphs recycles go-text's Paragraph, whose eight per-rune buffers are
// the bulk of Visual's allocations; a certificate run calls Visual thousands
// of times.
var paragraphs = sync.Pool{New: func() any { return new(bidi.Paragraph) }}

// hasBidiRune reports whether s holds a rune at or above U+0590, where the
// right-to-left scripts, Arabic digits and the bidi controls are, or invalid
// UTF-8. Below U+0590 every character is left-to-right or neutral, so a
// left-to-right line of them reorders to itself.
func hasBidiRune(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r >= 0x0590 { // U+FFFD for invalid UTF-8 included
					return true
				}
			}
			return false
		}
	}
	return false
}

// isParagraphSeparator reports bidi class B. go-text's Segment stops at the
// first one and silently drops the rest of the text, so lines are split here.
func isParagraphSeparator(r rune) bool {
	switch r {
	case '\n', '\r', 0x1C, 0x1D, 0x1E, 0x85, 0x2029:
		return true
	}
	return false
}

// appendVisualLine writes one line in visual order to b. buf is scratch space
// for the line's runes, returned for reuse.
func appendVisualLine(b *strings.Builder, p *bidi.Paragraph, buf []rune, line string, dir bidi.Direction) []rune {
	if line == "" {
		return buf
	}
	rs := append(buf[:0], []rune(line)...)
	runs := p.Segment(rs, dir)
	levels := runLevels(&runs, len(rs))

	// Rule L3: a combining mark goes with its base, so treat base + marks as
	// one unit; reversing units keeps each mark after its base, where a
	// left-to-right renderer expects it.
	type unit struct {
		start, end int
		level      bidi.Level
	}
	units := make([]unit, 0, len(rs))
	maxLevel, minLevel := levels[0], levels[0]
	base := -1 // index in units of the last unit that is not a bidi control
	for i, r := range rs {
		if isMark(r) && base >= 0 && units[base].level == levels[i] {
			// Controls between base and mark are dropped from the output
			// anyway: swallow them rather than let them split the cluster.
			units = units[:base+1]
			units[base].end = i + 1
			continue
		}
		if !isBidiControl(r) {
			base = len(units)
		}
		units = append(units, unit{i, i + 1, levels[i]})
		maxLevel = max(maxLevel, levels[i])
		minLevel = min(minLevel, levels[i])
	}

	// Rule L2: from the highest level down to the lowest odd level, reverse
	// every run of units at that level or higher.
	for lvl := maxLevel; lvl >= minLevel|1; lvl-- {
		for i := 0; i < len(units); {
			if units[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(units) && units[j].level >= lvl {
				j++
			}
			for a, z := i, j-1; a < z; a, z = a+1, z-1 {
				units[a], units[z] = units[z], units[a]
			}
			i = j
		}
	}

	for _, u := range units {
		for _, r := range rs[u.start:u.end] {
			if isBidiControl(r) {
				continue
			}
			if u.level%2 == 1 { // Rule L4: mirror in right-to-left runs
				r = mirror(r)
			}
			b.WriteRune(r)
		}
	}
	return rs
}

// runLevels returns the embedding level of each of the n runes segmented
// into runs.
//
// go-text's bidi package (v0.3.5) computes one level per character but
// exports only Runs, which are cut where the direction changes, not where the
// level does, and report the level of their first character. In a
// left-to-right line, the numbers that follow Arabic get level 2, so a run
// can hold levels 0 and 2 together ("Tel ٩٦٨" before an Arabic word): the
// run's level then misplaces the number. Rule L2 needs the real levels, so
// they are read from Runs' unexported levels field; if a later go-text
// renames it, runs' levels are used instead (right for right-to-left lines
// and most left-to-right ones) and TestRunLevelsExact fails, so the upgrade
// cannot go unnoticed.
func runLevels(runs *bidi.Runs, n int) []bidi.Level {
	levels := make([]bidi.Level, n)
	if levelsField != nil {
		v := reflect.ValueOf(runs).Elem().FieldByIndex(levelsField)
		if v.Len() == n {
			for i := range levels {
				levels[i] = bidi.Level(v.Index(i).Int())
			}
			return levels
		}
	}
	for i := 0; i < runs.NumRuns(); i++ {
		r := runs.Run(i)
		for j := r.Start; j < r.End && j < n; j++ {
			levels[j] = r.Level
		}
	}
	return levels
}

// levelsField locates bidi.Runs' per-character levels, or is nil.
var levelsField = func() []int {
	f, ok := reflect.TypeFor[bidi.Runs]().FieldByName("levels")
	if !ok || f.Type != reflect.TypeFor[[]bidi.Level]() {
		return nil
	}
	return f.Index
}()

func isMark(r rune) bool {
	return r >= 0x0300 && unicode.In(r, unicode.Mn, unicode.Me)
}

// isBidiControl reports the characters whose only job is to steer the bidi
// algorithm: ALM, LRM, RLM, the embeddings and overrides, and the isolates.
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// mirrorPairs lists the Bidi_Mirroring_Glyph pairs that occur in names,
// titles and dates. A renderer without bidi support draws the code point
// it is given, so Visual swaps them itself.
var mirrorPairs = map[rune]rune{
	'(': ')', ')': '(',
	'[': ']', ']': '[',
	'{': '}', '}': '{',
	'<': '>', '>': '<',
	'«': '»', '»': '«',
	'‹': '›', '›': '‹',
	'≤': '≥', '≥': '≤',
	'⁅': '⁆', '⁆': '⁅',
	'⁽': '⁾', '⁾': '⁽',
	'₍': '₎', '₎': '₍',
}

func mirror(r rune) rune {
	if m, ok := mirrorPairs[r]; ok {
		return m
	}
	return r
}

// Levels returns the bidi embedding level of each rune of one line (no
// paragraph separators) in a paragraph of the given direction, as Visual
// uses them (UAX #9 up to rule I2). Text editors need them to place a caret.
func Levels(line []rune, rtl bool) []int {
	out := make([]int, len(line))
	if len(line) == 0 {
		return out
	}
	dir := bidi.LeftToRight
	if rtl {
		dir = bidi.RightToLeft
	}
	var p bidi.Paragraph
	runs := p.Segment(line, dir)
	for i, l := range runLevels(&runs, len(line)) {
		out[i] = int(l)
	}
	return out
}
