package certificate

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/oman-sca/safeer/arabic"
)

// The verification code is what a person types into HQ's verification page
// when they cannot scan the QR code: CodeLen symbols of Crockford base32
// (no I, L, O or U, so nothing reads as 0 or 1 or another letter), the last
// one a Luhn mod 32 check symbol that catches every single mistyped symbol
// and nearly every swap of two neighbours before a request is even sent.
const (
	// CodeLen is the length of a canonical verification code.
	CodeLen = 10
	// crockford is Crockford's base32 alphabet.
	crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// ErrCode reports a verification code that is not one.
var ErrCode = errors.New("not a verification code")

// NewCode returns a fresh random verification code in canonical form:
// 9 random symbols (45 bits) and a check symbol.
func NewCode() string {
	var buf [CodeLen - 1]byte
	// crypto/rand.Read never returns an error (Go 1.24+); it panics instead.
	_, _ = rand.Read(buf[:])
	var code [CodeLen]byte
	for i, b := range buf {
		code[i] = crockford[b&31]
	}
	code[CodeLen-1] = crockford[luhn32(code[:CodeLen-1])]
	return string(code[:])
}

// NormalizeCode turns what a person typed or read into the canonical code:
// upper case, without spaces or dashes, with O read as 0 and I or L read as
// 1 (Crockford's rule), Arabic-Indic digits as ASCII digits. It fails when
// the result is not CodeLen symbols or its check symbol does not match.
func NormalizeCode(s string) (string, error) {
	s = arabic.Digits(s)
	var b strings.Builder
	b.Grow(CodeLen)
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 0x7f || strings.IndexByte(crockford, byte(r)) < 0 {
			return "", fmt.Errorf("%w: %q has the character %q", ErrCode, s, r)
		}
		if b.Len() == CodeLen {
			return "", fmt.Errorf("%w: %q is longer than %d characters", ErrCode, s, CodeLen)
		}
		b.WriteByte(byte(r))
	}
	code := b.String()
	if len(code) != CodeLen {
		return "", fmt.Errorf("%w: %q has %d characters, not %d", ErrCode, s, len(code), CodeLen)
	}
	if crockford[luhn32([]byte(code[:CodeLen-1]))] != code[CodeLen-1] {
		return "", fmt.Errorf("%w: %q has a typing mistake (check character does not match)", ErrCode, s)
	}
	return code, nil
}

// ValidCode reports whether s, after NormalizeCode, is a verification code.
func ValidCode(s string) bool {
	_, err := NormalizeCode(s)
	return err == nil
}

// FormatCode groups a canonical code as XXXXX-XXXXX for print, which is
// easier to read aloud and to copy. Anything else is returned unchanged.
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:5] + "-" + code[5:]
}

// luhn32 is the Luhn mod N algorithm for N = 32 over canonical symbols.
func luhn32(symbols []byte) int {
	factor, sum := 2, 0
	for i := len(symbols) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(crockford, symbols[i])
		factor = 3 - factor
		sum += addend/32 + addend%32
	}
	return (32 - sum%32) % 32
}

// packCode packs a canonical code into 7 bytes (10 symbols × 5 bits), the
// form the QR record carries.
func packCode(code string) ([7]byte, error) {
	var out [7]byte
	if len(code) != CodeLen {
		return out, fmt.Errorf("%w: %q", ErrCode, code)
	}
	var acc uint64
	for i := 0; i < CodeLen; i++ {
		v := strings.IndexByte(crockford, code[i])
		if v < 0 {
			return out, fmt.Errorf("%w: %q", ErrCode, code)
		}
		acc = acc<<5 | uint64(v)
	}
	acc <<= 6 // 50 bits, left-aligned in 56
	for i := 6; i >= 0; i-- {
		out[i] = byte(acc)
		acc >>= 8
	}
	return out, nil
}

// unpackCode reverses packCode. It reports false when the padding bits are
// not zero or the check symbol does not match.
func unpackCode(b []byte) (string, bool) {
	var acc uint64
	for _, x := range b[:7] {
		acc = acc<<8 | uint64(x)
	}
	if acc&0x3f != 0 {
		return "", false
	}
	acc >>= 6
	var code [CodeLen]byte
	for i := CodeLen - 1; i >= 0; i-- {
		code[i] = crockford[acc&31]
		acc >>= 5
	}
	if crockford[luhn32(code[:CodeLen-1])] != code[CodeLen-1] {
		return "", false
	}
	return string(code[:]), true
}
