package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// hashIndexSQL is the SQL of the look-up hashes' indexes as the file
// keeps it, by name.
func hashIndexSQL(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range hashIndexes {
		var def string
		if err := s.db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&def); err != nil {
			t.Fatalf("index %s: %v", name, err)
		}
		out[name] = def
	}
	return out
}

// TestLargeProtectedImportKeepsLookupIndexes: an import large enough to
// rebuild the look-up hashes' indexes leaves them as they were (same SQL,
// used by the look-up, finding the imported people), and one that fails
// (an invalid row) leaves them too.
func TestLargeProtectedImportKeepsLookupIndexes(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "safeer.db"))
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	before := hashIndexSQL(t, s)
	var csv strings.Builder
	csv.WriteString("name_en,governorate,phone,civil_id,email\n")
	n := rebuildHashIndexesAt + 10
	for i := range n {
		fmt.Fprintf(&csv, "Person %d,OM-MA,9%07d,%d,p%d@example.om\n", i, 1000000+i, 10000000+i, i)
	}
	good := csv.String()

	// One bad row: nothing is imported, the indexes are as they were.
	if _, err := s.Import(ctx, readTable(t, good+"Bad,OM-XX,1,2,x\n"), ImportOptions{}); !errors.Is(err, ErrInvalidRows) {
		t.Fatalf("import with a bad row: %v", err)
	}
	if got := hashIndexSQL(t, s); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("indexes after a refused import %v, want %v", got, before)
	}

	rep, err := s.Import(ctx, readTable(t, good), ImportOptions{})
	if err != nil || rep.Imported != n {
		t.Fatalf("import %+v, %v", rep, err)
	}
	if got := hashIndexSQL(t, s); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("indexes after the import %v, want %v", got, before)
	}
	var plan string
	col, hash := s.hashValue("person", "phone", "+96891000077")
	if err := s.db.QueryRow(`EXPLAIN QUERY PLAN SELECT id FROM person WHERE `+col+` = ? AND `+col+` != ''`, hash).Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "person_phone_hash") {
		t.Fatalf("the look-up does not use its index: %s", plan)
	}
	for field, v := range map[string]string{"phone": "91000077", "civil_id": "10000077", "email": "p77@example.om"} {
		got, err := s.PeopleWith(ctx, field, v)
		if err != nil || len(got) != 1 || got[0].NameEn != "Person 77" {
			t.Fatalf("look up %s %s: %+v %v", field, v, got, err)
		}
	}
}
