// Package input turns values as people type them into spreadsheets into the
// canonical forms Safeer stores: E.164 phones, ISO dates, "male"/"female",
// lower-case e-mail, digit-only civil IDs and decimal hours.
//
// Every function accepts Arabic-Indic and Extended Arabic-Indic digits,
// surrounding spaces and the invisible direction marks that text copied from
// Arabic documents carries. Every error is a *Error with a reason in English
// and in Arabic, because the coordinator reading it may prefer either.
package input

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/message"
)

// Error says why a value was rejected: a message of the catalogue (package
// message), and that message rendered in English and Arabic.
type Error struct {
	Msg message.Message
	En  string // English reason; also what Error returns
	Ar  string // Arabic reason
}

func (e *Error) Error() string            { return e.En }
func (e *Error) Message() message.Message { return e.Msg }

func fail(m message.Message) *Error { return &Error{Msg: m, En: m.English(), Ar: m.Arabic()} }

// value is the offending value as a message's argument, shortened so that
// a whole pasted paragraph does not swamp the report. It shows between
// guillemets, which read the same way in English and Arabic, inside its
// isolate.
func value(s string) message.Arg { return message.Quoted("value", short(s)) }

func short(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return s
}

// isInvisible reports format characters that spreadsheets and copy-paste
// from Arabic documents leave around values: direction marks and
// embeddings, zero-width spaces and joiners, the BOM and soft hyphen.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', // ZWSP, ZWNJ, ZWJ, LRM, RLM
		'\u061c',           // ARABIC LETTER MARK
		'\u2060', '\ufeff', // WORD JOINER, BOM / ZWNBSP
		'\u00ad': // SOFT HYPHEN
		return true
	}
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// clean drops invisible marks anywhere, converts Eastern digits to ASCII and
// trims spaces (including NBSP, which unicode.IsSpace knows).
func clean(s string) string {
	if strings.IndexFunc(s, isInvisible) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimFunc(arabic.Digits(s), unicode.IsSpace)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dropFloatTail removes a ".0" (or ".00"…) that spreadsheet exports and
// pandas add to numbers stored as floats: "91234567.0" is 91234567.
func dropFloatTail(s string) string {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 || !allDigits(s[:i]) {
		return s
	}
	if strings.Trim(s[i+1:], "0") != "" {
		return s
	}
	return s[:i]
}

// foldArabic is the little Arabic normalisation that matching typed words
// needs here (month names, gender words): no tashkeel or tatweel, one alef,
// taa marbuta as haa, alef maqsura as yaa, Persian kaf/yeh as Arabic. It is
// local on purpose: search normalisation (arabic.Fold) serves another need
// and may change for it.
func foldArabic(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\u064b' && r <= '\u065f', r == '\u0670', r == '\u0640': // tashkeel, dagger alef, tatweel
			return -1
		}
		switch r {
		case 'أ', 'إ', 'آ', 'ٱ':
			return 'ا'
		case 'ة':
			return 'ه'
		case 'ى', 'ی', 'ئ':
			return 'ي'
		case 'ؤ':
			return 'و'
		case 'ک':
			return 'ك'
		}
		return r
	}, s)
}
