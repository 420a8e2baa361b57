package input

import (
	"strings"
	"unicode"

	"github.com/oman-sca/safeer/message"
)

// Phone normalises a phone number to E.164.
//
// Omani numbers have 8 digits (mobiles start with 7 or 9, landlines with 2)
// and come out as "+968XXXXXXXX" whether written "+968 9123 4567",
// "00968 91234567", "968-91234567", "(+968) 9123-4567", "91234567" or with
// Arabic-Indic digits. A number written with "+" or "00" and another
// country code is kept as it is ("+" and 8–15 digits), because guests may
// be foreign. An empty value is allowed (the phone is optional) and gives "".
func Phone(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", nil
	}
	orig := s
	s = dropFloatTail(s)
	plus := false
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == '＋':
			// A "+" is only meaningful before the digits; separators such
			// as the "(" of "(+968)" may come before it.
			if plus || b.Len() > 0 {
				return "", fail(message.New("input.phone.plus", value(orig)))
			}
			plus = true
		case isPhoneSeparator(r):
		default:
			return "", fail(message.New("input.phone.char", value(orig), message.Quoted("char", string(r))))
		}
	}
	d := b.String()
	if d == "" {
		return "", fail(message.New("input.phone.no_digits", value(orig)))
	}
	intl := plus
	if !plus && strings.HasPrefix(d, "00") {
		d, intl = d[2:], true
	}
	if intl {
		if strings.HasPrefix(d, "968") {
			return omani(d[3:], orig)
		}
		if d == "" || d[0] == '0' {
			return "", fail(message.New("input.phone.country_zero", value(orig)))
		}
		if len(d) < 8 || len(d) > 15 {
			return "", fail(message.New("input.phone.international_length", value(orig)))
		}
		return "+" + d, nil
	}
	// Without "+" or "00": the country code alone ("968 9123 4567") or a
	// local number. Numbers of other countries need their "+" so that a
	// mistyped Omani number is not stored as a foreign one.
	if len(d) == 11 && strings.HasPrefix(d, "968") {
		return omani(d[3:], orig)
	}
	if len(d) == 8 {
		return omani(d, orig)
	}
	return "", fail(message.New("input.phone.omani_length", value(orig)))
}

// omani checks the 8 national digits of an Omani number.
func omani(n, orig string) (string, error) {
	if len(n) != 8 {
		return "", fail(message.New("input.phone.omani_after_code", value(orig)))
	}
	switch n[0] {
	case '2', '7', '9':
		return "+968" + n, nil
	}
	return "", fail(message.New("input.phone.omani_prefix", value(orig)))
}

// isPhoneSeparator reports the characters people put between digit groups.
func isPhoneSeparator(r rune) bool {
	switch r {
	case '-', '.', '(', ')', '/', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
		return true
	}
	return unicode.IsSpace(r)
}
