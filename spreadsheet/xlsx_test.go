package spreadsheet

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/oman-sca/safeer/input"
	"github.com/xuri/excelize/v2"
)

// buildRoster writes a workbook as HQ sends them: a hidden lookup sheet in
// front, then the roster with an Arabic header, a date cell in Excel's
// default short-date format, a custom d/m/yyyy date, a Hijri-formatted
// date, a date-time, a phone stored as a number (General and "0000 0000"),
// and a blank row.
func buildRoster(t *testing.T, date1904 bool) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if date1904 {
		must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}))
	}
	must(f.SetSheetName("Sheet1", "lookup"))
	must(f.SetCellValue("lookup", "A1", "مسقط"))
	idx, err := f.NewSheet("السفراء")
	must(err)
	f.SetActiveSheet(idx) // Excel will not hide the active sheet
	must(f.SetSheetVisible("lookup", false))

	s := "السفراء"
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		must(err)
		return id
	}
	dmy, hijri, phoneFmt := "dd/mm/yyyy", "[$-1010000]B2d/m/yyyy;@", "0000 0000"
	shortDate := style(&excelize.Style{NumFmt: 14})
	custom := style(&excelize.Style{CustomNumFmt: &dmy})
	hijriDate := style(&excelize.Style{CustomNumFmt: &hijri})
	dateTime := style(&excelize.Style{NumFmt: 22})
	phone := style(&excelize.Style{CustomNumFmt: &phoneFmt})
	twoDecimals := style(&excelize.Style{NumFmt: 2})

	serial := 45356.0 // 2024-03-05 in the 1900 system
	if date1904 {
		serial -= 1462
	}
	must(f.SetSheetRow(s, "A1", &[]any{"الاسم", "الهاتف", "تاريخ الانضمام", "الرقم المدني", "الساعات"}))
	must(f.SetSheetRow(s, "A2", &[]any{"أحمد", 91234567, serial, 12345678, 2.5}))
	must(f.SetCellStyle(s, "C2", "C2", shortDate))
	// Row 3 left blank on purpose; row 4 has only an empty string.
	must(f.SetCellValue(s, "A4", ""))
	must(f.SetSheetRow(s, "A5", &[]any{"  فاطمة\u200f ", 91234567, serial + 1, "012345", 3}))
	must(f.SetCellStyle(s, "B5", "B5", phone))
	must(f.SetCellStyle(s, "C5", "C5", custom))
	must(f.SetCellStyle(s, "E5", "E5", twoDecimals))
	must(f.SetSheetRow(s, "A6", &[]any{"سالم", "+968 9234 5678", serial + 2.75}))
	must(f.SetCellStyle(s, "C6", "C6", dateTime))
	must(f.SetSheetRow(s, "A7", &[]any{"مريم", nil, serial + 3}))
	must(f.SetCellStyle(s, "C7", "C7", hijriDate))
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		data := buildRoster(t, date1904)
		tab, err := ReadXLSX(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		wantHeader := []string{"الاسم", "الهاتف", "تاريخ الانضمام", "الرقم المدني", "الساعات"}
		if !reflect.DeepEqual(tab.Header, wantHeader) {
			t.Fatalf("header = %q", tab.Header)
		}
		want := map[int][]string{
			2: {"أحمد", "91234567", "2024-03-05", "12345678", "2.5"},
			5: {"فاطمة", "9123 4567", "2024-03-06", "012345", "3.00"},
			6: {"سالم", "+968 9234 5678", "2024-03-07 18:00", "", ""},
			7: {"مريم", "", "2024-03-08", "", ""},
		}
		if got := rowsOf(tab); !reflect.DeepEqual(got, want) {
			t.Fatalf("1904=%v: rows = %v, want %v", date1904, got, want)
		}
		// What comes out must be what package input reads.
		for _, r := range tab.Rows {
			if _, err := input.Date(r.Cells[2]); err != nil {
				t.Errorf("row %d: input.Date(%q): %v", r.Number, r.Cells[2], err)
			}
			if _, err := input.Phone(r.Cells[1]); err != nil {
				t.Errorf("row %d: input.Phone(%q): %v", r.Number, r.Cells[1], err)
			}
		}
	}
}

func TestReadXLSXSheetAndOpen(t *testing.T) {
	data := buildRoster(t, false)
	tab, err := ReadXLSXSheet(bytes.NewReader(data), " LOOKUP ")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Header) != 1 || tab.Header[0] != "مسقط" || len(tab.Rows) != 0 {
		t.Fatalf("lookup sheet = %+v", tab)
	}
	_, err = ReadXLSXSheet(bytes.NewReader(data), "Roster")
	checkBilingual(t, err, "no sheet named «Roster»", "«السفراء»")

	dir := t.TempDir()
	for _, name := range []string{"roster.xlsx", "renamed.csv", "renamed.XLS"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if tab := mustOpen(t, p); len(tab.Rows) != 4 || tab.Rows[0].Number != 2 {
			t.Errorf("%s: rows = %+v", name, tab.Rows)
		}
	}

	_, err = ReadXLSX(bytes.NewReader([]byte("PK\x03\x04 not really a zip")))
	checkBilingual(t, err, "cannot read the workbook")
	_, err = ReadXLSX(bytes.NewReader([]byte("name,phone\n")))
	checkBilingual(t, err, "not an .xlsx")
}

func TestFormatKind(t *testing.T) {
	cases := map[string]dateKind{
		"dd/mm/yyyy":                  dateOnly,
		"d-mmm-yy":                    dateOnly,
		"[$-1010000]B2d/m/yyyy;@":     dateOnly,
		"[$-F800]dddd, mmmm dd, yyyy": dateOnly,
		"yyyy-mm-dd hh:mm":            dateTime,
		"m/d/yyyy h:mm AM/PM":         dateTime,
		"h:mm":                        notDate,
		"[h]:mm:ss":                   notDate,
		"mm:ss":                       notDate,
		"0000 0000":                   notDate,
		"#,##0.00 \"days\"":           notDate,
		"0.0\\d":                      notDate,
		"[Red]0.00;[Blue]-0.00":       notDate,
		"General":                     notDate,
		"0;\"dd\"":                    notDate,
		"@":                           notDate,
	}
	for code, want := range cases {
		if got := formatKind(code); got != want {
			t.Errorf("formatKind(%q) = %v, want %v", code, got, want)
		}
	}
	for id, want := range map[int]dateKind{0: notDate, 1: notDate, 14: dateOnly, 17: dateOnly, 20: notDate, 22: dateTime, 49: notDate, 57: dateOnly} {
		if got := builtinKind(id); got != want {
			t.Errorf("builtinKind(%d) = %v, want %v", id, got, want)
		}
	}
}

func TestGeneralNumber(t *testing.T) {
	cases := map[string]string{
		"91234567":            "91234567",
		"0.30000000000000004": "0.3",
		"2.4999999999999996":  "2.5",
		"1.2345678E7":         "12345678",
		"9.6891234567E10":     "96891234567",
		"2.5":                 "2.5",
		"-1.5":                "-1.5",
		"1E+21":               "1E+21",
	}
	for in, want := range cases {
		if got := generalNumber(in); got != want {
			t.Errorf("generalNumber(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"", "e", "-", "1-2", "abc", "Inf", "NaN", "0x10"} {
		if looksNumeric(s) {
			t.Errorf("looksNumeric(%q) = true", s)
		}
	}
}
