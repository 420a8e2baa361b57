package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/spreadsheet"
)

// dump is every row of every table, in a stable order: two equal dumps
// mean two databases with the same content.
func dump(t testing.TB, s *Store) string {
	t.Helper()
	rows, err := s.db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tbl := range tables {
		r, err := s.db.Query(`SELECT * FROM ` + tbl + ` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			r.Scan(ptrs...)
			fmt.Fprintf(&b, "%s %v\n", tbl, vals)
		}
		r.Close()
	}
	return b.String()
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const rosterCSV = "\uFEFFالاسم,Name (English),رقم الهاتف,المحافظة,الولاية,الجنس,الرقم المدني\r\n" +
	"أحمد البلوشي,Ahmed Al Balushi,+968 9123 4567,مسقط,مطرح,ذكر,1234567\r\n" +
	",,,,,,\r\n" +
	"فاطمة الزدجالية,Fatima Al Zadjali,٩٢٢٢٣٣٣٣,Muscat,Bawshar,أنثى,\r\n" +
	"اَحمد البلوشى,,0096891234567,OM-MA,,m,\r\n"

func readTable(t testing.TB, content string) *spreadsheet.Table {
	t.Helper()
	tbl, err := spreadsheet.Open(writeFile(t, "roster.csv", content))
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	existing := mustAdd(t, s, safeer.Person{NameAr: "فاطمة الزدجالي", Governorate: "OM-MA", Phone: "92223333"})

	before := dump(t, s)
	rep, err := s.Import(ctx, readTable(t, rosterCSV), ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || rep.Valid != 3 || rep.Imported != 0 || len(rep.Invalid) != 0 {
		t.Fatalf("dry run report %+v", rep)
	}
	if dump(t, s) != before {
		t.Fatal("a dry run changed the database")
	}

	rep, err = s.Import(ctx, readTable(t, rosterCSV), ImportOptions{Source: "roster.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 3 || rep.Batch == "" {
		t.Fatalf("report %+v", rep)
	}
	// Row 4 (blank row 3 counted) is Fatima, who is already on the roster by
	// phone; row 5 respells row 2's Ahmed with the same phone.
	dups := map[int][]DuplicateMatch{}
	for _, d := range rep.Duplicates {
		dups[d.Row] = d.Matches
	}
	if m := dups[4]; len(m) != 1 || m[0].ID != existing.ID {
		t.Errorf("row 4 duplicates %+v", m)
	}
	if m := dups[5]; len(m) != 1 || m[0].Row != 2 {
		t.Errorf("row 5 duplicates %+v", m)
	}
	if len(dups) != 2 {
		t.Errorf("duplicates %+v", rep.Duplicates)
	}
	res, _ := s.Search(ctx, "البلوشي", SearchOptions{})
	if len(res) != 2 {
		t.Fatalf("after import, search found %d", len(res))
	}
	if n := len(outbox(t, s)); n != 4 {
		t.Fatalf("outbox has %d ops, want 4 (1 add + 3 imported)", n)
	}
}

func TestImportInvalidRowsChangeNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "سالم", Governorate: "OM-ZU"})
	before := dump(t, s)
	bad := rosterCSV + "خالد,,123,ظفار,مطرح,x,\r\n"
	rep, err := s.Import(ctx, readTable(t, bad), ImportOptions{})
	if !errors.Is(err, ErrInvalidRows) {
		t.Fatalf("got %v", err)
	}
	want := map[string]bool{"رقم الهاتف": true, "الولاية": true, "الجنس": true}
	for _, e := range rep.Invalid {
		if e.Row != 6 || !want[e.Column] || e.Reason == "" || e.ReasonAr == "" {
			t.Errorf("invalid %+v", e)
		}
		delete(want, e.Column)
	}
	if len(want) != 0 {
		t.Errorf("not reported: %v", want)
	}
	if dump(t, s) != before {
		t.Fatal("an import with invalid rows changed the database")
	}
	// With --skip-invalid the valid rows go in.
	rep, err = s.Import(ctx, readTable(t, bad), ImportOptions{SkipInvalid: true})
	if err != nil || rep.Imported != 3 {
		t.Fatalf("skip invalid: %+v %v", rep, err)
	}
}

// TestImportInvalidLastRowChangesNothing: the writer saves checked rows
// while later ones are being checked; an invalid row at the very end must
// still leave the database as it was, and with SkipInvalid everything else
// goes in, recorded once.
func TestImportInvalidLastRowChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "سالم", Governorate: "OM-ZU"})
	var b strings.Builder
	b.WriteString("name_ar,phone,governorate\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "شخص رقم %d,9%07d,OM-DA\n", i, i)
	}
	b.WriteString("خالد,123,OM-DA\n")
	before := dump(t, s)
	rep, err := s.Import(ctx, readTable(t, b.String()), ImportOptions{})
	if !errors.Is(err, ErrInvalidRows) || len(rep.Invalid) != 1 || rep.Invalid[0].Row != 5002 || rep.Valid != 5000 || rep.Imported != 0 || rep.Batch != "" {
		t.Fatalf("got %+v, %v", rep, err)
	}
	if dump(t, s) != before {
		t.Fatal("an import with an invalid last row changed the database")
	}
	rep, err = s.Import(ctx, readTable(t, b.String()), ImportOptions{SkipInvalid: true, Source: "r.csv"})
	if err != nil || rep.Imported != 5000 || rep.Batch == "" {
		t.Fatalf("skip invalid: %+v %v", rep, err)
	}
	batches, err := s.ImportBatches(ctx)
	if err != nil || len(batches) != 1 || batches[0].Rows != 5001 || batches[0].Imported != 5000 || batches[0].ID != rep.Batch {
		t.Fatalf("batches %+v %v", batches, err)
	}
	if n, _ := s.OutboxLen(ctx); n != 5001 {
		t.Fatalf("outbox has %d ops, want 5001", n)
	}
	// Only invalid rows: nothing to save, no batch, even with SkipInvalid.
	before = dump(t, s)
	rep, err = s.Import(ctx, readTable(t, "name_ar,phone,governorate\nخالد,123,OM-DA\nسعيد,456,OM-DA\n"), ImportOptions{SkipInvalid: true})
	if err != nil || rep.Imported != 0 || rep.Batch != "" || len(rep.Invalid) != 2 {
		t.Fatalf("only invalid rows: %+v %v", rep, err)
	}
	if dump(t, s) != before {
		t.Fatal("an import with nothing valid changed the database")
	}
}

// TestImportFailureMidwayRollsBack cancels an import while it is saving:
// the database must hold exactly what it held before.
func TestImportFailureMidwayRollsBack(t *testing.T) {
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "سالم", Governorate: "OM-ZU"})
	var b strings.Builder
	b.WriteString("name_ar,phone,governorate\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "شخص رقم %d,9%07d,OM-DA\n", i, i)
	}
	before := dump(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tbl := readTable(t, b.String())
	_, err := s.Import(ctx, tbl, ImportOptions{Progress: func(done, total int) {
		if done > len(tbl.Rows)+1500 { // halfway through saving
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if dump(t, s) != before {
		t.Fatal("a failed import left changes behind")
	}
	if res, _ := s.Search(context.Background(), "شخص", SearchOptions{}); len(res) != 0 {
		t.Fatalf("search finds %d people from a failed import", len(res))
	}
}

// TestInsertManyFailureLeavesNothing: a row that fails halfway through a
// multi-row INSERT (OR FAIL keeps the rows before it in the statement)
// fails the transaction, and none of the statement's rows stay.
func TestInsertManyFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameEn: "Existing", Governorate: "OM-MA"})
	before := dump(t, s)
	ids, err := newUUIDs(10)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]bulkRow, len(ids))
	for i, id := range ids {
		rows[i] = bulkRow{id: id, fields: row{"name_en": fmt.Sprint("New ", i), "governorate": "OM-MA"}}
	}
	rows[6].id = p.ID // the seventh row of the statement is already there
	err = s.write(ctx, func(t *tx) error { return t.insertMany(ctx, "person", rows, nil) })
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("got %v", err)
	}
	if dump(t, s) != before {
		t.Fatal("a failed insert left rows behind")
	}
}

func TestUndoImport(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	kept := mustAdd(t, s, safeer.Person{NameAr: "سالم", Governorate: "OM-ZU"})
	live := func() string {
		ps, err := s.ListPeople(ctx, PeopleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ps)
	}
	before := live()
	rep, err := s.Import(ctx, readTable(t, rosterCSV), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.UndoImport(ctx, rep.Batch)
	if err != nil || n != 3 {
		t.Fatalf("undo: %d %v", n, err)
	}
	if live() != before {
		t.Fatalf("after undo:\n%s\nbefore:\n%s", live(), before)
	}
	if res, _ := s.Search(ctx, "", SearchOptions{}); len(res) != 1 || res[0].ID != kept.ID {
		t.Fatalf("search after undo: %v", res)
	}
	if _, err := s.UndoImport(ctx, rep.Batch); err == nil {
		t.Fatal("undone twice")
	}
	// An import whose people were checked in since cannot be undone.
	rep, err = s.Import(ctx, readTable(t, rosterCSV), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := safeer.Workshop{TitleAr: "ورشة", Date: "2026-11-01", Hours: 2, Governorate: "OM-MA"}
	s.AddWorkshop(ctx, &w)
	res, _ := s.Search(ctx, "فاطمة", SearchOptions{})
	if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: res[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UndoImport(ctx, rep.Batch); !errors.Is(err, ErrImportInUse) {
		t.Fatalf("undo of a used import: %v", err)
	}
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustAdd(t, s, safeer.Person{NameAr: "أحمد, \"الشاعر\"", NameEn: "Ahmed", Governorate: "OM-MA", Phone: "91234567"})
	var b strings.Builder
	n, err := s.Export(ctx, "people", FormatCSV, &b)
	if err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\uFEFFid,kind,name_ar") || !strings.Contains(out, `"أحمد, ""الشاعر"""`) || !strings.Contains(out, "\r\n") {
		t.Fatalf("csv:\n%s", out)
	}
	// The export imports back into another database as the same person.
	s2 := openTest(t)
	tbl, err := spreadsheet.ReadCSV(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s2.Import(ctx, tbl, ImportOptions{})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("re-import %+v %v", rep, err)
	}
	for _, kind := range ExportKinds {
		var x strings.Builder
		if _, err := s.Export(ctx, kind, FormatXLSX, &x); err != nil || !strings.HasPrefix(x.String(), "PK") {
			t.Fatalf("xlsx %s: %v", kind, err)
		}
	}
	if _, err := s.Export(ctx, "cats", FormatCSV, &b); err == nil {
		t.Fatal("unknown export accepted")
	}
}

// The same file pressed twice: recognised by its bytes, refused with when
// and by whom it was imported before, nothing changed; imported again only
// when asked; after an undo it imports without a question.
func TestImportSameFileTwice(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const csv = "name_ar,phone,governorate\nسالم الحارثي,91234567,OM-DA\nمريم الهنائية,92345678,OM-DA\n"
	first, err := s.Import(ctx, readTable(t, csv), ImportOptions{Source: "roster.csv", By: "amina"})
	if err != nil || first.Imported != 2 || first.Previous != nil {
		t.Fatalf("first import: %+v %v", first, err)
	}
	before := dump(t, s)
	rep, err := s.Import(ctx, readTable(t, csv), ImportOptions{Source: "roster (copy).csv", By: "khalid"})
	if !errors.Is(err, ErrImportedBefore) || rep == nil || rep.Previous == nil {
		t.Fatalf("second import: %+v %v", rep, err)
	}
	if p := rep.Previous; p.ID != first.Batch || p.By != "amina" || p.Source != "roster.csv" || p.ImportedAt == "" {
		t.Errorf("previous import %+v", p)
	}
	if dump(t, s) != before {
		t.Fatal("a refused second import changed the database")
	}
	// A dry run says so without refusing.
	if rep, err := s.Import(ctx, readTable(t, csv), ImportOptions{DryRun: true}); err != nil || rep.Previous == nil {
		t.Errorf("dry run: %+v %v", rep, err)
	}
	// Another file (one byte differs) is another file.
	if rep, err := s.Import(ctx, readTable(t, csv+"\n"), ImportOptions{DryRun: true}); err != nil || rep.Previous != nil {
		t.Errorf("another file: %+v %v", rep, err)
	}
	// Asked for, it imports again.
	again, err := s.Import(ctx, readTable(t, csv), ImportOptions{Again: true, By: "khalid"})
	if err != nil || again.Imported != 2 {
		t.Fatalf("again: %+v %v", again, err)
	}
	// Both batches undone: no question any more.
	for _, b := range []string{again.Batch, first.Batch} {
		if _, err := s.UndoImport(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := s.Import(ctx, readTable(t, csv), ImportOptions{}); err != nil || rep.Imported != 2 {
		t.Fatalf("after undo: %+v %v", rep, err)
	}
}

// Rows are counted as rows: a row with three problems is one invalid row.
func TestImportCountsRowsNotProblems(t *testing.T) {
	s := openTest(t)
	csv := "name_ar,phone,email,governorate\n" +
		"سالم,91234567,salim@example.om,OM-DA\n" +
		"مريم,123,not-an-email,OM-XX\n" + // three problems, one row
		"خالد,92345678,,OM-DA\n" +
		",,,\n" + // blank: not a row
		"هدى,9,,OM-DA\n"
	rep, err := s.Import(context.Background(), readTable(t, csv), ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 4 || rep.Valid != 2 || rep.InvalidRows != 2 || len(rep.Invalid) < 4 {
		t.Fatalf("rows %d, valid %d, invalid rows %d, problems %d", rep.Rows, rep.Valid, rep.InvalidRows, len(rep.Invalid))
	}
}
