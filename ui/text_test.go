package ui

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"

	"github.com/oman-sca/safeer/arabic"
)

// twoFonts stands in for Fyne's fonts: the theme's font (Latin, digits,
// punctuation) and a fallback for Arabic letters.
// arabicPunct says whether the Arabic comma, semicolon and question mark
// come from the Arabic font (they are Common script, so it depends on the
// fonts); the test runs both ways.
type twoFonts struct {
	latin, arabic *font.Face
	arabicPunct   bool
}

func (f twoFonts) ResolveFace(r rune) *font.Face {
	switch {
	case r == 0x0640: // tatweel: only fonts with Arabic letters have it
		return f.arabic
	case r == 0x060C || r == 0x061B || r == 0x061F:
		if f.arabicPunct {
			return f.arabic
		}
		return f.latin
	case r >= 0x0660 && r <= 0x0669:
		return f.latin
	case unicode.Is(unicode.Arabic, r), unicode.Is(unicode.Mn, r) && r >= 0x0600 && r < 0x0700:
		return f.arabic
	}
	return f.latin
}

var mirrors = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '«': '»', '»': '«', '<': '>', '>': '<', '{': '}', '}': '{'}

// fyneDraws replays how Fyne 2.7 lays out one line (internal/painter's
// walkString): go-text's Segmenter splits it (paragraph left to right) and
// each run is drawn after the previous one, right-to-left runs reversed and
// mirrored. It returns the characters as they appear from left to right.
func fyneDraws(s string, arabicPunct bool) string {
	faces := twoFonts{&font.Face{}, &font.Face{}, arabicPunct}
	rs := []rune(s)
	in := shaping.Input{Text: rs, RunStart: 0, RunEnd: len(rs), Direction: di.DirectionLTR}
	var seg shaping.Segmenter
	var b strings.Builder
	for _, run := range seg.Split(in, faces) {
		text := rs[run.RunStart:run.RunEnd]
		if run.Direction.Progression() == di.TowardTopLeft {
			// Clusters (a letter and its marks) in reverse, as HarfBuzz
			// places them; marks stay after their letter.
			for i := len(text); i > 0; {
				j := i - 1
				for j > 0 && unicode.Is(unicode.Mn, text[j]) {
					j--
				}
				for _, r := range text[j:i] {
					if m, ok := mirrors[r]; ok {
						r = m
					}
					b.WriteRune(r)
				}
				i = j
			}
		} else {
			b.WriteString(string(text))
		}
	}
	return visible(b.String())
}

// visible drops the invisible bidi controls.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		if r == lrm || r == rlm || r == 0x061C || isExplicitControl(r) {
			return -1
		}
		return r
	}, s)
}

// isolateNumbers wraps phone numbers and dates in LRI … PDI, which is how
// displayText keeps them whole.
func isolateNumbers(s string) string {
	return regexp.MustCompile(`\+?[0-9]+(-[0-9]+)+|\+[0-9]+`).ReplaceAllStringFunc(s, func(m string) string {
		return string(lri) + m + string(pdi)
	})
}

func TestDisplayTextOrder(t *testing.T) {
	lines := []string{
		"أحمد البلوشي",
		"الحضور: 12 من 30",
		"الحضور 12 / 30",
		"السلامة الرقمية (2026-11-26): حضر 6، ولم تصدر شهادات.",
		"تم التسجيل لدى https://hq.example.om لمحافظة مسقط.",
		"56 تغييرات لم تُرسل إلى المقر بعد.",
		"(فارغ)",
		"✓ تم تسجيل حضور أحمد البلوشي — Ahmed Al Balushi.",
		"ورشة Smart City رقم 12",
		"١٢ نوفمبر 2026",
		"ابحث بالاسم أو الهاتف أو الرقم المدني أو البريد (Ctrl+F)",
		"الصف 12، العمود رقم الهاتف: «9123» ليس رقم هاتف",
		"شهادة «سفير» [مسقط]",
		"Smart City ورشة",
		"+96891234567",
		"القيمة على هذا الجهاز الآن: +96892223334",
		"تاريخ الورشة 2026-11-29، الساعة 09:30",
		"اتصل على 9123 4567 أو ‎+968 9123 4567",
		"الحضور ١٢ من ٣٠",
		"مـحـمـد عَلِيّ (٢)",
	}
	for _, l := range lines {
		want := visible(arabic.VisualDir(isolateNumbers(l), true))
		if strings.IndexFunc(l, isRTL) < 0 {
			want = l // no Arabic: drawn as it is
		}
		for _, ap := range []bool{false, true} {
			if got := fyneDraws(displayText(l, true), ap); got != want {
				t.Errorf("rtl %q (Arabic punctuation in the Arabic font: %v):\n got  %q\n want %q", l, ap, got, want)
			}
		}
	}
	english := []string{
		"Merge أحمد البلوشي into Ahmed?",
		"Certificate for أحمد البلوشي 3 hours",
		"Row 4: «رقم الهاتف» is not a column",
		"Safeer — سفير",
		"Present 12 / 30",
	}
	for _, l := range english {
		got := fyneDraws(displayText(l, false), true)
		want := visible(arabic.VisualDir(l, false))
		if got != want {
			t.Errorf("ltr %q:\n got  %q\n want %q", l, got, want)
		}
	}
	// Text Fyne already draws right is left alone.
	for _, l := range []string{"أحمد البلوشي", "Ahmed", "12 / 30", ""} {
		for _, rtl := range []bool{true, false} {
			if got := displayText(l, rtl); got != l {
				t.Errorf("displayText(%q, %v) = %q", l, rtl, got)
			}
		}
	}
}

// BenchmarkDisplayText: a mixed Arabic line as labels prepare it (run on
// every SetText and resize of a label with Arabic and other runs).
func BenchmarkDisplayText(b *testing.B) {
	lines := []string{
		"السلامة الرقمية (2026-11-26): حضر 6، ولم تصدر شهادات.",
		"✓ تم تسجيل حضور أحمد البلوشي — Ahmed Al Balushi.",
		"Merge أحمد البلوشي into Ahmed?",
	}
	for b.Loop() {
		for _, l := range lines {
			displayText(l, true)
			displayText(l, false)
		}
	}
}
