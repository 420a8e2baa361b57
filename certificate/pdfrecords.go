package certificate

import (
	"bytes"
	"regexp"
)

// uriPattern finds link annotations' targets in a PDF: Render makes each
// QR code a link to the same text it encodes, so a PDF can be verified
// without rendering it and reading the QR image back.
var uriPattern = regexp.MustCompile(`/URI\s*\(((?:[^()\\]|\\.)*)\)`)

// RecordsInPDF returns the QR texts of the certificates in a PDF made by
// Render, in page order.
func RecordsInPDF(pdf []byte) []string {
	var out []string
	for _, m := range uriPattern.FindAllSubmatch(pdf, -1) {
		out = append(out, string(unescapePDF(m[1])))
	}
	return out
}

// unescapePDF undoes the backslash escapes of a PDF literal string.
func unescapePDF(b []byte) []byte {
	if !bytes.ContainsRune(b, '\\') {
		return b
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}
