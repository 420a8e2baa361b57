package spreadsheet

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/oman-sca/safeer/message"
	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads the first visible sheet of an .xlsx workbook.
//
// Cells come out as the text Excel displays (so a phone formatted
// "0000 0000" reads "9123 4567"), except:
//   - cells with a date format come out as ISO dates ("2024-03-05", with
//     " 15:04" when the cell also holds a time of day), whatever the format
//     shows: Excel's default short date renders month first with a two-digit
//     year ("03-05-24"), which no one could read back safely, and Hijri
//     formats show a different calendar;
//   - numbers in the General format are rounded to Excel's 15 significant
//     digits and written without exponent, so 0.30000000000000004 reads
//     "0.3" and 1.2345678E7 reads "12345678".
//
// Row numbers are the sheet's own; blank rows are skipped but counted.
func ReadXLSX(r io.Reader) (*Table, error) { return ReadXLSXSheet(r, "") }

// ReadXLSXSheet is ReadXLSX for the sheet with the given name (matched
// exactly, then ignoring case and surrounding spaces). An empty name means
// the first visible sheet.
func ReadXLSXSheet(r io.Reader, sheet string) (*Table, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	return readXLSXBytes(data, sheet)
}

func readXLSXBytes(data []byte, name string) (*Table, error) {
	if isOLE(data) {
		return nil, oleError(data)
	}
	if !isZip(data) {
		return nil, notXLSXError()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		// Bounds the unzipped size: a small hostile file can expand to
		// gigabytes.
		UnzipSizeLimit: 1 << 30,
	})
	if err != nil {
		return nil, fail(err, message.New("sheet.xlsx.unreadable", message.Latin("cause", err.Error())))
	}
	defer f.Close()
	sheet, err := pickSheet(f, name)
	if err != nil {
		return nil, err
	}
	shown, err := f.GetRows(sheet)
	if err != nil {
		return nil, sheetReadError(sheet, err)
	}
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, sheetReadError(sheet, err)
	}
	x := xlsxCells{f: f, sheet: sheet, dateStyle: map[int]dateKind{}}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	var b builder
	for i := range max(len(shown), len(raw)) {
		var s, v []string
		if i < len(shown) {
			s = shown[i]
		}
		if i < len(raw) {
			v = raw[i]
		}
		cells := make([]string, max(len(s), len(v)))
		for j := range cells {
			var sj, vj string
			if j < len(s) {
				sj = s[j]
			}
			if j < len(v) {
				vj = v[j]
			}
			cells[j] = x.text(i, j, sj, vj)
		}
		// GetRows puts row n at index n-1, with empty rows in between.
		if err := b.add(i+1, cells); err != nil {
			return nil, err
		}
	}
	return b.table()
}

func sheetReadError(sheet string, err error) error {
	return fail(err, message.New("sheet.xlsx.sheet_unreadable", message.Quoted("sheet", sheet), message.Latin("cause", err.Error())))
}

// pickSheet finds the sheet to read: by name, or the first visible one
// (HQ workbooks often keep hidden lookup sheets in front).
func pickSheet(f *excelize.File, name string) (string, error) {
	list := f.GetSheetList()
	if name == "" {
		for _, s := range list {
			if visible, err := f.GetSheetVisible(s); err == nil && visible {
				return s, nil
			}
		}
		return "", fail(nil, message.New("sheet.xlsx.no_visible_sheet"))
	}
	for _, s := range list {
		if s == name {
			return s, nil
		}
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(name)) {
			return s, nil
		}
	}
	return "", fail(nil, message.New("sheet.xlsx.no_such_sheet", message.Quoted("sheet", name), message.QuotedList("sheets", list...)))
}

type dateKind uint8

const (
	notDate dateKind = iota
	dateOnly
	dateTime
)

type xlsxCells struct {
	f         *excelize.File
	sheet     string
	date1904  bool
	dateStyle map[int]dateKind // by style index: formats repeat, lookups do not need to
}

// text chooses the text of the cell at 0-based row i, column j from its
// displayed and raw values.
func (x *xlsxCells) text(i, j int, shown, raw string) string {
	if !looksNumeric(raw) {
		return shown
	}
	if shown == raw {
		// General format (or none): excelize shows the stored number.
		return generalNumber(raw)
	}
	kind := x.kind(i, j)
	if kind == notDate {
		return shown
	}
	v, err := strconv.ParseFloat(raw, 64)
	// 2958465 is 9999-12-31, Excel's last date.
	if err != nil || v < 1 || v > 2958465 {
		return shown
	}
	t, err := excelize.ExcelDateToTime(v, x.date1904)
	if err != nil {
		return shown
	}
	t = t.Round(time.Second)
	if kind == dateOnly || (t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0) {
		return t.Format(time.DateOnly)
	}
	if t.Second() != 0 {
		return t.Format(time.DateTime)
	}
	return t.Format("2006-01-02 15:04")
}

func (x *xlsxCells) kind(i, j int) dateKind {
	cell, err := excelize.CoordinatesToCellName(j+1, i+1)
	if err != nil {
		return notDate
	}
	idx, err := x.f.GetCellStyle(x.sheet, cell)
	if err != nil {
		return notDate
	}
	if k, ok := x.dateStyle[idx]; ok {
		return k
	}
	k := notDate
	if st, err := x.f.GetStyle(idx); err == nil && st != nil {
		if st.CustomNumFmt != nil {
			k = formatKind(*st.CustomNumFmt)
		} else {
			k = builtinKind(st.NumFmt)
		}
	}
	x.dateStyle[idx] = k
	return k
}

// builtinKind classifies Excel's built-in number formats (ECMA-376
// 18.8.30): 14–17 dates, 22 date and time, 27–31, 36 and 50–58 the
// East Asian locale dates; 18–21, 32–35 and 45–47 are times of day only.
func builtinKind(id int) dateKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return dateOnly
	case id == 22:
		return dateTime
	}
	return notDate
}

// formatKind classifies a custom number format code by its first section:
// a date has a day or year token once literal text ("…", \x, _x, *x) and
// bracketed parts ([Red], [$-1010000], [h]) are set aside. "m" alone is
// not enough, as it also means minutes.
func formatKind(code string) dateKind {
	var date, clock bool
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			inBracket = c != ']'
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == ';':
			i = len(code)
		default:
			switch c | 0x20 { // ASCII lower case
			case 'd', 'y':
				date = true
			case 'h', 's':
				clock = true
			}
		}
	}
	switch {
	case date && clock:
		return dateTime
	case date:
		return dateOnly
	}
	return notDate
}

// looksNumeric is true for a stored number: digits with optional sign,
// decimal point and exponent (which is how the XML holds them).
func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	if !digits {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// generalNumber writes a stored number as Excel's General format shows it
// in a wide column: at most 15 significant digits and no exponent.
func generalNumber(raw string) string {
	if !strings.ContainsAny(raw, ".eE") {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) >= 1e21 {
		return raw
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}
