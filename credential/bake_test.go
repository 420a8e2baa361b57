package credential

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
)

// readITXt is a reader of PNG chunks written from the PNG specification
// (PNG 1.2, sections 3.2 and 4.2.3.3), independent of BakePNG: it returns
// the texts of the iTXt chunks with keyword, checking every chunk's CRC.
func readITXt(t *testing.T, img []byte, keyword string) []string {
	t.Helper()
	if !bytes.Equal(img[:8], []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("no PNG signature")
	}
	var texts []string
	for p := 8; p < len(img); {
		length := int(binary.BigEndian.Uint32(img[p:]))
		typ := string(img[p+4 : p+8])
		data := img[p+8 : p+8+length]
		if crc32.ChecksumIEEE(img[p+4:p+8+length]) != binary.BigEndian.Uint32(img[p+8+length:]) {
			t.Fatalf("chunk %s: bad CRC", typ)
		}
		p += 12 + length
		if typ == "IEND" && p != len(img) {
			t.Fatal("bytes after IEND")
		}
		if typ != "iTXt" {
			continue
		}
		fields := bytes.SplitN(data, []byte{0}, 2) // keyword, rest
		if string(fields[0]) != keyword {
			continue
		}
		rest := fields[1]
		if rest[0] != 0 || rest[1] != 0 {
			t.Fatalf("compression flag %d, method %d: want 0, 0", rest[0], rest[1])
		}
		parts := bytes.SplitN(rest[2:], []byte{0}, 3) // language tag, translated keyword, text
		texts = append(texts, string(parts[2]))
	}
	return texts
}

func testPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{0x0e, 0x60, 0x64, 0xff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBakePNG(t *testing.T) {
	token := strings.Repeat("eyJhbGciOiJFZERTQSJ9.", 3) + "sig"
	baked, err := BakePNG(testPNG(t), token)
	if err != nil {
		t.Fatal(err)
	}
	if got := readITXt(t, baked, "openbadgecredential"); len(got) != 1 || got[0] != token {
		t.Fatalf("baked texts %q", got)
	}
	if _, err := png.Decode(bytes.NewReader(baked)); err != nil {
		t.Fatalf("the baked image no longer decodes: %v", err)
	}
	if got, ok, err := FromPNG(baked); err != nil || !ok || got != token {
		t.Fatalf("FromPNG: %q %v %v", got, ok, err)
	}
	if _, ok, err := FromPNG(testPNG(t)); ok || err != nil {
		t.Fatalf("FromPNG of an unbaked image: %v %v", ok, err)
	}
	// Baking again replaces the credential: one chunk, the new one.
	again, err := BakePNG(baked, "other.token.x")
	if err != nil {
		t.Fatal(err)
	}
	if got := readITXt(t, again, "openbadgecredential"); len(got) != 1 || got[0] != "other.token.x" {
		t.Fatalf("re-baked texts %q", got)
	}
	for name, bad := range map[string][]byte{
		"not a PNG":    []byte("GIF89a"),
		"truncated":    baked[:len(baked)-5],
		"no IEND":      baked[:len(baked)-12],
		"bad CRC":      append(append([]byte{}, baked[:len(baked)-1]...), baked[len(baked)-1]^1),
		"after IEND":   append(append([]byte{}, baked...), baked[8:20]...),
		"IHDR not 1st": append(append([]byte{}, baked[:8]...), baked[8+25:]...),
	} {
		if _, err := BakePNG(bad, token); err == nil {
			t.Errorf("%s: baked", name)
		}
	}
}

// svgCredentials reads an SVG with encoding/xml, apart from BakeSVG, and
// returns the verify attributes of the credential elements in the Open
// Badges 3.0 namespace, and whether the first was the <svg>'s first child.
func svgCredentials(t *testing.T, svg []byte) (tokens []string, first bool) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	depth, children := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return tokens, first
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				children++
			}
			if el.Name.Space == "https://purl.imsglobal.org/ob/v3p0" && el.Name.Local == "credential" {
				for _, a := range el.Attr {
					if a.Name.Local == "verify" {
						tokens = append(tokens, a.Value)
					}
				}
				if len(tokens) == 1 {
					first = depth == 2 && children == 1
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}

func TestBakeSVG(t *testing.T) {
	svg := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`)
	token := "eyJhbGciOiJFZERTQSJ9.eyJpZCI6IngifQ.c2ln"
	baked, err := BakeSVG(svg, token)
	if err != nil {
		t.Fatal(err)
	}
	if got, first := svgCredentials(t, baked); len(got) != 1 || got[0] != token || !first {
		t.Fatalf("baked %q (first child %v):\n%s", got, first, baked)
	}
	for name, bad := range map[string][]byte{
		"no svg":       []byte(`<html></html>`),
		"self-closing": []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`),
		"baked":        baked,
		"svgx":         []byte(`<svgx></svgx>`),
	} {
		if _, err := BakeSVG(bad, token); err == nil {
			t.Errorf("%s: baked", name)
		}
	}
	if _, err := BakeSVG(svg, `a"><script>`); err == nil {
		t.Error("baked a token that is no JWS")
	}
}
