package credential

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
)

// Baking: Open Badges 3.0 ("Badge Baking", PNG) carries a credential
// inside a badge image, so the picture an ambassador posts is the
// credential too. A PNG gets one iTXt chunk with the keyword
// "openbadgecredential", uncompressed, with empty language tag and
// translated keyword, whose text is the credential: for a credential
// secured with the JSON Web Token Proof Format, its compact JWS. An
// existing chunk with that keyword is replaced; the chunk goes before
// IEND (PNG allows iTXt anywhere between IHDR and IEND).

// PNGKeyword is the iTXt keyword of a baked Open Badges 3.0 credential.
const PNGKeyword = "openbadgecredential"

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// BakePNG returns img with token baked in. img must be a well-formed PNG
// (its signature, chunks with correct lengths and CRCs, IHDR first and
// IEND last).
func BakePNG(img []byte, token string) ([]byte, error) {
	if !bytes.HasPrefix(img, pngSignature) {
		return nil, errors.New("credential: not a PNG image")
	}
	out := bytes.NewBuffer(make([]byte, 0, len(img)+len(token)+64))
	out.Write(pngSignature)
	rest := img[len(pngSignature):]
	first, ended := true, false
	for len(rest) > 0 {
		if ended {
			return nil, errors.New("credential: data after the PNG's IEND chunk")
		}
		if len(rest) < 12 {
			return nil, errors.New("credential: a truncated PNG chunk")
		}
		n := binary.BigEndian.Uint32(rest)
		if n > 1<<31-1 || uint64(len(rest)) < 12+uint64(n) {
			return nil, errors.New("credential: a truncated PNG chunk")
		}
		typ, data := rest[4:8], rest[8:8+n]
		crc := binary.BigEndian.Uint32(rest[8+n:])
		if crc32.ChecksumIEEE(rest[4:8+n]) != crc {
			return nil, errors.New("credential: a PNG chunk with a bad CRC")
		}
		chunk := rest[:12+n]
		rest = rest[12+n:]
		switch string(typ) {
		case "IHDR":
			if !first {
				return nil, errors.New("credential: IHDR is not the PNG's first chunk")
			}
		case "iTXt":
			if kw, _, ok := bytes.Cut(data, []byte{0}); ok && string(kw) == PNGKeyword {
				continue // replaced below
			}
		case "IEND":
			writeChunk(out, "iTXt", iTXt(PNGKeyword, token))
			ended = true
		}
		if first && string(typ) != "IHDR" {
			return nil, errors.New("credential: IHDR is not the PNG's first chunk")
		}
		first = false
		out.Write(chunk)
	}
	if !ended {
		return nil, errors.New("credential: the PNG has no IEND chunk")
	}
	return out.Bytes(), nil
}

// iTXt is the data of an uncompressed iTXt chunk with no language tag
// and no translated keyword (PNG 1.2, 4.2.3.3): keyword, NUL, compression
// flag 0, compression method 0, language tag, NUL, translated keyword,
// NUL, text.
func iTXt(keyword, text string) []byte {
	b := make([]byte, 0, len(keyword)+5+len(text))
	b = append(b, keyword...)
	b = append(b, 0, 0, 0, 0, 0)
	return append(b, text...)
}

func writeChunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	start := w.Len()
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(w.Bytes()[start:]))
	w.Write(n[:])
}

// FromPNG returns the credential baked in a PNG (the text of its iTXt
// chunk openbadgecredential, uncompressed); ok is false when it has none.
func FromPNG(img []byte) (token string, ok bool, err error) {
	if !bytes.HasPrefix(img, pngSignature) {
		return "", false, errors.New("credential: not a PNG image")
	}
	for rest := img[len(pngSignature):]; len(rest) >= 12; {
		n := binary.BigEndian.Uint32(rest)
		if n > 1<<31-1 || uint64(len(rest)) < 12+uint64(n) {
			return "", false, errors.New("credential: a truncated PNG chunk")
		}
		typ, data := string(rest[4:8]), rest[8:8+n]
		rest = rest[12+n:]
		if typ == "IEND" {
			break
		}
		if typ != "iTXt" {
			continue
		}
		kw, after, found := bytes.Cut(data, []byte{0})
		if !found || string(kw) != PNGKeyword || len(after) < 2 {
			continue
		}
		if after[0] != 0 {
			return "", false, errors.New("credential: the baked credential is compressed")
		}
		_, after, _ = bytes.Cut(after[2:], []byte{0}) // language tag
		_, text, found := bytes.Cut(after, []byte{0}) // translated keyword
		if !found {
			return "", false, errors.New("credential: a damaged iTXt chunk")
		}
		return string(text), true, nil
	}
	return "", false, nil
}

// SVGNamespace is the XML namespace of a credential baked in an SVG image
// (Open Badges 3.0, "Baked Badge", SVG).
const SVGNamespace = "https://purl.imsglobal.org/ob/v3p0"

// BakeSVG returns the SVG image svg with token baked in as Open Badges
// 3.0 says for a credential secured as a JWT: an xmlns:openbadges
// attribute on the <svg> tag and, directly after it, an
// <openbadges:credential> element whose verify attribute is the compact
// JWS. svg must start (after an XML declaration, comments or white space)
// with its <svg> tag and hold no credential yet.
func BakeSVG(svg []byte, token string) ([]byte, error) {
	if bytes.Contains(svg, []byte("openbadges:credential")) {
		return nil, errors.New("credential: the SVG already holds a credential")
	}
	if strings.ContainsAny(token, "\"<>&'") || token == "" {
		return nil, errors.New("credential: not a compact JWS")
	}
	start := bytes.Index(svg, []byte("<svg"))
	if start < 0 || (len(svg) > start+4 && !isXMLSpace(svg[start+4])) {
		return nil, errors.New("credential: no <svg> tag")
	}
	end := bytes.IndexByte(svg[start:], '>')
	if end < 0 || svg[start+end-1] == '/' {
		return nil, errors.New("credential: the <svg> tag is not an opening tag")
	}
	end += start
	var out bytes.Buffer
	out.Write(svg[:end])
	out.WriteString(` xmlns:openbadges="` + SVGNamespace + `">`)
	out.WriteString(`<openbadges:credential verify="` + token + `"></openbadges:credential>`)
	out.Write(svg[end+1:])
	return out.Bytes(), nil
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// The programme's badge, the image credentials are baked into: the app's
// icon (assets/icon.png), and the same drawn as SVG. HQ's downloads and
// the devices' export use the same images.
var (
	//go:embed badge.png
	BadgePNG []byte
	//go:embed badge.svg
	BadgeSVG []byte
)
