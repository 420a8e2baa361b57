package arabic

import "testing"

func TestDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"123", "123"},
		{"٩٦٨٩١٢٣٤٥٦٧", "96891234567"},
		{"۱۲۳", "123"},
		{"+٩٦٨ 9٥٥", "+968 955"},
		{"أحمد", "أحمد"},
	}
	for _, tt := range tests {
		if got := Digits(tt.in); got != tt.want {
			t.Errorf("Digits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := ToArabicIndic("2026-11-29"); got != "٢٠٢٦-١١-٢٩" {
		t.Errorf("ToArabicIndic = %q", got)
	}
}
