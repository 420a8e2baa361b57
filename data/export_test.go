package data

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/xuri/excelize/v2"
)

// Names as an attacker would type them into a form or an imported roster:
// each would run as a formula, a link or a DDE command in whoever opens an
// unescaped export in Excel or LibreOffice.
var hostile = safeer.Person{
	NameAr:       `=HYPERLINK("http://x","سالم")`,
	NameEn:       `+cmd|' /C calc'!A0`,
	Organisation: `@SUM(1+1)*cmd|' /C calc'!A0`,
	Expertise:    `-2+3+cmd|' /C calc'!A0`,
	Notes:        `=1+1`,
	Governorate:  "OM-MA",
}

// exportStore is a device store holding the hostile person, a workshop with
// a hostile title and the person's attendance.
func exportStore(t *testing.T) (*Store, safeer.Person) {
	t.Helper()
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, hostile)
	mustAdd(t, s, safeer.Person{NameAr: "سالم", NameEn: "Salim", Governorate: "OM-MA", Phone: "91234567"})
	w := safeer.Workshop{TitleAr: "=1+2 مقدمة", TitleEn: "-cmd|' /C calc'!A0", Date: "2026-11-20", Hours: 2.5,
		Governorate: "OM-MA", Wilayat: "Muscat"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
		t.Fatal(err)
	}
	return s, p
}

func export(t *testing.T, s *Store, kind, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.Export(context.Background(), kind, format, &b); err != nil {
		t.Fatalf("export %s as %s: %v", kind, format, err)
	}
	return b.Bytes()
}

// numericCols are the columns of the device's exports that hold numbers.
var numericCols = []string{"hours", "capacity", "min_hours"}

// checkEscaped fails for a cell that a spreadsheet program would read as
// a formula: one starting with = + - @ tab or CR, unless it is a number
// in a numeric column.
func checkEscaped(t *testing.T, what string, header []string, rows [][]string) {
	t.Helper()
	for i, r := range rows {
		for j, c := range r {
			if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				continue
			}
			if j < len(header) && slices.Contains(numericCols, header[j]) {
				continue
			}
			t.Errorf("%s: row %d, column %d: %q opens as a formula", what, i+1, j+1, c)
		}
	}
}

func TestExportEscapesFormulasCSV(t *testing.T) {
	s, p := exportStore(t)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export(t, s, "people", FormatCSV), []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("people.csv: %d rows, %v", len(rows), err)
	}
	checkEscaped(t, "people.csv", rows[0], rows)
	col := func(name string) int { return slices.Index(rows[0], name) }
	var got []string
	for _, r := range rows[1:] {
		if r[col("id")] == p.ID {
			got = r
		}
	}
	if got == nil {
		t.Fatalf("people.csv lacks %s: %q", p.ID, rows)
	}
	for field, want := range map[string]string{"name_ar": p.NameAr, "name_en": p.NameEn,
		"organisation": p.Organisation, "expertise": p.Expertise, "notes": p.Notes} {
		if c := got[col(field)]; c != "'"+want {
			t.Errorf("people.csv %s: %q, want %q", field, c, "'"+want)
		}
	}
	// The escape is undone on reading: the export imports back as it was.
	tbl, err := spreadsheet.ReadCSV(bytes.NewReader(export(t, s, "people", FormatCSV)))
	if err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t)
	if rep, err := s2.Import(context.Background(), tbl, ImportOptions{}); err != nil || rep.Imported != 2 {
		t.Fatalf("re-import %+v %v", rep, err)
	}
	people, err := s2.ListPeople(context.Background(), PeopleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(people, func(q safeer.Person) bool { return q.NameEn == p.NameEn })
	if i < 0 {
		t.Fatalf("re-imported %+v, none is %+v", people, p)
	}
	if back := people[i]; back.NameAr != p.NameAr || back.Organisation != p.Organisation ||
		back.Expertise != p.Expertise || back.Notes != p.Notes {
		t.Fatalf("re-imported %+v, want the text of %+v", back, p)
	}

	for _, kind := range []string{"workshops", "attendance"} {
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export(t, s, kind, FormatCSV), []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%s.csv: %q %v", kind, rows, err)
		}
		checkEscaped(t, kind+".csv", rows[0], rows)
		if h := rows[1][slices.Index(rows[0], "hours")]; h != "2.5" {
			t.Errorf("%s.csv hours %q, want the number 2.5", kind, h)
		}
	}
}

// sheetXML is the part of an XLSX worksheet the test reads.
type sheetXML struct {
	Rows []struct {
		Cells []struct {
			Ref     string  `xml:"r,attr"`
			Type    string  `xml:"t,attr"`
			Formula *string `xml:"f"`
			Value   string  `xml:"v"`
			Inline  string  `xml:"is>t"`
		} `xml:"c"`
	} `xml:"sheetData>row"`
}

// rawSheet unzips an XLSX file and reads its only worksheet's XML.
func rawSheet(t *testing.T, file []byte) sheetXML {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var sx sheetXML
	n := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		n++
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(raw, &sx); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	if n != 1 {
		t.Fatalf("%d worksheets, want 1", n)
	}
	return sx
}

func TestExportEscapesFormulasXLSX(t *testing.T) {
	s, p := exportStore(t)
	for _, kind := range ExportKinds {
		file := export(t, s, kind, FormatXLSX)

		// The raw sheet: no formula, no text cell that starts like one,
		// and hours stored as numbers.
		sx := rawSheet(t, file)
		var header []string
		var texts [][]string
		for i, r := range sx.Rows {
			var row []string
			for _, c := range r.Cells {
				if c.Formula != nil {
					t.Errorf("%s.xlsx %s holds a formula %q", kind, c.Ref, *c.Formula)
				}
				text := c.Value
				if c.Type == "inlineStr" {
					text = c.Inline
				}
				if i == 0 {
					header = append(header, text)
				} else if c.Type != "" && len(header) > len(row) && header[len(row)] == "hours" {
					t.Errorf("%s.xlsx %s: hours stored as %s %q, want a number", kind, c.Ref, c.Type, text)
				}
				row = append(row, text)
			}
			texts = append(texts, row)
		}
		if len(texts) < 2 {
			t.Fatalf("%s.xlsx: %d rows", kind, len(texts))
		}
		checkEscaped(t, kind+".xlsx (raw XML)", header, texts)

		// What Excel shows: the escaped text.
		f, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		shown, err := f.GetRows(kind)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkEscaped(t, kind+".xlsx (as shown)", shown[0], shown)

		// Read back with package spreadsheet: the values stored.
		tbl, err := spreadsheet.ReadXLSX(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if kind != "people" {
			continue
		}
		col := func(name string) int { return slices.Index(tbl.Header, name) }
		found := false
		for _, r := range tbl.Rows {
			if r.Cells[col("id")] != p.ID {
				continue
			}
			found = true
			for field, want := range map[string]string{"name_ar": p.NameAr, "name_en": p.NameEn,
				"organisation": p.Organisation, "expertise": p.Expertise, "notes": p.Notes} {
				if c := r.Cells[col(field)]; c != want {
					t.Errorf("people.xlsx read back %s: %q, want %q", field, c, want)
				}
			}
		}
		if !found {
			t.Fatalf("people.xlsx lacks %s", p.ID)
		}
		for _, r := range shown[1:] {
			if r[col("id")] == p.ID && r[col("name_ar")] != "'"+p.NameAr {
				t.Errorf("people.xlsx shows name_ar %q, want %q", r[col("name_ar")], "'"+p.NameAr)
			}
		}
	}
}
