// Package spreadsheet reads and writes spreadsheets, CSV and XLSX, for the
// device and for HQ.
//
// Reading takes roster files as HQ really sends them into a Table of
// trimmed text cells with the row numbers a person sees in Excel, and maps
// their header cells, in Arabic or English, to Safeer's field names. It
// only reads text; turning cells into phones, dates and so on is the job of
// package data/input, and deciding what a row means is the importer's.
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
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
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

// Error is what every function of this package returns: a reason in
// English and in Arabic, and the underlying error when there is one (so
// errors.Is(err, fs.ErrNotExist) works).
type Error struct {
	En  string
	Ar  string
	Err error
}

func (e *Error) Error() string { return e.En }
func (e *Error) Unwrap() error { return e.Err }

// Limits that keep a wrong or hostile file from exhausting memory. Real
// rosters are far smaller; 16384 is Excel's own column limit.
const (
	maxFileBytes = 256 << 20
	maxColumns   = 16384
)

// lrm keeps Latin and numbers in order inside Arabic messages.
const lrm = "\u200e"

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
		return nil, &Error{
			En: "cannot read " + quote(filepath.Base(path)) + ": OpenDocument spreadsheets are not supported; save it as .xlsx or CSV UTF-8",
			Ar: "لا يمكن قراءة " + quote(filepath.Base(path)) + ": صيغة OpenDocument غير مدعومة؛ احفظ الملف بصيغة " + lrm + ".xlsx أو CSV UTF-8",
		}
	default:
		return nil, &Error{
			En: "cannot read " + quote(filepath.Base(path)) + ": unsupported file type; use .xlsx or .csv (CSV UTF-8)",
			Ar: "لا يمكن قراءة " + quote(filepath.Base(path)) + ": نوع ملف غير مدعوم؛ استخدم " + lrm + ".xlsx أو " + lrm + ".csv (CSV UTF-8)",
		}
	}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{En: "file not found: " + path, Ar: "الملف غير موجود: " + lrm + path, Err: err}
	}
	if err != nil {
		return nil, &Error{En: "cannot open " + path + ": " + err.Error(), Ar: "تعذر فتح الملف " + lrm + path, Err: err}
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, &Error{En: path + " is a folder, not a file", Ar: lrm + path + " مجلد وليس ملفًا"}
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
		return nil, &Error{En: "cannot read the file: " + err.Error(), Ar: "تعذرت قراءة الملف", Err: err}
	}
	if len(data) > maxFileBytes {
		return nil, &Error{
			En: fmt.Sprintf("the file is larger than %d MiB; split it into smaller files", maxFileBytes>>20),
			Ar: fmt.Sprintf("حجم الملف أكبر من %d ميغابايت؛ قسّمه إلى ملفات أصغر", maxFileBytes>>20),
		}
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
		return &Error{
			En: "the workbook is protected with a password: open it in Excel, remove the password and save it again",
			Ar: "المصنف محمي بكلمة مرور: افتحه في Excel وأزل كلمة المرور ثم احفظه من جديد",
		}
	}
	return oldExcelError()
}

func oldExcelError() error {
	return &Error{
		En: "old Excel format (.xls): save it as .xlsx or CSV UTF-8",
		Ar: "صيغة Excel قديمة (" + lrm + ".xls): احفظ الملف بصيغة " + lrm + ".xlsx أو CSV UTF-8",
	}
}

func notXLSXError() error {
	return &Error{
		En: "not an .xlsx workbook (the file is damaged or in another format): save it again as .xlsx or CSV UTF-8",
		Ar: "ليس مصنف " + lrm + ".xlsx (الملف تالف أو بصيغة أخرى): احفظه من جديد بصيغة " + lrm + ".xlsx أو CSV UTF-8",
	}
}

func quote(s string) string { return "«" + s + "»" }

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
		return &Error{
			En: fmt.Sprintf("row %d has more than %d columns", number, maxColumns),
			Ar: fmt.Sprintf("الصف %d فيه أكثر من %d عمود", number, maxColumns),
		}
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
		return nil, &Error{En: "the sheet is empty: no header row found", Ar: "الورقة فارغة: لا يوجد صف عناوين"}
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
