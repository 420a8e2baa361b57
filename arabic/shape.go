package arabic

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Shape replaces Arabic letters with their contextual presentation forms
// (isolated, initial, medial or final, U+FE70–U+FEFC and, for ٱ ى and the
// Persian and Urdu letters, U+FB50–U+FBFF) and lam followed by an alef with
// the lam-alef ligatures (U+FEF5–U+FEFC), so that a renderer that draws one
// glyph per character, with no OpenType shaping, still joins the letters.
//
// Joining follows Unicode's ArabicShaping data: tashkeel and other marks are
// kept but skipped (transparent) when deciding joins; tatweel and ZWJ join on
// both sides; ZWNJ, spaces, digits and everything that is not Arabic break
// joins; right-joining letters (ا د ذ ر ز و ة أ إ آ ؤ …) join only the
// letter before them. ى is dual-joining as in Unicode, which matters only
// in the rare text that writes it inside a word.
//
// Shape keeps logical order: put the result through Visual (or use Display)
// to draw it. Text without Arabic letters comes back as is; invalid UTF-8
// comes out as U+FFFD.
func Shape(s string) string {
	if !needsShaping(s) {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/2) // presentation forms take 3 bytes, letters 2
	joinsPrev := false        // the last non-transparent rune joins towards the next one
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		jt, f := joiningOf(r)
		if jt == joinTransparent {
			b.WriteRune(r) // marks neither join nor break a join
			continue
		}
		next := nextJoining(rs, i+1)
		if r == lam && next < len(rs) {
			if lig, ok := lamAlef(rs[next]); ok {
				if joinsPrev {
					lig++ // the final form follows the isolated one
				}
				b.WriteRune(lig)
				for _, m := range rs[i+1 : next] { // marks on the lam
					b.WriteRune(m)
				}
				i = next
				joinsPrev = false // alef never joins the letter after it
				continue
			}
		}
		if f.isolated != 0 {
			// A letter joins the one before it if it is not non-joining and the
			// one before reaches forward; it joins the one after it if it is
			// dual-joining and the one after reaches back.
			joinBefore := joinsPrev && jt != joinNone
			joinAfter := false
			if jt == joinDual && next < len(rs) {
				njt, _ := joiningOf(rs[next])
				joinAfter = njt == joinDual || njt == joinRight || njt == joinCausing
			}
			switch {
			case joinBefore && joinAfter:
				r = f.medial
			case joinBefore:
				r = f.final
			case joinAfter:
				r = f.initial
			default:
				r = f.isolated
			}
		}
		b.WriteRune(r)
		joinsPrev = jt == joinDual || jt == joinCausing
	}
	return b.String()
}

// needsShaping reports whether s holds a rune that Shape changes.
func needsShaping(s string) bool {
	for _, r := range s {
		if r >= formsFirst && r <= formsLast && forms[r-formsFirst].isolated != 0 {
			return true
		}
		if r == utf8.RuneError {
			return true // repaired to U+FFFD on the way through []rune
		}
	}
	return false
}

// nextJoining returns the index of the first rune from i on that is not
// transparent, or len(rs).
func nextJoining(rs []rune, i int) int {
	for i < len(rs) {
		if jt, _ := joiningOf(rs[i]); jt != joinTransparent {
			break
		}
		i++
	}
	return i
}

// joinType is a rune's Joining_Type, as Shape uses it.
type joinType uint8

const (
	joinNone        joinType = iota // U: breaks joining (also letters we cannot shape)
	joinRight                       // R: joins only the letter before it
	joinDual                        // D: joins on both sides
	joinCausing                     // C: tatweel and ZWJ, join both neighbours
	joinTransparent                 // T: marks, skipped when deciding joins
)

const (
	lam  = 'ل'
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// letterForms holds a letter's presentation forms; 0 where Unicode encodes
// none (a right-joining letter has no initial or medial form).
type letterForms struct{ isolated, final, initial, medial rune }

// joiningOf returns r's joining type and, for letters in the table, their
// forms. Letters without encoded forms count as non-joining: they are drawn
// in their isolated shape, so a neighbour joining them would dangle.
func joiningOf(r rune) (joinType, letterForms) {
	if r >= formsFirst && r <= formsLast {
		f := forms[r-formsFirst]
		switch {
		case f.initial != 0:
			return joinDual, f
		case f.final != 0:
			return joinRight, f
		case f.isolated != 0:
			return joinNone, f // hamza
		}
	}
	switch {
	case r == 'ـ' || r == zwj:
		return joinCausing, letterForms{}
	case r == zwnj || (r >= 0x2066 && r <= 0x2069): // isolates break joins (ArabicShaping: U)
		return joinNone, letterForms{}
	case r < 0x0300 && r != 0x00AD:
		return joinNone, letterForms{} // Latin and ASCII: nothing transparent but soft hyphen
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return joinTransparent, letterForms{}
	}
	return joinNone, letterForms{}
}

// lamAlef returns the isolated lam-alef ligature for lam followed by alef r;
// its final form is the next code point.
func lamAlef(r rune) (rune, bool) {
	switch r {
	case 'آ':
		return 0xFEF5, true
	case 'أ':
		return 0xFEF7, true
	case 'إ':
		return 0xFEF9, true
	case 'ا':
		return 0xFEFB, true
	}
	return 0, false
}

// forms is indexed by letter - formsFirst. The forms come from the
// <isolated>, <final>, <initial> and <medial> decompositions in UnicodeData;
// a letter's joining type follows from which forms exist, and agrees with
// ArabicShaping.txt for every letter here (TestFormsTable checks the forms
// against NFKC and the joining types against a list from ArabicShaping).
var forms = [formsLast - formsFirst + 1]letterForms{
	0x0621 - formsFirst: {0xFE80, 0, 0, 0},                // ء hamza
	0x0622 - formsFirst: {0xFE81, 0xFE82, 0, 0},           // آ alef with madda above
	0x0623 - formsFirst: {0xFE83, 0xFE84, 0, 0},           // أ alef with hamza above
	0x0624 - formsFirst: {0xFE85, 0xFE86, 0, 0},           // ؤ waw with hamza above
	0x0625 - formsFirst: {0xFE87, 0xFE88, 0, 0},           // إ alef with hamza below
	0x0626 - formsFirst: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C}, // ئ yeh with hamza above
	0x0627 - formsFirst: {0xFE8D, 0xFE8E, 0, 0},           // ا alef
	0x0628 - formsFirst: {0xFE8F, 0xFE90, 0xFE91, 0xFE92}, // ب beh
	0x0629 - formsFirst: {0xFE93, 0xFE94, 0, 0},           // ة teh marbuta
	0x062A - formsFirst: {0xFE95, 0xFE96, 0xFE97, 0xFE98}, // ت teh
	0x062B - formsFirst: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C}, // ث theh
	0x062C - formsFirst: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0}, // ج jeem
	0x062D - formsFirst: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4}, // ح hah
	0x062E - formsFirst: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8}, // خ khah
	0x062F - formsFirst: {0xFEA9, 0xFEAA, 0, 0},           // د dal
	0x0630 - formsFirst: {0xFEAB, 0xFEAC, 0, 0},           // ذ thal
	0x0631 - formsFirst: {0xFEAD, 0xFEAE, 0, 0},           // ر reh
	0x0632 - formsFirst: {0xFEAF, 0xFEB0, 0, 0},           // ز zain
	0x0633 - formsFirst: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4}, // س seen
	0x0634 - formsFirst: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8}, // ش sheen
	0x0635 - formsFirst: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC}, // ص sad
	0x0636 - formsFirst: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0}, // ض dad
	0x0637 - formsFirst: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4}, // ط tah
	0x0638 - formsFirst: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8}, // ظ zah
	0x0639 - formsFirst: {0xFEC9, 0xFECA, 0xFECB, 0xFECC}, // ع ain
	0x063A - formsFirst: {0xFECD, 0xFECE, 0xFECF, 0xFED0}, // غ ghain
	// U+063B–U+063F have no presentation forms; U+0640 tatweel is join-causing.
	0x0641 - formsFirst: {0xFED1, 0xFED2, 0xFED3, 0xFED4}, // ف feh
	0x0642 - formsFirst: {0xFED5, 0xFED6, 0xFED7, 0xFED8}, // ق qaf
	0x0643 - formsFirst: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC}, // ك kaf
	0x0644 - formsFirst: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0}, // ل lam
	0x0645 - formsFirst: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4}, // م meem
	0x0646 - formsFirst: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8}, // ن noon
	0x0647 - formsFirst: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC}, // ه heh
	0x0648 - formsFirst: {0xFEED, 0xFEEE, 0, 0},           // و waw
	0x0649 - formsFirst: {0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9}, // ى alef maksura
	0x064A - formsFirst: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4}, // ي yeh
	0x0671 - formsFirst: {0xFB50, 0xFB51, 0, 0},           // ٱ alef wasla
	0x0679 - formsFirst: {0xFB66, 0xFB67, 0xFB68, 0xFB69}, // ٹ tteh
	0x067E - formsFirst: {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // پ peh
	0x0686 - formsFirst: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // چ tcheh
	0x0688 - formsFirst: {0xFB88, 0xFB89, 0, 0},           // ڈ ddal
	0x0691 - formsFirst: {0xFB8C, 0xFB8D, 0, 0},           // ڑ rreh
	0x0698 - formsFirst: {0xFB8A, 0xFB8B, 0, 0},           // ژ jeh
	0x06A4 - formsFirst: {0xFB6A, 0xFB6B, 0xFB6C, 0xFB6D}, // ڤ veh
	0x06A9 - formsFirst: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // ک keheh
	0x06AF - formsFirst: {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // گ gaf
	0x06BE - formsFirst: {0xFBAA, 0xFBAB, 0xFBAC, 0xFBAD}, // ھ heh doachashmee
	0x06C0 - formsFirst: {0xFBA4, 0xFBA5, 0, 0},           // ۀ heh with yeh above
	0x06C1 - formsFirst: {0xFBA6, 0xFBA7, 0xFBA8, 0xFBA9}, // ہ heh goal
	0x06CC - formsFirst: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // ی farsi yeh
	0x06D2 - formsFirst: {0xFBAE, 0xFBAF, 0, 0},           // ے yeh barree
	0x06D3 - formsFirst: {0xFBB0, 0xFBB1, 0, 0},           // ۓ yeh barree with hamza above
}

const (
	formsFirst = 0x0621
	formsLast  = 0x06D3
)
