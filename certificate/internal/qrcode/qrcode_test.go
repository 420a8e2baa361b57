package qrcode

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// sameAsBoombuler checks our symbol against boombuler/barcode's, module for
// module: same version, same mask choice, same bits.
func sameAsBoombuler(t *testing.T, text string, level Level) {
	t.Helper()
	ours, err := Encode(text, level)
	if err != nil {
		t.Fatalf("Encode(%q): %v", text, err)
	}
	theirs, err := qr.Encode(text, qr.ErrorCorrectionLevel(level), qr.Auto)
	if err != nil {
		t.Fatalf("boombuler: %v", err)
	}
	if theirs.Bounds().Dx() != ours.Size {
		t.Fatalf("%q: size %d, boombuler %d", text, ours.Size, theirs.Bounds().Dx())
	}
	for y := range ours.Size {
		for x := range ours.Size {
			r, _, _, _ := theirs.At(x, y).RGBA()
			if (r < 0x8000) != ours.Dark(x, y) {
				t.Fatalf("%q (version %d, level %d, our mask %d): module (%d, %d) differs from boombuler", text, ours.Version, level, ours.Mask, x, y)
			}
		}
	}
}

func TestSameAsBoombuler(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for i := range 160 {
		n := 1 + rng.IntN(700)
		var b strings.Builder
		b.WriteString("HTTPS://X/") // never all digits: boombuler would pick numeric mode
		for range n {
			b.WriteByte(alnum[rng.IntN(len(alnum))])
		}
		text := b.String()
		if i%3 == 0 { // byte mode
			text = strings.ToLower(text[:len(text)/2]) + "é" + text[len(text)/2:]
		}
		sameAsBoombuler(t, text, Level(i%4))
	}
}

// TestDecodes scans symbols of many versions with zbarimg.
func TestDecodes(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg is needed (apt-get install zbar-tools)")
	}
	dir := t.TempDir()
	for _, n := range []int{1, 30, 150, 400, 700, 1200, 2000} {
		text := "HTTPS://SAFEER.SCA.OM/V/" + strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n/32+1)[:n]
		c, err := Encode(text, M)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("v%d.png", c.Version))
		writeSymbol(t, c, path)
		out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
		if err != nil {
			t.Fatalf("version %d: zbarimg: %v", c.Version, err)
		}
		if got := strings.TrimSpace(string(out)); got != text {
			t.Fatalf("version %d: zbarimg read %q", c.Version, got)
		}
	}
	if _, err := Encode(strings.Repeat("A", 5000), L); err != ErrTooLong {
		t.Errorf("5000 characters: %v", err)
	}
}

func writeSymbol(t *testing.T, c *Code, path string) {
	const scale, quiet = 4, 4
	side := (c.Size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			mx, my := x/scale-quiet, y/scale-quiet
			v := uint8(255)
			if mx >= 0 && my >= 0 && mx < c.Size && my < c.Size && c.Dark(mx, my) {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkEncode(b *testing.B) {
	text := "HTTPS://SAFEER.SCA.OM/V/" + strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)
	for b.Loop() {
		if _, err := Encode(text, M); err != nil {
			b.Fatal(err)
		}
	}
}
