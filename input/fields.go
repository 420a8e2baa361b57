package input

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/oman-sca/safeer/message"
)

// Gender reads "male" or "female" from English (m, male, man, f, female,
// woman, any case) and Arabic (ذكر، ذ، رجل، أنثى، انثى، ا، امرأة) forms,
// with or without hamza and tashkeel. An empty value gives "".
func Gender(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", nil
	}
	key := foldArabic(strings.ToLower(strings.TrimRight(s, ".")))
	key = strings.Join(strings.Fields(key), " ")
	if g, ok := genders[key]; ok {
		return g, nil
	}
	return "", fail(message.New("input.gender", value(s)))
}

var genders = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{"m", "male", "man", "boy", "ذكر", "ذ", "رجل", "ذكور"} {
		m[foldArabic(w)] = "male"
	}
	// "ا" is the initial of أنثى, as "ذ" is of ذكر.
	for _, w := range []string{"f", "female", "woman", "girl", "أنثى", "انثى", "انثي", "ا", "امرأة", "امراه", "مرأة", "إناث"} {
		m[foldArabic(w)] = "female"
	}
	return m
}()

// Email trims and lower-cases an e-mail address and checks it lightly: one
// "@", something before it, a dot inside the domain, no spaces, no empty
// domain labels. A leading "mailto:" is dropped. An empty value gives "".
func Email(s string) (string, error) {
	s = strings.ToLower(clean(s))
	s = strings.TrimPrefix(s, "mailto:")
	if s == "" {
		return "", nil
	}
	bad := func(m message.Message) (string, error) { return "", fail(m) }
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad(message.New("input.email.space", value(s)))
	}
	if strings.ContainsAny(s, ",;<>()[]\"") {
		return bad(message.New("input.email.several", value(s)))
	}
	switch strings.Count(s, "@") {
	case 0:
		return bad(message.New("input.email.no_at", value(s)))
	case 1:
	default:
		return bad(message.New("input.email.many_at", value(s)))
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" {
		return bad(message.New("input.email.no_local", value(s)))
	}
	if !strings.Contains(domain, ".") {
		return bad(message.New("input.email.no_dot", value(s)))
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return bad(message.New("input.email.empty_label", value(s)))
		}
	}
	return s, nil
}

// CivilID normalises an Omani civil ID number: digits only (Arabic-Indic
// accepted), spaces removed, 6 to 10 digits. An empty value gives "".
func CivilID(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", nil
	}
	orig := s
	s = dropFloatTail(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
	if !allDigits(s) {
		return "", fail(message.New("input.civil_id.digits", value(orig)))
	}
	if len(s) < 6 || len(s) > 10 {
		return "", fail(message.New("input.civil_id.length", value(orig), message.Int("count", len(s))))
	}
	return s, nil
}

// hourUnits are words people append to a number of hours.
var hourUnits = []string{"hours", "hour", "hrs", "hr", "h", "ساعات", "ساعة", "ساعه", "س"}

// Hours reads a non-negative number of hours: "2", "2.5", "2,5", "٢٫٥"
// (Arabic decimal separator), "2:30" (hours:minutes), optionally followed by
// a unit ("2.5 h", "٣ ساعات"). An empty value gives 0; callers that must
// tell "empty" from "0" check the text first.
func Hours(s string) (float64, error) {
	s = strings.ToLower(clean(s))
	if s == "" {
		return 0, nil
	}
	orig := s
	for _, u := range hourUnits {
		if t, ok := strings.CutSuffix(s, u); ok {
			s = strings.TrimSpace(t)
			break
		}
	}
	bad := func() (float64, error) {
		return 0, fail(message.New("input.hours", value(orig)))
	}
	if h, m, ok := strings.Cut(s, ":"); ok {
		if !allDigits(h) || len(m) != 2 || !allDigits(m) || len(h) > 4 {
			return bad()
		}
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(m)
		if mm >= 60 {
			return bad()
		}
		return float64(hh) + float64(mm)/60, nil
	}
	// Only digits and one decimal separator: this also keeps out what
	// ParseFloat would take but people never mean ("inf", "1e3", "0x10").
	s = strings.NewReplacer("٫", ".", ",", ".", "،", ".").Replace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if (whole == "" && frac == "") || (whole != "" && !allDigits(whole)) || (frac != "" && !allDigits(frac)) {
		return bad()
	}
	if strings.Count(s, ".") > 1 {
		return bad()
	}
	h, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(h, 0) || math.IsNaN(h) {
		return bad()
	}
	return h, nil
}
