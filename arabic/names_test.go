package arabic

import (
	"slices"
	"testing"
)

func TestNameTokensAndKey(t *testing.T) {
	toks := NameTokens(Fold("عبد الله بن سالم الحارثي"))
	for _, want := range []string{"عبد", "الله", "عبدالله", "الحارثي"} {
		if !slices.Contains(toks, want) {
			t.Errorf("NameTokens lacks %q: %v", want, toks)
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"عبد الله بن سالم الحارثي", "عبدالله سالم الحارثي"},
		{"أبو بكر بنت علي", "ابوبكر علي"},
		{"Abdul Rahman bin Said", "abdulrahman said"},
	} {
		if ka, kb := NameKey(Fold(tt.a)), NameKey(Fold(tt.b)); ka != kb {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q", tt.a, ka, tt.b, kb)
		}
	}
}
