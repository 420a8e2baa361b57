package certificate

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// recordsFile is the name of the file Render embeds in each PDF: the QR
// texts of its certificates, one a line, compressed like any PDF stream.
const recordsFile = "safeer-records.txt"

// embeddedFile finds fpdf's embedded-file stream headers.
var embeddedFile = regexp.MustCompile(`<< /Type /EmbeddedFile /Length (\d+) /Filter /FlateDecode[^\n]*\n\s*stream\r?\n`)

// RecordsInPDF returns the QR texts of the certificates in a PDF made by
// Render, in page order, read from the file Render embeds: no rendering and
// no QR scanning needed. It returns nil for any other PDF.
func RecordsInPDF(pdf []byte) []string {
	var out []string
	for _, m := range embeddedFile.FindAllSubmatchIndex(pdf, -1) {
		n, err := strconv.Atoi(string(pdf[m[2]:m[3]]))
		if err != nil || n < 0 || m[1]+n > len(pdf) {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			continue
		}
		text, err := io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(text), "\n") {
			if line == "" {
				continue
			}
			if _, err := PayloadFromQR(line); err == nil {
				out = append(out, line)
			}
		}
	}
	return out
}
