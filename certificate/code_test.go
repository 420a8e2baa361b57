package certificate

import (
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if len(c) != CodeLen || !ValidCode(c) {
			t.Fatalf("NewCode() = %q, not a valid code", c)
		}
		if n, err := NormalizeCode(c); err != nil || n != c {
			t.Fatalf("NormalizeCode(%q) = %q, %v; want it unchanged", c, n, err)
		}
		if seen[c] {
			t.Fatalf("NewCode() repeated %q within 2000 codes", c)
		}
		seen[c] = true
	}
}

func TestNormalizeCode(t *testing.T) {
	code := "7K3M9QX2P" + string(crockford[luhn32([]byte("7K3M9QX2P"))])
	lower := strings.ToLower(code)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{code, code, true},
		{lower, code, true},
		{FormatCode(code), code, true},
		{" " + lower[:3] + " " + lower[3:7] + "-" + lower[7:] + " ", code, true},
		{"", "", false},
		{code[:9], "", false},
		{code + "0", "", false},
		{code[:9] + "U", "", false}, // U is not in the alphabet
		{code[:4] + "!" + code[5:], "", false},
	}
	// O, I and L are read as 0 and 1.
	zero := "0000000000"
	zero = zero[:9] + string(crockford[luhn32([]byte(zero[:9]))])
	tests = append(tests,
		struct {
			in, want string
			ok       bool
		}{"OOOOO-" + "oooo" + zero[9:], zero, true})
	one := "1111111111"
	one = one[:9] + string(crockford[luhn32([]byte(one[:9]))])
	tests = append(tests,
		struct {
			in, want string
			ok       bool
		}{"IiLlI-1LIl" + one[9:], one, true},
		// Arabic-Indic digits from an Arabic keyboard.
		struct {
			in, want string
			ok       bool
		}{"١١١١١١١١١" + one[9:], one, true})
	for _, tt := range tests {
		got, err := NormalizeCode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// The check symbol must catch every single mistyped symbol and every swap of
// two different neighbours (Luhn mod N's guarantee, bar one pair per N).
func TestCodeCheckCatchesTypos(t *testing.T) {
	missedSwaps := 0
	for range 200 {
		code := NewCode()
		for i := range CodeLen {
			for _, s := range []byte(crockford) {
				if s == code[i] {
					continue
				}
				typo := code[:i] + string(s) + code[i+1:]
				if ValidCode(typo) {
					t.Fatalf("%q → %q (one symbol changed) still passes the check", code, typo)
				}
			}
			if i+1 < CodeLen && code[i] != code[i+1] {
				swap := code[:i] + string(code[i+1]) + string(code[i]) + code[i+2:]
				if ValidCode(swap) {
					missedSwaps++
				}
			}
		}
	}
	if missedSwaps > 20 { // ~1800 swaps tried; Luhn mod 32 misses only 0↔Z
		t.Errorf("the check missed %d neighbour swaps", missedSwaps)
	}
}

func TestPackCode(t *testing.T) {
	for range 500 {
		c := NewCode()
		p, err := packCode(c)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := unpackCode(p[:])
		if !ok || got != c {
			t.Fatalf("unpackCode(packCode(%q)) = %q, %v", c, got, ok)
		}
	}
	if _, err := packCode("nope"); err == nil {
		t.Error("packCode accepted a short code")
	}
}
