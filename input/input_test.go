package input

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// checkErr asserts that err is a *Error with both languages filled in and,
// when want is not empty, an English reason containing want.
func checkErr(t *testing.T, in string, err error, want string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("%q: error %v (%T) is not a *input.Error", in, err, err)
	}
	if pe.En == "" || pe.Ar == "" || pe.Error() != pe.En {
		t.Fatalf("%q: incomplete error %#v", in, pe)
	}
	// The words are the catalogue's, rendered from the error's code.
	if !strings.HasPrefix(string(pe.Msg.Code), "input.") || pe.Msg.English() != pe.En || pe.Msg.Arabic() != pe.Ar {
		t.Fatalf("%q: the error's words are not its message's: %#v", in, pe)
	}
	if want != "" && !strings.Contains(pe.En, want) {
		t.Errorf("%q: error %q does not mention %q", in, pe.En, want)
	}
}

func TestPhone(t *testing.T) {
	ok := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"+968 9123 4567", "+96891234567"},
		{"00968 91234567", "+96891234567"},
		{"968-91234567", "+96891234567"},
		{"968 9123 4567", "+96891234567"},
		{"91234567", "+96891234567"},
		{"(+968) 9123-4567", "+96891234567"},
		{"+968.9123.4567", "+96891234567"},
		{"٩١٢٣٤٥٦٧", "+96891234567"},
		{"+٩٦٨ ٩١٢٣ ٤٥٦٧", "+96891234567"},
		{"۹۱۲۳۴۵۶۷", "+96891234567"},
		{"\u200f91234567\u200f", "+96891234567"},
		{"\ufeff 7123 4567 ", "+96871234567"},
		{"24 12 34 56", "+96824123456"},
		{"\u00a0+968\u00a091234567", "+96891234567"},
		{"91234567.0", "+96891234567"},
		{"9123–4567", "+96891234567"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0044 20 7946 0958", "+442079460958"},
		{"+1 (555) 123-4567", "+15551234567"},
		{"+971 50 123 4567", "+971501234567"},
		{"+96891234567", "+96891234567"},
	}
	for _, c := range ok {
		got, err := Phone(c.in)
		if err != nil || got != c.want {
			t.Errorf("Phone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, why string }{
		{"9123456", "expected 8 digits"},
		{"912345678", "expected 8 digits"},
		{"+968 9123 456", "expected 8 digits after +968"},
		{"+968 9123 45678", "expected 8 digits after +968"},
		{"00968 912345678", "expected 8 digits after +968"},
		{"81234567", "start with 9 or 7"},
		{"+968 81234567", "start with 9 or 7"},
		{"44 20 7946 0958", "expected 8 digits"},
		{"+44 123", "8 to 15 digits"},
		{"+1234567890123456", "8 to 15 digits"},
		{"+0 123 456 789", "cannot start with 0"},
		{"9123 4567 ext 2", "contains"},
		{"9123+4567", "can only come first"},
		{"++96891234567", "can only come first"},
		{"abc", "contains"},
		{"---", "no digits"},
		{"+", "no digits"},
		{"9.12346E+07", "contains"},
	}
	for _, c := range bad {
		got, err := Phone(c.in)
		if err == nil {
			t.Errorf("Phone(%q) = %q, want an error", c.in, got)
			continue
		}
		checkErr(t, c.in, err, c.why)
	}
}

func TestPhoneArabicMessage(t *testing.T) {
	_, err := Phone("+968 123")
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Ar, "يجب أن يتكون من 8 أرقام بعد \u2066+968\u2069") {
		t.Fatalf("Arabic reason = %q", pe.Ar)
	}
}

func TestDate(t *testing.T) {
	ok := []struct{ in, want string }{
		{"", ""},
		{"2024-03-05", "2024-03-05"},
		{"2024/3/5", "2024-03-05"},
		{"2024.03.05", "2024-03-05"},
		{"5/3/2024", "2024-03-05"},
		{"05-03-2024", "2024-03-05"},
		{"5.3.2024", "2024-03-05"},
		{"5\\3\\2024", "2024-03-05"},
		{"٥/٣/٢٠٢٤", "2024-03-05"},
		{"٢٠٢٤-٠٣-٠٥", "2024-03-05"},
		{"\u200f5/3/2024\u200f", "2024-03-05"},
		{"45356", "2024-03-05"},
		{"45356.0", "2024-03-05"},
		{"45356.75", "2024-03-05"},
		{"٤٥٣٥٦", "2024-03-05"},
		{"29/2/2024", "2024-02-29"},
		{"31/12/2100", "2100-12-31"},
		{"1/1/1900", "1900-01-01"},
		{"2024-03-05T10:30:00Z", "2024-03-05"},
		{"2024-03-05 00:00:00", "2024-03-05"},
		{"05/03/2024 12:00 AM", "2024-03-05"},
		{"5 Mar 2024", "2024-03-05"},
		{"05-Mar-2024", "2024-03-05"},
		{"5 march 2024", "2024-03-05"},
		{"5 مارس 2024", "2024-03-05"},
		{"١٠ أكتوبر ٢٠٢٣", "2023-10-10"},
		{"10 اكتوبر 2023", "2023-10-10"},
		{"10000", "1927-05-18"},
		{"73415", "2100-12-31"},
	}
	for _, c := range ok {
		got, err := Date(c.in)
		if err != nil || got != c.want {
			t.Errorf("Date(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, why string }{
		{"31/2/2024", "February 2024 has 29 days"},
		{"29/2/2023", "February 2023 has 28 days"},
		{"2024-02-30", "February 2024 has 29 days"},
		{"31/4/2024", "April 2024 has 30 days"},
		{"0/3/2024", "has 31 days"},
		{"5/13/2024", "no month 13"},
		{"3/25/2024", "no month 25"},
		{"5/3/1899", "outside 1900–2100"},
		{"2101-01-01", "outside 1900–2100"},
		{"5/3/24", "4 digits"},
		{"2024", "only a year"},
		{"٢٠٢٤", "only a year"},
		{"99999", "Excel date number"},
		{"123", "day/month/year"},
		{"5/3-2024", "day/month/year"},
		{"5/3", "day/month/year"},
		{"March 5, 2024", "day/month/year"},
		{"yesterday", "day/month/year"},
		{"5/3/2024/1", "day/month/year"},
		{"05/003/2024", "day/month/year"},
		{"5 Foo 2024", "day/month/year"},
	}
	for _, c := range bad {
		got, err := Date(c.in)
		if err == nil {
			t.Errorf("Date(%q) = %q, want an error", c.in, got)
			continue
		}
		checkErr(t, c.in, err, c.why)
	}
}

func TestGender(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""}, {"m", "male"}, {"M", "male"}, {"Male", "male"}, {"MALE ", "male"}, {"man", "male"},
		{"M.", "male"}, {"ذكر", "male"}, {"ذ", "male"}, {"رجل", "male"}, {"ذَكَر", "male"},
		{"f", "female"}, {"Female", "female"}, {"woman", "female"}, {"أنثى", "female"}, {"انثى", "female"},
		{"انثي", "female"}, {"ا", "female"}, {"أ", "female"}, {"امرأة", "female"}, {"امراه", "female"},
		{"\u200fأنثى", "female"},
	}
	for _, c := range cases {
		got, err := Gender(c.in)
		if err != nil || got != c.want {
			t.Errorf("Gender(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"x", "other", "ذكر وأنثى", "1"} {
		_, err := Gender(in)
		checkErr(t, in, err, "expected male or female")
	}
}

func TestEmail(t *testing.T) {
	ok := []struct{ in, want string }{
		{"", ""},
		{" Ahmed.AlBalushi@Example.OM ", "ahmed.albalushi@example.om"},
		{"mailto:a@b.co", "a@b.co"},
		{"\u200fa.b+c@mail.gov.om\u200f", "a.b+c@mail.gov.om"},
	}
	for _, c := range ok {
		got, err := Email(c.in)
		if err != nil || got != c.want {
			t.Errorf("Email(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, why string }{
		{"ahmed", "no @"},
		{"a@b@c.om", "more than one @"},
		{"@example.om", "nothing before"},
		{"a@localhost", "needs a dot"},
		{"a b@x.om", "space"},
		{"a@x..om", "empty piece"},
		{"a@x.om.", "empty piece"},
		{"a@x.om, b@y.om", "space"},
		{"a@x.om;b@y.om", "one address"},
	}
	for _, c := range bad {
		got, err := Email(c.in)
		if err == nil {
			t.Errorf("Email(%q) = %q, want an error", c.in, got)
			continue
		}
		checkErr(t, c.in, err, c.why)
	}
}

func TestCivilID(t *testing.T) {
	ok := []struct{ in, want string }{
		{"", ""}, {"12345678", "12345678"}, {"123 456 78", "12345678"}, {"١٢٣٤٥٦٧٨", "12345678"},
		{"123456", "123456"}, {"1234567890", "1234567890"}, {"12345678.0", "12345678"}, {"\u200f0123456", "0123456"},
	}
	for _, c := range ok {
		got, err := CivilID(c.in)
		if err != nil || got != c.want {
			t.Errorf("CivilID(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, why string }{
		{"12345", "6 to 10 digits"}, {"12345678901", "6 to 10 digits"}, {"1234-5678", "only digits"},
		{"A1234567", "only digits"}, {"1.2345678E7", "only digits"},
	}
	for _, c := range bad {
		got, err := CivilID(c.in)
		if err == nil {
			t.Errorf("CivilID(%q) = %q, want an error", c.in, got)
			continue
		}
		checkErr(t, c.in, err, c.why)
	}
}

func TestHours(t *testing.T) {
	ok := []struct {
		in   string
		want float64
	}{
		{"", 0}, {"2", 2}, {"2.5", 2.5}, {"2,5", 2.5}, {"٢٫٥", 2.5}, {"٢", 2}, {"0", 0}, {".5", 0.5},
		{"2:30", 2.5}, {"1:15", 1.25}, {"3 h", 3}, {"2.5 hours", 2.5}, {"٣ ساعات", 3}, {"1.5hrs", 1.5},
	}
	for _, c := range ok {
		got, err := Hours(c.in)
		if err != nil || got != c.want {
			t.Errorf("Hours(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"-1", "two", "1e3", "inf", "NaN", "0x10", "2.5.1", "2:75", "2:5", ".", "1,5,0", "h"} {
		got, err := Hours(in)
		if err == nil {
			t.Errorf("Hours(%q) = %v, want an error", in, got)
			continue
		}
		checkErr(t, in, err, "number of hours")
	}
}

var (
	e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	iso  = regexp.MustCompile(`^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$`)
)

func phoneSeeds(f *testing.F) {
	for _, s := range []string{"", "+968 9123 4567", "00968 91234567", "968-91234567", "91234567",
		"(+968) 9123-4567", "٩١٢٣٤٥٦٧", "\u200f91234567", "+44 20 7946 0958", "+", "00", "0096891234567",
		"9123+4567", "91234567.0", "+968", "\xff\xfe"} {
		f.Add(s)
	}
}

// FuzzPhone: no panic; every error is bilingual; every success is E.164
// and a fixed point (normalising it again changes nothing), so values can
// be re-validated after being stored.
func FuzzPhone(f *testing.F) {
	phoneSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Phone(s)
		if err != nil {
			checkErr(t, s, err, "")
			return
		}
		if p == "" {
			return
		}
		if !e164.MatchString(p) {
			t.Fatalf("Phone(%q) = %q: not E.164", s, p)
		}
		if q, err := Phone(p); err != nil || q != p {
			t.Fatalf("Phone(%q) = %q, but Phone(%q) = %q, %v", s, p, p, q, err)
		}
	})
}

// FuzzDate: no panic; bilingual errors; successes are ISO dates in range
// and fixed points.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"", "2024-03-05", "2024/3/5", "5/3/2024", "05-03-2024", "5.3.2024", "٥/٣/٢٠٢٤",
		"45356", "45356.5", "31/2/2024", "5 Mar 2024", "5 مارس 2024", "2024-03-05T10:00:00Z", "1/1/1900", "5/3/24"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			checkErr(t, s, err, "")
			return
		}
		if d == "" {
			return
		}
		if !iso.MatchString(d) {
			t.Fatalf("Date(%q) = %q: not ISO", s, d)
		}
		if e, err := Date(d); err != nil || e != d {
			t.Fatalf("Date(%q) = %q, but Date(%q) = %q, %v", s, d, d, e, err)
		}
	})
}

// FuzzCivilID: no panic; successes are 6–10 ASCII digits and fixed points.
func FuzzCivilID(f *testing.F) {
	for _, s := range []string{"", "12345678", "١٢٣٤٥٦٧٨", "123 456 78", "12345678.0", "12345", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := CivilID(s)
		if err != nil {
			checkErr(t, s, err, "")
			return
		}
		if c == "" {
			return
		}
		if len(c) < 6 || len(c) > 10 || !allDigits(c) {
			t.Fatalf("CivilID(%q) = %q", s, c)
		}
		if d, err := CivilID(c); err != nil || d != c {
			t.Fatalf("CivilID(%q) = %q, but CivilID(%q) = %q, %v", s, c, c, d, err)
		}
	})
}
