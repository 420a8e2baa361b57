package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/spreadsheet"
)

// TestImportWizard: pick a file, see its rows and the automatic mapping,
// check it (rows with problems named), import the valid rows with
// progress, undo.
func TestImportWizard(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	addPeople(t, s, testPeople...)
	path := filepath.Join(t.TempDir(), "roster.csv")
	csv := "الاسم,Name,Mobile,Governorate,Wilayat\n" +
		"مريم الهنائية,Maryam Al Hinai,99887766,Muscat,Bawshar\n" +
		"خالد الراشدي,Khalid Al Rashdi,12,Muscat,Muttrah\n" +
		"عائشة الكندية,Aisha Al Kindi,95554444,Muscat,As Seeb\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	refreshed := 0
	w := newImportWizard(u, func() { refreshed++ })
	w.show()
	w.path.SetText(path)
	w.load()
	eventually(t, "file read", func() bool { return w.table != nil && !w.check.Disabled() })
	if len(w.table.Rows) != 3 || w.report.Text != "3 rows in the file." {
		t.Fatalf("%d rows, report %q", len(w.table.Rows), w.report.Text)
	}
	// The automatic mapping is shown: the Arabic header is the Arabic name.
	if got := w.fields[0].SelectedIndex(); got < 1 || spreadsheet.Fields[got-1] != spreadsheet.FieldNameAr {
		t.Fatalf("column A mapped to %q", w.fields[0].Selected)
	}
	if got := w.fields[2].SelectedIndex(); got < 1 || spreadsheet.Fields[got-1] != spreadsheet.FieldPhone {
		t.Fatalf("column C mapped to %q", w.fields[2].Selected)
	}

	w.start(true) // dry run
	eventually(t, "dry run", func() bool { return !w.busy })
	if !strings.Contains(w.report.Text, "Rows checked: 3. Valid: 2. Rows with problems: 1.") {
		t.Fatalf("report %q", w.report.Text)
	}
	if text := allText(w.problems); !strings.Contains(text, "Row 3, column Mobile") {
		t.Fatalf("problems %q", text)
	}
	capture(t, u, "import-en")
	if n, _ := s.CountPeople(ctx); n != 3 {
		t.Fatal("a dry run saved people")
	}

	w.skip.SetChecked(true)
	w.start(false)
	eventually(t, "import", func() bool { return !w.busy })
	if n, _ := s.CountPeople(ctx); n != 5 || refreshed == 0 {
		t.Fatalf("%d people after importing (report %q)", n, w.report.Text)
	}
	batches, err := s.ImportBatches(ctx)
	if err != nil || len(batches) != 1 {
		t.Fatalf("batches %v %v", batches, err)
	}
	// The same file again (Import pressed twice): nothing is imported; the
	// coordinator is told when and by whom, and asked.
	w.start(false)
	eventually(t, "second import", func() bool { return !w.busy })
	if n, _ := s.CountPeople(ctx); n != 5 {
		t.Fatalf("%d people after importing the same file again", n)
	}
	if !strings.Contains(w.report.Text, "This file was imported before: ") || !strings.Contains(w.report.Text, "roster.csv") {
		t.Fatalf("report %q", w.report.Text)
	}
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no question asked")
	}
	u.win.Canvas().Overlays().Top().Hide()
	w.undoBatch(batches[0].ID)
	eventually(t, "undone", func() bool { return strings.HasPrefix(w.report.Text, "Import undone") })
	if n, _ := s.CountPeople(ctx); n != 3 {
		t.Fatalf("%d people after undo", n)
	}
}
