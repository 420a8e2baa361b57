package arabic

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"already folded", "احمد البلوشي", "احمد البلوشي"},

		// Tashkeel, superscript alef and tatweel.
		{"fatha sukun", "أَحْمَد", "احمد"},
		{"shadda", "محمّد", "محمد"},
		{"tanween", "كتابًا", "كتابا"},
		{"superscript alef", "هٰذا", "هذا"},
		{"hamza below mark", "سٕ", "س"},
		{"tatweel", "محـــمد", "محمد"},
		{"quranic mark", "الله\u06DA", "الله"},

		// Letter unification.
		{"alef hamza above", "أحمد", "احمد"},
		{"alef hamza below", "إبراهيم", "ابراهيم"},
		{"alef madda", "آمنة", "امنه"},
		{"alef wasla", "ٱلرحمن", "الرحمن"},
		{"taa marbuta", "فاطمة", "فاطمه"},
		{"alef maqsura", "مصطفى", "مصطفي"},
		{"waw hamza", "مسؤول", "مسوول"},
		{"yeh hamza", "عائشة", "عايشه"},
		{"persian keheh", "کمال", "كمال"},
		{"persian yeh", "علی", "علي"},
		{"urdu heh goal", "شاہ", "شاه"},

		// Digits.
		{"arabic-indic digits", "٩٦٨", "968"},
		{"extended digits", "۱۲۳", "123"},
		{"phone", "+٩٦٨ ٩٥٥ ١٢٣٤", "+968 955 1234"},
		{"decimal separator", "٣٫٥", "3.5"},

		// Latin.
		{"spaces and case", "  Ahmed   AL-Balushi ", "ahmed al-balushi"},
		{"accents precomposed", "José Müller", "jose muller"},
		{"accents combining", "Jose\u0301", "jose"},
		{"vietnamese", "Nguyễn", "nguyen"},
		{"o stroke", "Søren", "soren"},
		{"kelvin sign", "\u212Aarim", "karim"},
		{"email kept", "Ahmed.Ali+ws@Example.OM", "ahmed.ali+ws@example.om"},

		// Invisible characters.
		{"zwnj", "می\u200Cخواهم", "ميخواهم"},
		{"zwj", "ب\u200Dب", "بب"},
		{"lrm rlm", "\u200Eأحمد\u200F", "احمد"},
		{"bom", "\uFEFFSafeer", "safeer"},
		{"alm", "\u061C١٢", "12"},
		{"isolates", "\u2067محمد\u2069 Ali", "محمد ali"},

		// Separators.
		{"comma", "البلوشي، أحمد", "البلوشي احمد"},
		{"ascii punctuation", "O'Brien, (Dr.) / ali_salim", "o brien dr. ali salim"},
		{"nbsp and tabs", "محمد\u00A0\tسالم\n", "محمد سالم"},
		{"ideographic space", "a\u3000b", "a b"},
		{"question mark", "من؟", "من"},
		{"emoji", "Ali🙂Salim", "ali salim"},
		{"invalid utf-8", "a\xffb", "a b"},
		{"space before dropped", "a \u200D b", "a b"},

		// Compatibility characters.
		{"presentation forms", "\uFEE3\uFEA4\uFEE4\uFEAA", "محمد"},
		{"lam-alef ligature", "\uFEFB", "لا"},
		{"lam-alef hamza ligature", "\uFEF7\uFEE3\uFEAE", "لامر"},
		{"fullwidth", "ＡＢＣ１２", "abc12"},
		{"latin ligature", "ﬁrdaus", "firdaus"},
		{"allah ligature", "عبد\uFDF2", "عبدالله"},
		{"honorific ligature", "محمد \uFDFA", "محمد صلي الله عليه وسلم"},
		{"isolated tashkeel form", "ب\uFE70", "ب"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("%s: Fold(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestFoldMatches checks the pairs that search must treat as one name.
func TestFoldMatches(t *testing.T) {
	pairs := [][2]string{
		{"أَحْمَد", "احمد"},
		{"فاطمة", "فاطمه"},
		{"مصطفى", "مصطفي"},
		{"إبراهيم", "ابراهيم"},
		{"محـــمد", "محمد"},
		{"٩٦٨", "968"},
		{"  Ahmed   AL-Balushi ", "ahmed al-balushi"},
		{"عبدالله بن سعيد", "عبد\u0627\u0644\u0644\u0647 بن سعيد"},
		{"عائشة", "عايشه"},
		{"\uFE8D\uFEDF\uFE92\uFEE0\uFEEE\uFEB7\uFEF2", "البلوشي"}, // copied from a PDF
	}
	for _, p := range pairs {
		if a, b := Fold(p[0]), Fold(p[1]); a != b {
			t.Errorf("Fold(%q) = %q, Fold(%q) = %q; want equal", p[0], a, p[1], b)
		}
	}
}

func TestFoldAgreesWithDigits(t *testing.T) {
	for _, s := range []string{"٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"} {
		if got, want := Fold(s), Digits(s); got != want {
			t.Errorf("Fold(%q) = %q, Digits = %q", s, got, want)
		}
	}
}

// TestFoldFastPathNoCopy checks that a folded string comes back as is,
// without a copy: the load of 100,000 names relies on it.
func TestFoldFastPathNoCopy(t *testing.T) {
	for _, s := range []string{"احمد البلوشي", "ahmed al-balushi", "+968 9555 1234", "a"} {
		allocs := testing.AllocsPerRun(100, func() { _ = Fold(s) })
		if allocs != 0 {
			t.Errorf("Fold(%q) allocates %v times", s, allocs)
		}
		if got := Fold(s); got != s || unsafe.StringData(got) != unsafe.StringData(s) {
			t.Errorf("Fold(%q) = %q, not s itself", s, got)
		}
	}
	// A trailing space is trimmed by slicing, still without a copy.
	if allocs := testing.AllocsPerRun(100, func() { _ = Fold("ali ") }); allocs != 0 {
		t.Errorf("Fold with a trailing space allocates %v times", allocs)
	}
}

// TestFoldEveryRuneIdempotent folds each code point on its own and again,
// so no table entry can map to something that folds further.
func TestFoldEveryRuneIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("walks all of Unicode")
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		f := Fold(s)
		if g := Fold(f); g != f {
			t.Fatalf("U+%04X: Fold = %q, Fold(Fold) = %q", r, f, g)
		}
		// Between two letters, too: separators and dropped runes must not
		// leave a double or edge space.
		s2 := "a" + s + "b"
		f2 := Fold(s2)
		if g := Fold(f2); g != f2 {
			t.Fatalf("U+%04X in a word: Fold = %q, Fold(Fold) = %q", r, f2, g)
		}
	}
}

func TestFoldTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" ، ", nil},
		{"  أحمد  بن   سعيد البلوشي ", []string{"احمد", "بن", "سعيد", "البلوشي"}},
		{"Ahmed AL-Balushi", []string{"ahmed", "al-balushi"}},
	}
	for _, tt := range tests {
		if got := FoldTokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FoldTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"", " ", "أَحْمَد", "محـــمد", "  Ahmed   AL-Balushi ", "٩٦٨", "a\xffb",
		"\uFDFA", "\u200D \u200D", "ＡＢＣ", "ß ẞ ſ", "İstanbul", "ǅ", "\u0345",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q: invalid UTF-8", s, got)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold(%q) = %q, but Fold of that = %q", s, got, again)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Fold(%q) = %q: stray spaces", s, got)
		}
		if joined := strings.Join(FoldTokens(s), " "); joined != got {
			t.Fatalf("FoldTokens(%q) joined = %q, Fold = %q", s, joined, got)
		}
	})
}

var foldSink string

func BenchmarkFold(b *testing.B) {
	names := []struct{ name, s string }{
		{"arabic-folded", "محمد بن سالم بن سعيد البلوشي"},
		{"arabic-raw", "أَحْمَد بن عليّ بن سعيد الهنائيّة"},
		{"latin-folded", "mohammed salim said al-balushi"},
		{"latin-raw", "  Mohammed Salim  Said AL-BALUSHI "},
	}
	for _, n := range names {
		b.Run(n.name, func(b *testing.B) {
			b.SetBytes(int64(len(n.s)))
			b.ReportAllocs()
			for b.Loop() {
				foldSink = Fold(n.s)
			}
		})
	}
}
