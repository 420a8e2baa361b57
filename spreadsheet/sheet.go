// Package spreadsheet reads and writes spreadsheets, CSV and XLSX, for the
// device and for HQ.
//
// Reading takes roster files as HQ really sends them into a Table of
// trimmed text cells with the row numbers a person sees in Excel, and maps
// their header cells, in Arabic or English, to Safeer's field names. It
// only reads text; turning cells into phones, dates and so on is the job of
// package input, and deciding what a row means is the importer's.
//
// Writing (Write) is the one way Safeer writes a spreadsheet, so every
// export escapes cells that a spreadsheet program would run as a formula
// (Escape), and reading undoes that escape.
package spreadsheet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/oman-sca/safeer/message"
)

// Table is a sheet's header and its non-blank rows.
type Table struct {
	// Header is the first non-blank row, trimmed. Its length is the
	// table's width: every Row has exactly as many cells.
	Header []string
	Rows   []Row
	// SHA256 is the hex SHA-256 of the file's bytes (Open sets it), which
	// recognises the same file imported twice.
	SHA256 string
}

// Row is one non-blank data row.
type Row struct {
	// Number is the spreadsheet row number a person sees in Excel: the
	// header's row counts, and blank rows are skipped but still counted.
	Number int
	// Cells are trimmed of spaces and invisible direction marks at both
	// ends and padded with "" to the width of the table.
	Cells []string
}

// Error is what every function of this package returns: a reason, as a
// message of the catalogue (package message) and rendered in English and
// Arabic, and the underlying error when there is one (so
// errors.Is(err, fs.ErrNotExist) works).
type Error struct {
	Msg message.Message
	En  string
	Ar  string
	Err error
}

func (e *Error) Error() string            { return e.En }
func (e *Error) Unwrap() error            { return e.Err }
func (e *Error) Message() message.Message { return e.Msg }

// fail is the error saying m, caused by err (nil when nothing underlies it).
func fail(err error, m message.Message) *Error {
	return &Error{Msg: m, En: m.English(), Ar: m.Arabic(), Err: err}
}

// Limits that keep a wrong or hostile file from exhausting memory. Real
// rosters are far smaller; 16384 is Excel's own column limit.
const (
	maxFileBytes = 256 << 20
	maxColumns   = 16384
)

// Open reads a roster file, choosing the reader by extension: .csv, .txt
// and .tsv as CSV, .xlsx and .xlsm as Excel workbooks (first visible
// sheet). The content wins over the extension when they disagree (an .xlsx
// renamed to .csv is read as a workbook), because people rename files.
// Old .xls workbooks and password-protected ones get an error that says how
// to save the file instead.
func Open(path string) (*Table, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls":
	case ".ods":
		return nil, fail(nil, message.New("sheet.open.ods", message.Quoted("file", filepath.Base(path))))
	default:
		return nil, fail(nil, message.New("sheet.open.type", message.Quoted("file", filepath.Base(path))))
	}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(err, message.New("sheet.open.not_found", message.Latin("path", path)))
	}
	if err != nil {
		return nil, fail(err, message.New("sheet.open.failed", message.Latin("path", path), message.Latin("cause", err.Error())))
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, fail(nil, message.New("sheet.open.folder", message.Latin("path", path)))
	}
	data, err := readAll(fh)
	if err != nil {
		return nil, err
	}
	var tbl *Table
	switch {
	case isZip(data):
		tbl, err = readXLSXBytes(data, "")
	case isOLE(data):
		return nil, oleError(data)
	case ext == ".xls":
		return nil, oldExcelError()
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, notXLSXError()
	default:
		tbl, err = readCSVBytes(data)
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	tbl.SHA256 = hex.EncodeToString(sum[:])
	return tbl, nil
}

// readAll reads at most maxFileBytes.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fail(err, message.New("sheet.read.failed", message.Latin("cause", err.Error())))
	}
	if len(data) > maxFileBytes {
		return nil, fail(nil, message.New("sheet.read.too_large", message.Int("mib", maxFileBytes>>20)))
	}
	return data, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
	// encryptedPackage is the UTF-16LE name of the stream in which Excel
	// stores a password-protected workbook inside an OLE container.
	encryptedPackage = []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")
)

func isZip(b []byte) bool { return bytes.HasPrefix(b, zipMagic) }
func isOLE(b []byte) bool { return bytes.HasPrefix(b, oleMagic) }

// oleError explains an OLE compound file: either an old .xls workbook or
// an .xlsx protected with a password (Excel wraps those in OLE too).
func oleError(b []byte) error {
	if bytes.Contains(b, encryptedPackage) {
		return fail(nil, message.New("sheet.password"))
	}
	return oldExcelError()
}

func oldExcelError() error {
	return fail(nil, message.New("sheet.xls"))
}

func notXLSXError() error {
	return fail(nil, message.New("sheet.not_xlsx"))
}

// isInvisible reports format characters that copy-paste from Arabic
// documents leaves around values: direction marks and embeddings,
// zero-width characters, the BOM and soft hyphen.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u061c', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isInvisible(r) })
}

// builder turns raw rows into a Table: it trims cells and undoes the
// formula escape of Safeer's own exports (Unescape), skips blank rows
// (their numbers are simply not used), takes the first non-blank row as the
// header and pads everything to one width. Trailing empty cells do not
// widen the table, so "a,b,,,," does not invent columns.
type builder struct {
	t      Table
	header bool
	width  int
}

func (b *builder) add(number int, cells []string) error {
	last := -1
	for i, c := range cells {
		if c = trimCell(Unescape(trimCell(c))); c != "" {
			last = i
		}
		cells[i] = c
	}
	if last < 0 {
		return nil
	}
	if last >= maxColumns {
		return fail(nil, message.New("sheet.row.columns", message.Int("row", number), message.Int("max", maxColumns)))
	}
	cells = cells[: last+1 : last+1]
	b.width = max(b.width, len(cells))
	if !b.header {
		b.t.Header, b.header = cells, true
		return nil
	}
	b.t.Rows = append(b.t.Rows, Row{Number: number, Cells: cells})
	return nil
}

func (b *builder) table() (*Table, error) {
	if !b.header {
		return nil, fail(nil, message.New("sheet.empty"))
	}
	pad := func(c []string) []string {
		if len(c) < b.width {
			c = append(c, make([]string, b.width-len(c))...)
		}
		return c
	}
	b.t.Header = pad(b.t.Header)
	for i := range b.t.Rows {
		b.t.Rows[i].Cells = pad(b.t.Rows[i].Cells)
	}
	return &b.t, nil
}
