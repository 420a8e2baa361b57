package arabic

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// The expected strings are written with escapes, letter by letter, from the
// joining rules: a letter joins the one before it when that one is
// dual-joining (or tatweel) and it joins the one after it when it is itself
// dual-joining and the next one is not non-joining. Forms are
// isolated/final/initial/medial as in the forms table.
func TestShape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"latin untouched", "Smart City 2026 (Muscat)", "Smart City 2026 (Muscat)"},
		// م initial, ح medial, م medial, د final.
		{"muhammad", "محمد", "\uFEE3\uFEA4\uFEE4\uFEAA"},
		// سفراء: س ini, ف med, ر fin (ر never joins forward), ا iso, ء iso.
		// المدن: ا iso, ل ini, م med, د fin, ن iso (after د).
		// الذكية: ا iso, ل ini, ذ fin, ك ini (after ذ), ي med, ة fin.
		{"sentence", "سفراء المدن الذكية",
			"\uFEB3\uFED4\uFEAE\uFE8D\uFE80 " +
				"\uFE8D\uFEDF\uFEE4\uFEAA\uFEE5 " +
				"\uFE8D\uFEDF\uFEAC\uFEDB\uFEF4\uFE94"},
		// ا iso, ل ini, س med, لا final ligature (lam joins س), م iso.
		{"lam-alef final", "السلام", "\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1"},
		// ا iso, لإ isolated ligature (ا before lam does not join forward),
		// م ini, ا fin, ر iso, ا iso, ت iso.
		{"lam-alef hamza below", "الإمارات", "\uFE8D\uFEF9\uFEE3\uFE8E\uFEAD\uFE8D\uFE95"},
		{"lam-alef alone", "لا", "\uFEFB"},
		{"lam-alef hamza above", "لأن", "\uFEF7\uFEE5"},
		{"lam-alef madda final", "سلآم", "\uFEB3\uFEF6\uFEE1"},
		// Shadda is transparent: the م before it is still medial, د final.
		{"shadda", "محمّد", "\uFEE3\uFEA4\uFEE4\u0651\uFEAA"},
		{"full tashkeel", "\u0645\u064F\u062D\u064E\u0645\u0651\u064E\u062F", "\uFEE3\u064F\uFEA4\u064E\uFEE4\u0651\u064E\uFEAA"},
		// A mark on the lam moves after the ligature; none is lost.
		{"mark inside lam-alef", "لَا", "\uFEFB\u064E"},
		// Tatweel joins both neighbours and stays.
		{"tatweel", "محـــمد", "\uFEE3\uFEA4\u0640\u0640\u0640\uFEE4\uFEAA"},
		{"tatweel before", "ـب", "\u0640\uFE90"},
		{"tatweel after", "بـ", "\uFE91\u0640"},
		// ZWNJ breaks the join, ZWJ forces one.
		{"zwnj", "ب\u200Cب", "\uFE8F\u200C\uFE8F"},
		{"zwj", "ب\u200D", "\uFE91\u200D"},
		// Right-joining letters in a row never join each other.
		{"right-joining run", "ودار", "\uFEED\uFEA9\uFE8D\uFEAD"},
		{"alef maqsura", "مصطفى", "\uFEE3\uFEBC\uFEC4\uFED4\uFEF0"},
		{"alef maqsura dual", "علىك", "\uFECB\uFEE0\uFBE9\uFEDA"},
		{"hamza on yeh", "عائشة", "\uFECB\uFE8E\uFE8B\uFEB8\uFE94"},
		{"taa marbuta", "فاطمة", "\uFED3\uFE8E\uFEC3\uFEE4\uFE94"},
		{"persian", "پیام گچ", "\uFB58\uFBFF\uFE8E\uFEE1 \uFB94\uFB7B"},
		{"veh", "ڤيتامين", "\uFB6C\uFEF4\uFE98\uFE8E\uFEE3\uFEF4\uFEE6"},
		// Digits and Latin break joins; they stay as they are.
		{"digits break", "ب1ب", "\uFE8F1\uFE8F"},
		{"latin break", "بxب", "\uFE8Fx\uFE8F"},
		{"mixed", "ورشة Smart City رقم 12",
			"\uFEED\uFEAD\uFEB7\uFE94 Smart City \uFEAD\uFED7\uFEE2 12"},
		// A letter without encoded forms neither shapes nor is joined.
		{"keheh two dots", "ب\u063Bب", "\uFE8F\u063B\uFE8F"},
		{"already shaped", "\uFEE3\uFEA4", "\uFEE3\uFEA4"},
		{"invalid utf-8", "ب\xff", "\uFE8F\uFFFD"},
	}
	for _, tt := range tests {
		if got := Shape(tt.in); got != tt.want {
			t.Errorf("%s: Shape(%q) = %+q, want %+q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestShapeNFKCRoundTrip: text extracted from a PDF maps back to the logical
// letters with NFKC, which is what the certificate tests rely on.
func TestShapeNFKCRoundTrip(t *testing.T) {
	for _, s := range []string{
		"سفراء المدن الذكية", "السلام عليكم", "الإمارات", "أحمد البلوشي", "مصطفى", "پیام",
	} {
		if got := norm.NFKC.String(Shape(s)); got != s {
			t.Errorf("NFKC(Shape(%q)) = %q", s, got)
		}
	}
}

// TestFormsTable checks every form against NFKC (a form decomposes to its
// letter) and each letter's joining type against ArabicShaping.txt.
func TestFormsTable(t *testing.T) {
	// From ArabicShaping.txt (Unicode 15): the right-joining letters in the
	// table; all other letters in it are dual-joining except hamza (U).
	right := "آأؤإاةدذرزوٱڈڑژۀےۓ"
	n := 0
	for i, f := range forms {
		letter := rune(formsFirst + i)
		if f.isolated == 0 {
			continue
		}
		n++
		for _, form := range []rune{f.isolated, f.final, f.initial, f.medial} {
			if form != 0 && norm.NFKC.String(string(form)) != string(letter) {
				t.Errorf("U+%04X: form U+%04X is not a form of it", letter, form)
			}
		}
		jt, _ := joiningOf(letter)
		want := joinDual
		switch {
		case letter == 'ء':
			want = joinNone
		case strings.ContainsRune(right, letter):
			want = joinRight
		}
		if jt != want {
			t.Errorf("U+%04X %c: joining type %d, want %d", letter, letter, jt, want)
		}
	}
	if n != 52 {
		t.Errorf("%d letters in the table, want 52", n)
	}
	for _, r := range []rune{'\u064B', '\u0651', '\u0670', '\u06ED', '\u200E'} {
		if jt, _ := joiningOf(r); jt != joinTransparent {
			t.Errorf("U+%04X should be transparent", r)
		}
	}
	for _, r := range []rune{' ', '1', 'a', zwnj, '\u0661', '\u063B', '\u2067'} {
		if jt, _ := joiningOf(r); jt != joinNone {
			t.Errorf("U+%04X should be non-joining", r)
		}
	}
	for _, r := range []rune{'ـ', zwj} {
		if jt, _ := joiningOf(r); jt != joinCausing {
			t.Errorf("U+%04X should be join-causing", r)
		}
	}
}

func TestShapeNoArabicNoCopy(t *testing.T) {
	s := "Certificate of Attendance 2026"
	if allocs := testing.AllocsPerRun(100, func() { _ = Shape(s) }); allocs != 0 {
		t.Errorf("Shape of Latin text allocates %v times", allocs)
	}
}

var shapeSink string

func BenchmarkShape(b *testing.B) {
	s := "شهادة حضور ورشة سفراء المدن الذكية - محافظة مسقط"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		shapeSink = Shape(s)
	}
}
