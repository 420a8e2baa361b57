package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is a file format Write produces.
type Format string

// The formats Write knows.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Column is one column of a sheet to write.
type Column struct {
	Name string
	// Numeric columns hold numbers (hours, counts): a value that reads as
	// a number is written as one (unescaped in CSV, a number cell in
	// XLSX), so "-1.5" stays a number there. Every other value of the
	// column, and every value of a text column, is escaped (Escape).
	Numeric bool
}

// Columns names the columns of a sheet; those named in numeric are
// Numeric.
func Columns(names []string, numeric ...string) []Column {
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{Name: n}
		for _, m := range numeric {
			if n == m {
				cols[i].Numeric = true
			}
		}
	}
	return cols
}

// escapeLead are the first characters with which a spreadsheet program
// (Excel, LibreOffice, Google Sheets) reads a cell as a formula or a DDE
// command, as OWASP's CSV injection guidance lists them: = + - @, tab and
// carriage return.
const escapeLead = "=+-@\t\r"

// Escape keeps a spreadsheet program from running a cell as a formula
// (CSV or formula injection: a name typed as =HYPERLINK("http://x","y") or
// +cmd|'/c calc'!A0 would otherwise be a live link or command in whoever
// opens the export). Text starting with = + - @, tab or carriage return
// gets a leading apostrophe, so the program shows it as text (apostrophe
// included) instead of running it. In a numeric
// column a value that reads as a number ("-2", "+1.5") is left as it is.
//
// Every writer of Safeer (the device's exports and HQ's) goes through
// Write, which applies this to every cell; Unescape undoes it on reading.
//
// Text that already starts with apostrophes before such a character gets
// one more, so that Unescape gives back exactly what was written.
func Escape(s string, numeric bool) string {
	if !leads(s) || (numeric && isNumber(s)) {
		return s
	}
	return "'" + s
}

// Unescape undoes Escape: one apostrophe before (apostrophes and) one of
// the escaped first characters is dropped, so an export imports back as it
// was.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && leads(s[1:]) {
		return s[1:]
	}
	return s
}

// leads reports whether s starts, after any apostrophes, with one of
// escapeLead.
func leads(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.ContainsRune(escapeLead, rune(s[0]))
}

// isNumber is true for a finite decimal number as a spreadsheet would read
// it (not "NaN", "Inf" or hexadecimal, which ParseFloat also accepts).
func isNumber(s string) bool {
	if strings.ContainsAny(s, "xXnNiI_") {
		return false
	}
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// Write writes one sheet, named name in an XLSX workbook, with a header
// row of the columns' names and the rows next yields until it returns nil.
// Every cell is escaped (Escape). CSV is UTF-8 with a byte-order mark
// (which Excel needs to read Arabic) and CRLF line ends (what Excel on
// Windows writes); in XLSX text is always text, so ids and phones never
// turn into numbers, and numeric columns hold numbers. Write returns how
// many rows (not counting the header) it wrote.
func Write(w io.Writer, format Format, name string, cols []Column, next func() ([]string, error)) (int, error) {
	switch format {
	case CSV:
		return writeCSV(w, cols, next)
	case XLSX:
		return writeXLSX(w, name, cols, next)
	}
	return 0, fmt.Errorf("cannot write a spreadsheet as %q: choose csv or xlsx", format)
}

// Rows yields rows one at a time, for Write.
func Rows(rows [][]string) func() ([]string, error) {
	i := 0
	return func() ([]string, error) {
		if i == len(rows) {
			return nil, nil
		}
		i++
		return rows[i-1], nil
	}
}

func header(cols []Column) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = Escape(c.Name, false)
	}
	return h
}

// numeric says whether cell i of a row is in a numeric column (a row
// longer than the header has text columns beyond it).
func numeric(cols []Column, i int) bool { return i < len(cols) && cols[i].Numeric }

func writeCSV(w io.Writer, cols []Column, next func() ([]string, error)) (int, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header(cols)); err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, err := next()
		if err != nil {
			return n, err
		}
		if rec == nil {
			break
		}
		out := make([]string, len(rec))
		for i, c := range rec {
			out[i] = Escape(c, numeric(cols, i))
		}
		if err := cw.Write(out); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

func writeXLSX(w io.Writer, name string, cols []Column, next func() ([]string, error)) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return 0, err
	}
	row := func(r int, cells []any) error {
		ref, err := excelize.CoordinatesToCellName(1, r)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, cells)
	}
	h := header(cols)
	cells := make([]any, len(h))
	for i, c := range h {
		cells[i] = c
	}
	if err := row(1, cells); err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, err := next()
		if err != nil {
			return n, err
		}
		if rec == nil {
			break
		}
		cells := make([]any, len(rec))
		for i, c := range rec {
			if numeric(cols, i) && isNumber(c) {
				cells[i], _ = strconv.ParseFloat(c, 64)
			} else {
				cells[i] = Escape(c, false)
			}
		}
		if err := row(n+2, cells); err != nil {
			return n, err
		}
		n++
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if _, err := f.WriteTo(w); err != nil {
		return n, fmt.Errorf("write xlsx: %w", err)
	}
	return n, nil
}
