package input

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/message"
)

const (
	minYear = 1900
	maxYear = 2100
	// Excel serial day numbers are accepted only with five digits: 10000 is
	// 1927-05-18 and 73415 is 2100-12-31. A shorter number is far more likely
	// a year typed alone ("2024") than a date in the 1900s.
	minSerial = 10000
	maxSerial = 73415
)

// timeSuffix matches a time of day after the date ("2024-03-05T00:00:00Z",
// "05/03/2024 12:00 AM"), as CSV exports of date-time cells carry; the time
// is dropped because Safeer's dates are calendar days.
var timeSuffix = regexp.MustCompile(`(?i)^(.*?)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm|a\.m\.|p\.m\.|ص|م)?\s*(?:z|[+-]\d{2}:?\d{2})?$`)

// Date normalises a calendar date to ISO 8601 ("2006-01-02").
//
// Accepted: ISO "2024-03-05" and "2024/3/5"; day first "5/3/2024",
// "05-03-2024", "5.3.2024" (the Omani convention; month-first dates are
// never guessed); "5 Mar 2024" and "5-مارس-2024" with English or Arabic
// month names; Excel serial day numbers written as text ("45356"), which is
// how XLSX date cells sometimes arrive; Arabic-Indic digits; a trailing
// time of day, which is ignored. Years must have four digits and lie in
// 1900–2100. An empty value gives "".
func Date(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", nil
	}
	orig := s
	if m := timeSuffix.FindStringSubmatch(s); m != nil && m[1] != "" {
		s = strings.TrimSpace(m[1])
	}
	if allDigits(dropFloatTail(s)) || isSerialWithTime(s) {
		return serial(s, orig)
	}
	y, m, d, err := splitDate(s, orig)
	if err != nil {
		return "", err
	}
	return validDate(y, m, d, orig)
}

// isSerialWithTime accepts "45356.75": a date-time serial from a cell
// formatted as date and time.
func isSerialWithTime(s string) bool {
	i := strings.IndexByte(s, '.')
	return i > 0 && allDigits(s[:i]) && allDigits(s[i+1:])
}

func serial(s, orig string) (string, error) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimLeft(s, "0")
	if len(s) == 4 {
		return "", fail(message.New("input.date.year_only", value(orig)))
	}
	n, _ := strconv.Atoi(s)
	if len(s) != 5 {
		return "", fail(message.New("input.date.number", value(orig)))
	}
	if n > maxSerial {
		return "", fail(message.New("input.date.serial_range", value(orig), message.Int("min", minSerial), message.Int("max", maxSerial)))
	}
	// Day 0 of Excel's 1900 system is 1899-12-31, but Excel counts a
	// 29 February 1900 that never was, so from day 61 on (all our range)
	// the epoch is effectively 1899-12-30.
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), nil
}

// splitDate reads the three parts of a written date.
func splitDate(s, orig string) (y, m, d int, err error) {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '-', '/', '.', '\\', ',', '،', ' ', '\u2013', '\u2212':
			return true
		}
		return false
	})
	bad := func() (int, int, int, error) {
		return 0, 0, 0, fail(message.New("input.date.form", value(orig)))
	}
	if len(parts) != 3 {
		return bad()
	}
	// Mixed separators ("5/3-2024") are more likely a typo than a date.
	if !sameSeparators(s) {
		return bad()
	}
	num := func(p string) int {
		if !allDigits(p) || len(p) > 4 {
			return -1
		}
		n, _ := strconv.Atoi(p)
		return n
	}
	a, b, c := parts[0], parts[1], parts[2]
	mb := num(b)
	if mb < 0 {
		mb = monthByName(b)
		if mb < 0 {
			return bad()
		}
	} else if len(b) > 2 {
		return bad()
	}
	switch {
	case len(a) == 4 && len(c) <= 2: // year first: ISO order
		y, m, d = num(a), mb, num(c)
	case len(c) == 4 && len(a) <= 2: // day first
		y, m, d = num(c), mb, num(a)
	case len(c) == 2 && len(a) <= 2 && num(c) >= 0:
		return 0, 0, 0, fail(message.New("input.date.two_digit_year", value(orig)))
	default:
		return bad()
	}
	if y < 0 || m < 0 || d < 0 {
		return bad()
	}
	return y, m, d, nil
}

func sameSeparators(s string) bool {
	var sep rune
	for _, r := range s {
		switch r {
		case '-', '/', '.', '\\', '\u2013', '\u2212':
			if sep != 0 && sep != r {
				return false
			}
			sep = r
		}
	}
	return true
}

func validDate(y, m, d int, orig string) (string, error) {
	if y < minYear || y > maxYear {
		return "", fail(message.New("input.date.year_range", value(orig), message.Int("year", y), message.Int("min", minYear), message.Int("max", maxYear)))
	}
	if m < 1 || m > 12 {
		return "", fail(message.New("input.date.month", value(orig), message.Int("month", m)))
	}
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > last {
		return "", fail(message.New("input.date.day", value(orig), message.Pair("month", time.Month(m).String(), arMonths[m-1]), message.Int("year", y), message.Int("days", last)))
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// arMonths are the Gregorian month names used in Oman, first spelling of
// each; monthNames adds the other spellings people type.
var arMonths = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

var monthNames = func() map[string]int {
	m := map[string]int{}
	for i := time.January; i <= time.December; i++ {
		name := strings.ToLower(i.String())
		m[name] = int(i)
		m[name[:3]] = int(i)
	}
	m["sept"] = 9
	for i, n := range arMonths {
		m[foldArabic(n)] = i + 1
	}
	for n, i := range map[string]int{"ابريل": 4, "يونيه": 6, "يوليه": 7, "اغسطس": 8, "اكتوبر": 10} {
		m[foldArabic(n)] = i
	}
	return m
}()

func monthByName(s string) int {
	if n, ok := monthNames[foldArabic(strings.ToLower(s))]; ok {
		return n
	}
	return -1
}
