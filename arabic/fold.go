package arabic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the search and duplicate-matching key of s: spellings of a
// name that Omani readers treat as the same give the same key.
//
//   - tashkeel (U+064B–U+065F, U+0670), Quranic marks, tatweel and every other
//     nonspacing mark are removed, so Latin accents typed as combining marks go
//     too; precomposed Latin letters lose their accents (é → e);
//   - alef forms أ إ آ ٱ become ا; ة becomes ه; ى and ئ become ي; ؤ becomes و;
//     the Persian and Urdu letters ک ی ہ become ك ي ه;
//   - Arabic-Indic and Extended Arabic-Indic digits become ASCII digits;
//   - letters are case-folded (Ahmed, AHMED and ahmed match);
//   - presentation forms and full-width letters (text copied out of PDFs)
//     become the letters they stand for;
//   - zero-width and bidi control characters (ZWJ, ZWNJ, LRM, RLM, BOM, …) are
//     removed, so invisible characters pasted with a name do not hide it;
//   - punctuation and symbols other than @ . + - separate words, which keeps
//     e-mail addresses, phone numbers and hyphenated names whole;
//   - runs of white space become one space, and the ends are trimmed.
//
// Fold is idempotent: Fold(Fold(s)) == Fold(s). Invalid UTF-8 separates words
// like punctuation does. Fold runs on every name at load and on every
// keystroke, so it makes one pass and returns s itself, without allocating,
// when s is already folded.
func Fold(s string) string {
	// Fast path: walk while the key is equal to s so far. clean is the end of
	// the last kept rune that is not a space; a single space is kept only
	// between two kept runes. ASCII and the Arabic block are decoded inline.
	clean, space := 0, true // true at the start: a leading space is not kept
	i := 0
scan:
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ':
			if space {
				break scan
			}
			space = true
			i++
			continue
		case c < utf8.RuneSelf:
			if asciiFold[c] != rune(c) {
				break scan
			}
			i++
		case isArabicLead(s, i):
			if r := arabicRune(s, i); arabicFold[r-0x0600] != r {
				break scan
			}
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || foldRune(r) != r {
				break scan
			}
			i += size
		}
		clean, space = i, false
	}
	if i == len(s) {
		return s[:clean] // at most a trailing space was dropped
	}
	return foldFrom(s, clean)
}

// foldFrom folds s knowing that s[:start] is already folded and ends with a
// kept rune (or is empty).
func foldFrom(s string, start int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:start])
	space := false // a separator is waiting to be written before the next rune
	for i := start; i < len(s); {
		var r, m rune
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			r, m = rune(c), asciiFold[c]
			i++
		case isArabicLead(s, i):
			r = arabicRune(s, i)
			m = arabicFold[r-0x0600]
			i += 2
		default:
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
			if r == utf8.RuneError && size == 1 {
				r = ' ' // invalid UTF-8 separates words
			}
			m = foldRune(r)
		}
		switch m {
		case foldDrop:
		case ' ':
			space = b.Len() > 0
		case foldExpand:
			// Already folded when the table was built; it may hold spaces.
			for _, x := range compatFold[r] {
				if x == ' ' {
					space = b.Len() > 0
					continue
				}
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteRune(x)
			}
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			if m < utf8.RuneSelf {
				b.WriteByte(byte(m))
			} else {
				b.WriteRune(m)
			}
		}
	}
	return b.String()
}

// isArabicLead reports whether s[i:] starts with a well-formed two-byte
// sequence of U+0600–U+06FF (lead bytes 0xD8–0xDB).
func isArabicLead(s string, i int) bool {
	return s[i]-0xD8 < 4 && i+1 < len(s) && s[i+1]&0xC0 == 0x80
}

// arabicRune decodes the sequence that isArabicLead accepted.
func arabicRune(s string, i int) rune {
	return rune(s[i]&0x1F)<<6 | rune(s[i+1]&0x3F)
}

// FoldTokens returns the words of Fold(s), or nil when it is empty: the unit
// that search matches query words against.
func FoldTokens(s string) []string {
	f := Fold(s)
	if f == "" {
		return nil
	}
	return strings.Split(f, " ")
}

// Results of foldRune other than a rune to write.
const (
	foldDrop   rune = -1 // remove the rune
	foldExpand rune = -2 // write compatFold[r] instead
)

// foldRune says what Fold does with one rune: a rune to write (' ' for a word
// separator), foldDrop or foldExpand. The ranges names are made of are table
// look-ups; everything else goes to foldSlow.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		return asciiFold[r]
	case r >= 0x0600 && r <= 0x06FF:
		return arabicFold[r-0x0600]
	case r < 0x0250:
		return latinFold[r-0x0080]
	}
	return foldSlow(r)
}

var (
	asciiFold  [0x80]rune
	arabicFold [0x100]rune
	latinFold  [0x0250 - 0x0080]rune // Latin-1 Supplement to Latin Extended-B
)

func init() {
	for r := range asciiFold {
		asciiFold[r] = foldGeneric(rune(r))
	}
	for i := range arabicFold {
		arabicFold[i] = foldArabic(0x0600 + rune(i))
	}
	for i := range latinFold {
		latinFold[i] = foldGeneric(0x0080 + rune(i))
	}
}

// foldArabic folds a rune of the Arabic block (U+0600–U+06FF).
func foldArabic(r rune) rune {
	if d, ok := asciiDigit(r); ok {
		return d
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ', 'ٲ', 'ٳ', 'ٵ': // alef with hamza, madda or wasla
		return 'ا'
	case 'ة', 'ہ', 'ۀ', 'ۂ', 'ۃ', 'ە': // taa marbuta and heh variants
		return 'ه'
	case 'ى', 'ئ', 'ی', 'ٸ': // alef maqsura, yeh with hamza, Farsi yeh
		return 'ي'
	case 'ؤ', 'ٶ', 'ٷ': // waw with hamza
		return 'و'
	case 'ک', 'ڪ': // keheh, swash kaf
		return 'ك'
	case '٫': // Arabic decimal separator, so ٣٫٥ folds like 3.5
		return '.'
	case 'ـ': // tatweel only stretches a joint
		return foldDrop
	}
	return foldGeneric(r)
}

// foldSlow handles the runes outside the tables of foldRune.
func foldSlow(r rune) rune {
	if r >= 0xFB00 && r <= 0xFFEF {
		if m, ok := compatFold[r]; ok {
			if m == "" {
				return foldDrop
			}
			if x, size := utf8.DecodeRuneInString(m); size == len(m) {
				return x
			}
			return foldExpand
		}
	}
	return foldGeneric(r)
}

// foldGeneric folds a rune with no special Arabic rule: letters are
// case-folded and lose their accents, other runes go by category.
func foldGeneric(r rune) rune {
	if r >= 0x80 && unicode.IsLetter(r) {
		// Case first: the Angstrom sign folds to å, which then loses its ring.
		r = unicode.ToLower(unicode.ToUpper(r))
		// NFD splits é into e + U+0301; keep the base when the rest are marks.
		var buf [utf8.UTFMax]byte
		if d := norm.NFD.Properties(utf8.AppendRune(buf[:0], r)).Decomposition(); d != nil {
			if base, size := utf8.DecodeRune(d); allMarks(d[size:]) {
				r = base
			}
		}
		switch r {
		case 'ø', 'Ø':
			r = 'o'
		case 'đ', 'Đ':
			r = 'd'
		case 'ł', 'Ł':
			r = 'l'
		case 'ħ', 'Ħ':
			r = 'h'
		}
	}
	return foldCategory(r)
}

// foldCategory folds a rune by its general category.
func foldCategory(r rune) rune {
	switch {
	case r == '@' || r == '.' || r == '+' || r == '-':
		return r // kept: they hold e-mail addresses, phone numbers and names together
	case unicode.IsSpace(r) || unicode.IsControl(r):
		return ' '
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return foldDrop
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return ' '
	}
	// Simple case folding: ToLower(ToUpper(r)) also joins ſ with s, the
	// Kelvin sign with k and final sigma with sigma, as CaseFolding.txt does.
	return unicode.ToLower(unicode.ToUpper(r))
}

func allMarks(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if !unicode.In(r, unicode.Mn, unicode.Me) {
			return false
		}
		b = b[size:]
	}
	return true
}

// compatFold maps the compatibility characters of U+FB00–U+FFEF
// (presentation forms, as found in text copied out of PDFs, and full-width
// and half-width forms) to the Fold of their NFKC. About 1,200 entries,
// built once at start-up in well under a millisecond.
var compatFold = make(map[rune]string, 1300)

func init() {
	// Runs after the tables above (init functions run in order). Fold sees
	// the map half built, which is harmless: NFKC output holds no
	// compatibility characters, so Fold never looks one up here.
	for r := rune(0xFB00); r <= 0xFFEF; r++ {
		s := string(r)
		if k := norm.NFKC.String(s); k != s {
			compatFold[r] = Fold(k)
		}
	}
}
