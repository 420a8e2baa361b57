package arabic

import "strings"

// Digits replaces Arabic-Indic (٠-٩) and Extended Arabic-Indic (۰-۹) digits
// with ASCII digits, leaving everything else as it is. Spreadsheets typed on
// Arabic keyboards mix all three.
func Digits(s string) string {
	if !hasEasternDigit(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if d, ok := asciiDigit(r); ok {
			r = d
		}
		b.WriteRune(r)
	}
	return b.String()
}

// asciiDigit maps an Arabic-Indic or Extended Arabic-Indic digit to its ASCII
// digit. Digits and Fold share it so that they never disagree.
func asciiDigit(r rune) (rune, bool) {
	switch {
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠'), true
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰'), true
	}
	return r, false
}

// ToArabicIndic replaces ASCII digits with Arabic-Indic digits (٠-٩), for
// Arabic text where the user prefers them (a certificate setting).
func ToArabicIndic(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune('٠' + (r - '0'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hasEasternDigit(s string) bool {
	for _, r := range s {
		if (r >= '٠' && r <= '٩') || (r >= '۰' && r <= '۹') {
			return true
		}
	}
	return false
}
