package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct {
		in      string
		numeric bool
		want    string
	}{
		{`=HYPERLINK("http://x","y")`, false, `'=HYPERLINK("http://x","y")`},
		{`+cmd|' /C calc'!A0`, false, `'+cmd|' /C calc'!A0`},
		{`-2+3+cmd|' /C calc'!A0`, false, `'-2+3+cmd|' /C calc'!A0`},
		{`@SUM(1+1)`, false, `'@SUM(1+1)`},
		{"\t=1+1", false, "'\t=1+1"},
		{"\r=1+1", false, "'\r=1+1"},
		{"+96891234567", false, "'+96891234567"}, // a phone is text: Excel would drop the + and show 9.69E+10
		{"-2", false, "'-2"},
		{"-2", true, "-2"}, // a number in a numeric column stays a number
		{"+1.5", true, "+1.5"},
		{"-1e3", true, "-1e3"},
		{"=1+1", true, "'=1+1"},     // a numeric column's formula is still escaped
		{"-Inf", true, "'-Inf"},     // not a number a spreadsheet knows
		{"-0x1p3", true, "'-0x1p3"}, // nor is hexadecimal
		{"-", true, "'-"},
		{"سالم", false, "سالم"},
		{"a=b", false, "a=b"},
		{"'=x", false, "''=x"}, // so that reading gives back "'=x"
		{"", false, ""},
		{"2.5", true, "2.5"},
	} {
		if got := Escape(c.in, c.numeric); got != c.want {
			t.Errorf("Escape(%q, %v) = %q, want %q", c.in, c.numeric, got, c.want)
		}
		if got := Unescape(Escape(c.in, c.numeric)); got != c.in {
			t.Errorf("Unescape(Escape(%q, %v)) = %q", c.in, c.numeric, got)
		}
	}
	for in, want := range map[string]string{"'": "'", "'a": "'a", "''=": "'=", "'-": "-"} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

var writeRows = [][]string{
	{"1", `=HYPERLINK("http://x","سالم")`, "+96891234567", "-2"},
	{"2", "مريم", "@SUM(1+1)", "2.5"},
	{"3", "-cmd|' /C calc'!A0", "", "=1+1", "extra"}, // longer than the header: text beyond it
}

func TestWriteCSV(t *testing.T) {
	cols := Columns([]string{"id", "name", "phone", "hours"}, "hours")
	var b bytes.Buffer
	n, err := Write(&b, CSV, "people", cols, Rows(writeRows))
	if err != nil || n != 3 {
		t.Fatalf("Write: %d %v", n, err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeffid,name,phone,hours\r\n") {
		t.Fatalf("no BOM, header or CRLF: %q", out)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	cr.FieldsPerRecord = -1
	got, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got = got[1:]
	want := [][]string{
		{"1", `'=HYPERLINK("http://x","سالم")`, "'+96891234567", "-2"},
		{"2", "مريم", "'@SUM(1+1)", "2.5"},
		{"3", "'-cmd|' /C calc'!A0", "", "'=1+1", "extra"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("csv cells\n%q\nwant\n%q", got, want)
	}
	// Reading undoes the escape.
	tbl, err := ReadCSV(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	checkReadBack(t, tbl)
}

func TestWriteXLSX(t *testing.T) {
	cols := Columns([]string{"id", "name", "phone", "hours"}, "hours")
	var b bytes.Buffer
	n, err := Write(&b, XLSX, "people", cols, Rows(writeRows))
	if err != nil || n != 3 {
		t.Fatalf("Write: %d %v", n, err)
	}
	tbl, err := ReadXLSXSheet(bytes.NewReader(b.Bytes()), "people")
	if err != nil {
		t.Fatal(err)
	}
	checkReadBack(t, tbl)
}

func checkReadBack(t *testing.T, tbl *Table) {
	t.Helper()
	if strings.Join(tbl.Header, ",") != "id,name,phone,hours," {
		t.Errorf("header %q", tbl.Header)
	}
	for i, r := range tbl.Rows {
		want := append([]string{}, writeRows[i]...)
		for len(want) < len(r.Cells) {
			want = append(want, "")
		}
		if r.Number != i+2 || fmt.Sprint(r.Cells) != fmt.Sprint(want) {
			t.Errorf("row %d: %q, want %q", r.Number, r.Cells, want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	if _, err := Write(io.Discard, "ods", "x", Columns([]string{"a"}), Rows(nil)); err == nil {
		t.Error("an unknown format is accepted")
	}
	boom := errors.New("boom")
	for _, f := range []Format{CSV, XLSX} {
		next := func() ([]string, error) { return nil, boom }
		if _, err := Write(io.Discard, f, "x", Columns([]string{"a"}), next); !errors.Is(err, boom) {
			t.Errorf("%s: a failing row source gives %v", f, err)
		}
	}
}

// BenchmarkWrite writes a 10,000-row Arabic roster with a numeric column.
func BenchmarkWrite(b *testing.B) {
	cols := Columns([]string{"id", "name_ar", "name_en", "phone", "governorate", "hours"}, "hours")
	rows := make([][]string, 10_000)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i), "سالم بن سعيد الحارثي", "Salim Al Harthi", "+96891234567", "OM-MA", "2.5"}
	}
	for _, f := range []Format{CSV, XLSX} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if _, err := Write(io.Discard, f, "people", cols, Rows(rows)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
