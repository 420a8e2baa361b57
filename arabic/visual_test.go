package arabic

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-text/typesetting/bidi"
	"golang.org/x/text/unicode/norm"
)

// Shaped words used below, in logical order (see TestShape for how the forms
// follow from the joining rules).
const (
	muhammad = "\uFEE3\uFEA4\uFEE4\uFEAA"                                // محمد
	ahmad    = "\uFE83\uFEA3\uFEE4\uFEAA"                                // أحمد: أ iso, ح ini, م med, د fin
	balushi  = "\uFE8D\uFEDF\uFE92\uFEE0\uFEEE\uFEB7\uFEF2"              // البلوشي: ل med before و, ش ini after و
	warsha   = "\uFEED\uFEAD\uFEB7\uFE94"                                // ورشة: و iso, ر iso, ش ini, ة fin
	raqm     = "\uFEAD\uFED7\uFEE2"                                      // رقم: ر iso, ق ini, م fin
	november = "\uFEE7\uFEEE\uFED3\uFEE4\uFE92\uFEAE"                    // نوفمبر: ن ini, و fin, ف ini, م med, ب med, ر fin
	muscat   = "\uFEE3\uFEB4\uFED8\uFEC2"                                // مسقط
	wilaya   = "\uFEED\uFEFB\uFEF3\uFE94"                                // ولاية: و iso, لا iso, ي ini, ة fin
	sufara   = "\uFEB3\uFED4\uFEAE\uFE8D\uFE80"                          // سفراء
	almudun  = "\uFE8D\uFEDF\uFEE4\uFEAA\uFEE5"                          // المدن
	aldhakia = "\uFE8D\uFEDF\uFEAC\uFEDB\uFEF4\uFE94"                    // الذكية
	salam    = "\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1"                          // السلام
	emirates = "\uFE8D\uFEF9\uFEE3\uFE8E\uFEAD\uFE8D\uFE95"              // الإمارات
	shadda   = "\uFEE3\uFEA4\uFEE4\u0651\uFEAA"                          // محمّد
	ninesix8 = "\u0669\u0666\u0668"                                      // ٩٦٨
	twelveAr = "\u0661\u0662"                                            // ١٢
	phrase   = "\uFEB7\uFEEC\uFE8E\uFEA9\uFE93 \uFEA3\uFEC0\uFEEE\uFEAD" // شهادة حضور
)

// rev reverses a string rune by rune: an Arabic word of presentation forms
// (no marks) in visual order.
func rev(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// TestDisplay checks Display = Visual(Shape(s)) on real lines. Each expected
// value follows UAX #9 by hand: the paragraph level comes from the first
// strong character; Arabic letters are R (odd level), Latin words inside an
// Arabic line and numbers after Arabic are one level up (even), so they
// read left to right; then each run at level ≥ 2 is reversed, then each at
// level ≥ 1.
func TestDisplay(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"latin only", "Certificate of Attendance", "Certificate of Attendance"},
		// Pure Arabic: the whole line is level 1 and is reversed.
		{"one word", "محمد", rev(muhammad)},
		{"programme", "سفراء المدن الذكية", rev(aldhakia) + " " + rev(almudun) + " " + rev(sufara)},
		{"lam-alef", "السلام", rev(salam)},
		{"lam-alef hamza", "الإمارات", rev(emirates)},
		{"la", "لا", "\uFEFB"},
		// The shadda stays after its base (rule L3), so the renderer draws it
		// over the م: visual د, then م+ّ, then ح, then م.
		{"shadda", "محمّد", "\uFEAA\uFEE4\u0651\uFEA4\uFEE3"},
		// RTL line; "Smart City" is level 2 (kept in order), "12" is an
		// Arabic number (W2) at level 2; the spaces between are level 1.
		{"latin in arabic", "ورشة Smart City رقم 12",
			"12 " + rev(raqm) + " Smart City " + rev(warsha)},
		{"number in arabic", "ورشة رقم 12", "12 " + rev(raqm) + " " + rev(warsha)},
		// RTL (first strong is ن; ١٢ is AN, not strong). Both numbers are
		// level 2 and keep their digit order; ١٢ ends up on the right.
		{"date", "١٢ نوفمبر 2026", "2026 " + rev(november) + " " + twelveAr},
		// Brackets around Arabic are R (N0), reversed and mirrored.
		{"brackets", "(مسقط)", "(" + rev(muscat) + ")"},
		// Brackets around Latin in an Arabic line take the line's direction.
		{"latin in brackets", "ولاية (Muscat)", "(Muscat) " + rev(wilaya)},
		// LTR line: the Arabic name (level 1) is reversed in place.
		{"latin first", "Certificate for أحمد البلوشي",
			"Certificate for " + rev(balushi) + " " + rev(ahmad)},
		// LTR line with a number after Arabic: the number is level 2 and
		// belongs to the Arabic run (as in every browser), the rest is level 0.
		{"latin first with number", "Workshop ورشة رقم 12 on 2026",
			"Workshop 12 " + rev(raqm) + " " + rev(warsha) + " on 2026"},
		// The case go-text's Runs get wrong on their own: "Tel ٩٦٨" is one
		// even run holding levels 0 (Tel) and 2 (٩٦٨), and ٩٦٨ must move to
		// the right of the Arabic word that follows it.
		{"mixed-level run", "Tel ٩٦٨ أحمد", "Tel " + rev(ahmad) + " " + ninesix8},
		// Trailing punctuation in an Arabic line goes to the left end.
		{"question", "محمد؟", "؟" + rev(muhammad)},
		{"two lines", "شهادة حضور\nCertificate of Attendance",
			rev(phrase) + "\nCertificate of Attendance"},
		{"crlf", "محمد\r\nمسقط", rev(muhammad) + "\r\n" + rev(muscat)},
		// Bidi controls steer and are then dropped.
		{"rlm", "\u200Fمحمد\u200F", rev(muhammad)},
	}
	for _, tt := range tests {
		if got := Display(tt.in); got != tt.want {
			t.Errorf("%s: Display(%q)\n got %+q\nwant %+q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestVisualUnshaped checks Visual on its own, with logical letters.
func TestVisualUnshaped(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"latin in arabic", "ورشة Smart City رقم 12", "12 مقر Smart City ةشرو"},
		{"brackets", "(مسقط)", "(طقسم)"},
		{"guillemets", "«مسقط»", "«طقسم»"},
		// Units of base + marks are reversed whole: د, مّ َ, حَ, مُ.
		{"marks after base", "\u0645\u064F\u062D\u064E\u0645\u0651\u064E\u062F",
			"\u062F\u0645\u0651\u064E\u062D\u064E\u0645\u064F"},
		{"latin paragraph, arabic at end", "Name: علي", "Name: يلع"},
		// After Arabic, digits are Arabic numbers (W2) and the spaces and the
		// + between them resolve to R, so UAX #9 splits a phone number, as
		// browsers do...
		{"phone in arabic", "هاتف +968 9555 1234", "1234 9555 968+ فتاه"},
		// ...unless it is isolated (LRI … PDI); the controls are removed.
		{"isolated phone", "هاتف \u2066+968 9555 1234\u2069", "+968 9555 1234 فتاه"},
		{"email in arabic", "البريد ali@example.om", "ali@example.om ديربلا"},
		// A tab is a segment separator: it takes the paragraph level (L1).
		{"tab", "محمد\t12", "12\tدمحم"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := Visual(tt.in); got != tt.want {
			t.Errorf("%s: Visual(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestVisualDir(t *testing.T) {
	// Auto: Latin first, so LTR; forced RTL puts the Arabic word first (on
	// the right) and the Latin name to its left.
	in := "Ahmed أحمد"
	if got, want := Visual(in), "Ahmed دمحأ"; got != want {
		t.Errorf("Visual(%q) = %q, want %q", in, got, want)
	}
	if got, want := VisualDir(in, true), "دمحأ Ahmed"; got != want {
		t.Errorf("VisualDir(%q, true) = %q, want %q", in, got, want)
	}
	if got, want := VisualDir(in, false), "Ahmed دمحأ"; got != want {
		t.Errorf("VisualDir(%q, false) = %q, want %q", in, got, want)
	}
	// A line of an Arabic paragraph that starts with a number.
	in = "12 ورشة"
	if got, want := Visual(in), "ةشرو 12"; got != want {
		t.Errorf("Visual(%q) = %q, want %q", in, got, want)
	}
	if got, want := VisualDir(in, true), "ةشرو 12"; got != want {
		t.Errorf("VisualDir(%q, true) = %q, want %q", in, got, want)
	}
	// Forced LTR on Arabic: the word is still reversed, but trailing
	// punctuation stays on the right.
	if got, want := VisualDir("محمد!", false), "دمحم!"; got != want {
		t.Errorf("VisualDir(محمد!, false) = %q, want %q", got, want)
	}
	// Forced RTL on Latin: the brackets follow the Latin around them (N0),
	// everything is level 2 and nothing moves or mirrors.
	if got, want := VisualDir("abc (x)", true), "abc (x)"; got != want {
		t.Errorf("VisualDir(abc (x), true) = %q, want %q", got, want)
	}
}

// TestRunLevelsExact guards the read of go-text's unexported per-character
// levels (see runLevels): without it, "Tel ٩٦٨ أحمد" comes out wrong.
func TestRunLevelsExact(t *testing.T) {
	if levelsField == nil {
		t.Fatal("bidi.Runs has no levels field any more: check runLevels against the new go-text API")
	}
	var p bidi.Paragraph
	rs := []rune("Tel ٩٦٨ أحمد")
	runs := p.Segment(rs, bidi.Neutral)
	got := runLevels(&runs, len(rs))
	want := []bidi.Level{0, 0, 0, 0, 2, 2, 2, 1, 1, 1, 1, 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("levels = %v, want %v", got, want)
	}
	if runs.NumRuns() != 2 || runs.Run(0).Level != 0 {
		t.Logf("go-text now splits runs by level (%d runs): runLevels may read them directly", runs.NumRuns())
	}
}

func TestVisualFastPath(t *testing.T) {
	s := "Certificate of Attendance (2026)"
	if allocs := testing.AllocsPerRun(100, func() { _ = Visual(s) }); allocs != 0 {
		t.Errorf("Visual of Latin text allocates %v times", allocs)
	}
}

// FuzzShapeVisual: Shape, Visual and Display never panic, give valid UTF-8
// and never drop or invent a character: after undoing presentation forms
// (compatibility decomposition) and mirroring, and leaving out the bidi
// controls that Visual removes, the multiset of code points is the input's.
// NFKD rather than NFKC, since composition depends on what is adjacent and
// Shape moves a mark from inside lam-alef to after it (ل ٓ ا composes
// differently from ل ا ٓ).
func FuzzShapeVisual(f *testing.F) {
	for _, s := range []string{
		"", "محمد", "سفراء المدن الذكية", "السلام", "الإمارات", "لا", "محمّد",
		"ورشة Smart City رقم 12", "١٢ نوفمبر 2026", "(مسقط)", "Certificate for أحمد البلوشي",
		"Tel ٩٦٨ أحمد", "لَا", "ل\u0653ا", "\u202Babc\u202C د", "a\nب\rc\u2029", "\u2067(x)\u2069",
		"ـبـ", "ب\u200Cب\u200D", "\uFEFB", "[«‹≤x≥›»]", "\u0651", "a\u0301ب\u0301",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := letterCounts(string([]rune(s))) // each bad byte becomes U+FFFD
		outputs := map[string]string{
			"Shape":         Shape(s),
			"Visual":        Visual(s),
			"VisualDir rtl": VisualDir(s, true),
			"VisualDir ltr": VisualDir(s, false),
			"Display":       Display(s),
		}
		for name, out := range outputs {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, out)
			}
			if got := letterCounts(out); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s(%q) = %+q: letters differ\n got %v\nwant %v", name, s, out, got, want)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x0600 && r <= 0x06FF }) {
			if got := Shape(s); got != s {
				t.Fatalf("Shape(%q) = %q: changed text without Arabic letters", s, got)
			}
		}
	})
}

// letterCounts counts code points after NFKD, with mirrored pairs counted as
// one and bidi controls left out.
func letterCounts(s string) map[rune]int {
	m := map[rune]int{}
	for _, r := range norm.NFKD.String(s) {
		if isBidiControl(r) {
			continue
		}
		if p, ok := mirrorPairs[r]; ok && p < r {
			r = p
		}
		m[r]++
	}
	return m
}

var visualSink string

func BenchmarkDisplay(b *testing.B) {
	for _, s := range []string{
		"شهادة حضور ورشة سفراء المدن الذكية - محافظة مسقط",
		"Certificate for أحمد بن سالم البلوشي, 12 hours",
	} {
		b.Run("", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				visualSink = Display(s)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	// جامعة 4: Arabic letters at level 1, the number at 2, in either
	// paragraph; "IoT" at 2 in a right-to-left paragraph, 0 in a left-to-right one.
	cases := []struct {
		s    string
		rtl  bool
		want []int
	}{
		{"اب 4", true, []int{1, 1, 1, 2}},
		{"اب 4", false, []int{1, 1, 1, 2}},
		{"اب IoT", true, []int{1, 1, 1, 2, 2, 2}},
		{"Io اب", false, []int{0, 0, 0, 1, 1}},
		{"", true, []int{}},
	}
	for _, c := range cases {
		got := Levels([]rune(c.s), c.rtl)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Levels(%q, %v) = %v, want %v", c.s, c.rtl, got, c.want)
		}
	}
}
