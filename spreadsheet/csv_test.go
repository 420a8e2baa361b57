package spreadsheet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// writeFile writes content into a fresh temporary directory.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustOpen(t *testing.T, path string) *Table {
	t.Helper()
	tab, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", filepath.Base(path), err)
	}
	return tab
}

// rowsOf summarises a table as number → cells, for compact expectations.
func rowsOf(t *Table) map[int][]string {
	m := map[int][]string{}
	for _, r := range t.Rows {
		m[r.Number] = r.Cells
	}
	return m
}

// checkBilingual asserts err is a *Error with both languages and an English
// text containing each of want.
func checkBilingual(t *testing.T, err error, want ...string) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *spreadsheet.Error", err, err)
	}
	if se.En == "" || se.Ar == "" {
		t.Fatalf("incomplete error %#v", se)
	}
	// The words are the catalogue's: a code of this package, rendered.
	if !strings.HasPrefix(string(se.Msg.Code), "sheet.") || se.Msg.English() != se.En || se.Msg.Arabic() != se.Ar {
		t.Fatalf("the error's words are not its message's: %#v", se)
	}
	for _, w := range want {
		if !strings.Contains(se.En, w) {
			t.Errorf("error %q does not mention %q", se.En, w)
		}
	}
}

func TestReadCSVArabicBOMCRLF(t *testing.T) {
	// As Excel's "CSV UTF-8" writes it, with the blank rows people leave:
	// line 1 blank, header on 2, blank rows 4 and 6 (one only of commas),
	// a direction mark around a phone, trailing blank lines.
	content := "\ufeff" +
		"\r\n" +
		"الاسم,رقم الهاتف,المحافظة,الجنس\r\n" +
		"أحمد البلوشي,+968 9123 4567,مسقط,ذكر\r\n" +
		"\r\n" +
		" فاطمة الحارثي , \u200f٩١٢٣٤٥٦٧\u200f ,ظفار,أنثى\r\n" +
		",,,\r\n" +
		"سالم,,الداخلية\r\n" +
		"\r\n\r\n"
	tab := mustOpen(t, writeFile(t, "roster.csv", []byte(content)))
	wantHeader := []string{"الاسم", "رقم الهاتف", "المحافظة", "الجنس"}
	if !reflect.DeepEqual(tab.Header, wantHeader) {
		t.Fatalf("header = %q, want %q", tab.Header, wantHeader)
	}
	want := map[int][]string{
		3: {"أحمد البلوشي", "+968 9123 4567", "مسقط", "ذكر"},
		5: {"فاطمة الحارثي", "٩١٢٣٤٥٦٧", "ظفار", "أنثى"},
		7: {"سالم", "", "الداخلية", ""},
	}
	if got := rowsOf(tab); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func TestReadCSVSemicolonQuotedMultiline(t *testing.T) {
	// Semicolons (Excel in locales with a decimal comma), quoted cells with
	// the delimiter, doubled quotes and a line break inside a cell.
	content := "Name (English);Phone;Notes\n" +
		"\"Al Balushi; Ahmed\";91234567;\"says \"\"hi\"\"\"\n" +
		"Salim;92345678;\"first line\nsecond line\"\n" +
		"\n" +
		"Aisha;93456789;5\" screen\n"
	tab, err := ReadCSV(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tab.Header, "|"); got != "Name (English)|Phone|Notes" {
		t.Fatalf("header = %q", got)
	}
	// Excel shows the multi-line record as one row (3), the blank line as
	// row 4, Aisha as row 5 (she is on line 6 of the text).
	want := map[int][]string{
		2: {"Al Balushi; Ahmed", "91234567", `says "hi"`},
		3: {"Salim", "92345678", "first line\nsecond line"},
		5: {"Aisha", "93456789", `5" screen`},
	}
	if got := rowsOf(tab); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func TestReadCSVDelimiters(t *testing.T) {
	cases := []struct {
		name, in string
		header   []string
		first    []string
	}{
		{"comma", "a,b;c\n1,2;3\n", []string{"a", "b;c"}, []string{"1", "2;3"}},
		{"tab", "الاسم\tالهاتف\tملاحظات, أخرى\nسالم\t91234567\tx, y\n", []string{"الاسم", "الهاتف", "ملاحظات, أخرى"}, []string{"سالم", "91234567", "x, y"}},
		{"semicolon beats comma", "a;b;c,d\n1;2;3,4\n", []string{"a", "b", "c,d"}, []string{"1", "2", "3,4"}},
		{"quoted delimiters do not count", "\"a;b;c\",d\n1,2\n", []string{"a;b;c", "d"}, []string{"1", "2"}},
		{"single column", "name\nSalim\n", []string{"name"}, []string{"Salim"}},
		{"sep hint", "sep=;\r\na,b;c\r\n1,2;3\r\n", []string{"a,b", "c"}, []string{"1,2", "3"}},
		{"CR only", "a,b\r1,2\r", []string{"a", "b"}, []string{"1", "2"}},
		{"spaces before quotes", "a, \"b, c\"\n1, \"2, 3\"\n", []string{"a", "b, c"}, []string{"1", "2, 3"}},
		{"blank lines and delimiters before header", "\n;;\n ; \na;b\n1;2\n", []string{"a", "b"}, []string{"1", "2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tab, err := ReadCSV(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tab.Header, c.header) || len(tab.Rows) != 1 || !reflect.DeepEqual(tab.Rows[0].Cells, c.first) {
				t.Fatalf("got %q %+v; want %q %q", tab.Header, tab.Rows, c.header, c.first)
			}
		})
	}
}

func TestReadCSVRowNumbers(t *testing.T) {
	// sep= is not a row in Excel; the header is then row 1.
	tab, err := ReadCSV(strings.NewReader("sep=,\nname\n\nA\n\"B\nB\"\nC\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, r := range tab.Rows {
		got = append(got, r.Number)
	}
	if want := []int{3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("numbers = %v, want %v", got, want)
	}
}

func TestReadCSVRagged(t *testing.T) {
	// Short rows are padded; trailing empty cells do not widen the table;
	// a row with data beyond the header widens it (blank header cell).
	tab, err := ReadCSV(strings.NewReader("a,b,c,,\n1\n1,2,3,,,,\n1,2,3,4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c", ""}; !reflect.DeepEqual(tab.Header, want) {
		t.Fatalf("header = %q, want %q", tab.Header, want)
	}
	want := [][]string{{"1", "", "", ""}, {"1", "2", "3", ""}, {"1", "2", "3", "4"}}
	for i, r := range tab.Rows {
		if !reflect.DeepEqual(r.Cells, want[i]) {
			t.Errorf("row %d = %q, want %q", r.Number, r.Cells, want[i])
		}
	}
}

func TestReadCSVUTF16(t *testing.T) {
	// Excel's "Unicode Text": UTF-16LE with BOM, tab-separated.
	text := "الاسم\tالهاتف\r\nسالم\t٩١٢٣٤٥٦٧\r\n"
	u := utf16.Encode([]rune(text))
	le := []byte{0xff, 0xfe}
	be := []byte{0xfe, 0xff}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	for name, b := range map[string][]byte{"le": le, "be": be} {
		tab := mustOpen(t, writeFile(t, "roster-"+name+".txt", b))
		if tab.Header[1] != "الهاتف" || tab.Rows[0].Cells[1] != "٩١٢٣٤٥٦٧" || tab.Rows[0].Number != 2 {
			t.Errorf("%s: got %q %+v", name, tab.Header, tab.Rows)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	// "محمد" in Windows-1256 on line 3.
	cp1256 := []byte("name,phone\nSalim,91234567\n\xe3\xcd\xe3\xcf,92345678\n")
	cases := []struct {
		name string
		in   []byte
		want []string
	}{
		{"windows-1256", cp1256, []string{"line 3", "not UTF-8", "Windows-1256", "CSV UTF-8"}},
		{"unclosed quote", []byte("a,b\n1,2\n3,\"four\n5,6\n"), []string{"line 3", "closing quote"}},
		{"empty", nil, []string{"empty"}},
		{"only blank", []byte("\ufeff\r\n,,\r\n  \r\n"), []string{"empty"}},
		{"nul bytes", []byte("a\x00,\x00b\x00\n"), []string{"line 1", "NUL"}},
		{"xlsx content", []byte("PK\x03\x04rest"), []string{".xlsx"}},
		{"xls content", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, "Workbook"...), []string{"old Excel format"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(string(c.in)))
			if err == nil {
				t.Fatal("no error")
			}
			checkBilingual(t, err, c.want...)
		})
	}
	_, err := ReadCSV(strings.NewReader(string(cp1256)))
	if se := err.(*Error); !strings.Contains(se.Ar, "Windows-1256") || !strings.Contains(se.Ar, "السطر \u20663\u2069") {
		t.Errorf("Arabic reason = %q", se.Ar)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.csv"))
	checkBilingual(t, err, "file not found")
	if !errors.Is(err, os.ErrNotExist) {
		t.Error("missing file: errors.Is(err, fs.ErrNotExist) is false")
	}

	xls := append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 64)...)
	_, err = Open(writeFile(t, "old.xls", xls))
	checkBilingual(t, err, "old Excel format", ".xlsx or CSV UTF-8")
	_, err = Open(writeFile(t, "html.xls", []byte("<table><tr><td>x</td></tr></table>")))
	checkBilingual(t, err, "old Excel format")

	enc := append(append([]byte{}, xls...), encryptedPackage...)
	_, err = Open(writeFile(t, "secret.xlsx", enc))
	checkBilingual(t, err, "password")

	_, err = Open(writeFile(t, "roster.xlsx", []byte("name,phone\n")))
	checkBilingual(t, err, "not an .xlsx")
	_, err = Open(writeFile(t, "roster.ods", []byte("x")))
	checkBilingual(t, err, "OpenDocument")
	_, err = Open(writeFile(t, "roster.pdf", []byte("x")))
	checkBilingual(t, err, "unsupported file type")

	sub := filepath.Join(dir, "folder.csv")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = Open(sub)
	checkBilingual(t, err, "folder")

	// The extension is compared without case.
	tab := mustOpen(t, writeFile(t, "ROSTER.CSV", []byte("name\nx\n")))
	if len(tab.Rows) != 1 {
		t.Fatalf("rows = %+v", tab.Rows)
	}
}

// FuzzReadCSV: never panics; errors are bilingual; rows are numbered
// strictly increasing from 2 on and all as wide as the header.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"", "a", "a,b\n1,2\n", "\ufeffالاسم;الهاتف\r\n\r\nسالم;٩١٢٣٤٥٦٧\r\n", "a\tb\n\"x\ny\"\t2\n",
		"sep=;\na;b\n1;2", "a,b\n\"unclosed\n", "a,b\r1,2\r\r3", "\xff\xfe", "\xfe\xffa", "\xe3\xcd\n",
		"\"a\"\"b\"c,d\n,,,\n1,2,3,4,5\n", " , ,\n\n", "a,\"\"\n\"\"\"\",x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV(strings.NewReader(string(data)))
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.En == "" || se.Ar == "" {
				t.Fatalf("error %v (%T) is not a bilingual *spreadsheet.Error", err, err)
			}
			return
		}
		prev := 1
		for _, r := range tab.Rows {
			if r.Number <= prev {
				t.Fatalf("row number %d after %d", r.Number, prev)
			}
			prev = r.Number
			if len(r.Cells) != len(tab.Header) {
				t.Fatalf("row %d has %d cells, header %d", r.Number, len(r.Cells), len(tab.Header))
			}
			blank := true
			for _, c := range r.Cells {
				if c != trimCell(c) {
					t.Fatalf("row %d: untrimmed cell %q", r.Number, c)
				}
				blank = blank && c == ""
			}
			if blank {
				t.Fatalf("row %d is blank", r.Number)
			}
		}
	})
}

// BenchmarkReadCSV reads a 100,000-row Arabic roster, the size the import
// benchmark of the project uses.
func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("\ufeffالاسم,Name (English),الهاتف,الرقم المدني,المحافظة,الولاية,ملاحظات\r\n")
	for i := range 100_000 {
		sb.WriteString("سالم بن سعيد الحارثي,Salim Al Harthi,+968 9")
		sb.WriteString(strings.Repeat("1", 7))
		sb.WriteString(",1234567,مسقط,بوشر,\"ملاحظة، مع فاصلة\"\r\n")
		if i%1000 == 0 {
			sb.WriteString("\r\n")
		}
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadCSV(strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
