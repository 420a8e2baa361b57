package spreadsheet

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/oman-sca/safeer/message"
)

// ReadCSV reads a CSV roster.
//
// Encoding: UTF-8 with or without BOM; UTF-16 with a BOM (Excel's "Unicode
// Text") is decoded too. Anything else, typically Windows-1256 from older
// Arabic Excel, is refused with the line of the first bad byte, rather than
// guessed and silently garbled.
//
// Delimiter: comma, semicolon or tab, whichever occurs most in the header
// line outside quotes (ties go to comma). A first line "sep=;" (Excel's own
// hint) sets it explicitly and, as in Excel, is not a row.
//
// Quoting follows Excel: a cell starting with '"' is quoted, "" is a quote,
// quoted cells may hold delimiters and line breaks; a quote elsewhere is an
// ordinary character. A quoted cell never closed is an error naming the
// line where it opened, since Excel would swallow the rest of the file into
// it. Line ends may be CRLF, LF or CR.
//
// Row numbers: Number is the row Excel shows when it opens the file. Each
// record is one row even when a quoted cell spans several lines, so after
// such a cell the Number is smaller than the line number in a text editor;
// without multi-line cells the two are the same. We count like Excel
// because that is where coordinators look for the row a report names.
func ReadCSV(r io.Reader) (*Table, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	return readCSVBytes(data)
}

func readCSVBytes(data []byte) (*Table, error) {
	data, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	p := csvParser{data: data, line: 1}
	p.delim = p.sepHint()
	if p.delim == 0 {
		p.delim = sniffDelimiter(data)
	}
	var b builder
	for number := 1; ; number++ {
		cells, ok, err := p.record()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if err := b.add(number, cells); err != nil {
			return nil, err
		}
	}
	return b.table()
}

// decodeText returns data as UTF-8 without BOM, or an error that says what
// the file really is.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], false), nil
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], true), nil
	case isZip(data):
		return nil, fail(nil, message.New("sheet.csv.is_xlsx"))
	case isOLE(data):
		return nil, oleError(data)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fail(nil, message.New("sheet.csv.nul", message.Int("line", lineAt(data, i))))
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		line := lineAt(data, i)
		return nil, fail(nil, message.New("sheet.csv.not_utf8", message.Int("line", line)))
	}
	return data, nil
}

func decodeUTF16(b []byte, bigEndian bool) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	// Unpaired surrogates become U+FFFD, so the result is valid UTF-8.
	return []byte(string(utf16.Decode(u)))
}

// lineAt is the 1-based text line holding byte offset i (CRLF, LF and CR
// each end a line).
func lineAt(data []byte, i int) int {
	line := 1
	for j := 0; j < i && j < len(data); j++ {
		if data[j] == '\n' || (data[j] == '\r' && (j+1 >= len(data) || data[j+1] != '\n')) {
			line++
		}
	}
	return line
}

// sniffDelimiter counts candidate delimiters outside quotes in the first
// non-blank line (the header).
func sniffDelimiter(data []byte) byte {
	start := 0
	for start < len(data) && strings.IndexByte(" \t\r\n,;", data[start]) >= 0 {
		// Skip blank lines and lines of delimiters only, but stay at the
		// start of the header line so its delimiters are counted.
		end := start
		for end < len(data) && data[end] != '\n' && data[end] != '\r' {
			end++
		}
		if strings.Trim(string(data[start:end]), " \t,;") != "" {
			break
		}
		for end < len(data) && (data[end] == '\n' || data[end] == '\r') {
			end++
		}
		start = end
	}
	counts := map[byte]int{}
	inQuotes := false
	for i := start; i < len(data); i++ {
		c := data[i]
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

type csvParser struct {
	data  []byte
	pos   int
	line  int // physical line of data[pos], for error messages
	delim byte
	width int // cells in the last record: the next one is likely as wide
}

// sepHint consumes an Excel "sep=X" first line and returns X, or 0.
func (p *csvParser) sepHint() byte {
	d := p.data
	if len(d) < 5 || !strings.EqualFold(string(d[:4]), "sep=") {
		return 0
	}
	c := d[4]
	rest := d[5:]
	if c != ',' && c != ';' && c != '\t' && c != '|' {
		return 0
	}
	switch {
	case len(rest) == 0:
	case bytes.HasPrefix(rest, []byte("\r\n")):
		rest = rest[2:]
	case rest[0] == '\n' || rest[0] == '\r':
		rest = rest[1:]
	default:
		return 0
	}
	p.pos = len(d) - len(rest)
	p.line = 2
	return c
}

// record reads one record; ok is false at the end of the data. A blank
// line is a record of one empty cell, so it is counted like in Excel.
func (p *csvParser) record() (cells []string, ok bool, err error) {
	d := p.data
	if p.pos >= len(d) {
		return nil, false, nil
	}
	var field strings.Builder
	cells = make([]string, 0, p.width)
	defer func() { p.width = len(cells) }()
	for {
		field.Reset()
		// Spaces before an opening quote are allowed (", "a, b"" as people
		// type it); they would be trimmed anyway.
		j := p.pos
		for j < len(d) && (d[j] == ' ' || (d[j] == '\t' && p.delim != '\t')) {
			j++
		}
		if j < len(d) && d[j] == '"' {
			openLine := p.line
			p.pos = j + 1
			for {
				k := bytes.IndexByte(d[p.pos:], '"')
				if k < 0 {
					return nil, false, fail(nil, message.New("sheet.csv.open_quote", message.Int("line", openLine)))
				}
				p.appendText(&field, d[p.pos:p.pos+k])
				p.pos += k + 1
				if p.pos < len(d) && d[p.pos] == '"' {
					field.WriteByte('"')
					p.pos++
					continue
				}
				break
			}
		}
		// Unquoted text, or what follows a closing quote: up to the
		// delimiter or the end of the line.
		k := p.pos
		for k < len(d) && d[k] != p.delim && d[k] != '\n' && d[k] != '\r' {
			k++
		}
		if field.Len() == 0 {
			cells = append(cells, string(d[p.pos:k])) // the common case: no quotes
		} else {
			field.Write(d[p.pos:k])
			cells = append(cells, field.String())
		}
		p.pos = k
		if p.pos >= len(d) {
			return cells, true, nil
		}
		if d[p.pos] == p.delim {
			p.pos++
			continue
		}
		if d[p.pos] == '\r' && p.pos+1 < len(d) && d[p.pos+1] == '\n' {
			p.pos++
		}
		p.pos++
		p.line++
		return cells, true, nil
	}
}

// appendText copies quoted text, turning CRLF and CR into LF and counting
// lines.
func (p *csvParser) appendText(b *strings.Builder, s []byte) {
	for len(s) > 0 {
		i := bytes.IndexAny(s, "\r\n")
		if i < 0 {
			b.Write(s)
			return
		}
		b.Write(s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		b.WriteByte('\n')
		p.line++
		s = s[i+1:]
	}
}
