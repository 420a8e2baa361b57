package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"

	"github.com/oman-sca/safeer/assets"
)

type oneFace struct{ f *font.Face }

func (o oneFace) ResolveFace(rune) *font.Face { return o.f }

// drawnByFyne is the order in which Fyne 2.7 draws s: it splits a canvas
// text into runs with go-text's Segmenter (internal/painter/font.go,
// walkString), draws the runs one after the other from the left and the
// glyphs of a right-to-left run from its end. Marks draw nothing.
func drawnByFyne(t *testing.T, s string) string {
	t.Helper()
	face, err := font.ParseTTF(bytes.NewReader(assets.AmiriRegular))
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(s)
	in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: di.DirectionLTR, Face: face, Size: 16 << 6}
	var b strings.Builder
	for _, run := range (&shaping.Segmenter{}).Split(in, oneFace{face}) {
		rs := slices.Clone(run.Text[run.RunStart:run.RunEnd])
		if run.Direction.Progression() == di.TowardTopLeft {
			slices.Reverse(rs)
		}
		for _, r := range rs {
			if !isInvisible(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// Numbers with a plus or hyphens, and file names, inside Arabic text come
// out whole where Fyne draws them (the issue read "968+", "pdf.2026-12-05"):
// checked on what displayText hands Fyne, through the run splitting Fyne
// itself uses, not through our own reordering. Handed the logical text as
// it is, Fyne would draw "8+ … 968".
func TestNumbersDrawnWholeByFyne(t *testing.T) {
	for _, tc := range []struct{ logical, want string }{
		{"يجب أن يتكون من 8 أرقام (أو \u2066+968\u2069 و8 أرقام)", "+968"},
		{"الهاتف \u2066+96891234567\u2069 مسجل", "+96891234567"},
		{"ورشة \u20662026-12-06\u2069 في نزوى", "2026-12-06"},
		{"الملف \u2066report.pdf\u2069 جاهز", "report.pdf"},
	} {
		for _, rtl := range []bool{true, false} {
			drawn := drawnByFyne(t, displayText(tc.logical, rtl))
			if !strings.Contains(drawn, tc.want) {
				t.Errorf("%q (rtl %v) is drawn %q: %q is not whole", tc.logical, rtl, drawn, tc.want)
			}
		}
	}
}
