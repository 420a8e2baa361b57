package input

import (
	"math"
	"strconv"
	"strings"
	"unicode"
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
	return "", fail(
		"not a gender "+quote(s)+": expected male or female (ذكر or أنثى)",
		"ليس جنسًا معروفًا "+quote(s)+": المتوقع ذكر أو أنثى ("+lrm+"male/female)")
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
	bad := func(en, ar string) (string, error) {
		return "", fail("not an e-mail address "+quote(s)+": "+en, "ليس بريدًا إلكترونيًا "+quote(s)+": "+ar)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad("it contains a space", "يحتوي على مسافة")
	}
	if strings.ContainsAny(s, ",;<>()[]\"") {
		return bad("it contains , ; < > ( ) [ ] or \"; write one address only",
			"يحتوي على , ; < > ( ) [ ] أو \"؛ اكتب عنوانًا واحدًا فقط")
	}
	switch strings.Count(s, "@") {
	case 0:
		return bad("it has no @", "لا يحتوي على @")
	case 1:
	default:
		return bad("it has more than one @; write one address only", "يحتوي على أكثر من @؛ اكتب عنوانًا واحدًا فقط")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" {
		return bad("nothing before the @", "لا يوجد شيء قبل @")
	}
	if !strings.Contains(domain, ".") {
		return bad("the part after @ needs a dot, as in example.com", "الجزء بعد @ يحتاج إلى نقطة، مثل example.com")
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return bad("the part after @ has an empty piece between dots", "الجزء بعد @ فيه نقطتان متتاليتان أو نقطة في طرفه")
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
		return "", fail(
			"not a civil ID number "+quote(orig)+": only digits are allowed",
			"ليس رقمًا مدنيًا "+quote(orig)+": يُسمح بالأرقام فقط")
	}
	if len(s) < 6 || len(s) > 10 {
		return "", fail(
			"not a civil ID number "+quote(orig)+": expected 6 to 10 digits, found "+strconv.Itoa(len(s)),
			"ليس رقمًا مدنيًا "+quote(orig)+": يجب أن يتكون من 6 إلى 10 أرقام، وفيه "+strconv.Itoa(len(s)))
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
		return 0, fail(
			"not a number of hours "+quote(orig)+": write it like 2 or 2.5",
			"ليس عددًا من الساعات "+quote(orig)+": اكتبه مثل 2 أو 2.5")
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
