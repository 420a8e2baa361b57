package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
)

// lookupCSV is a roster of n people with phones, civil IDs and e-mails.
func lookupCSV(n int) string {
	var csv strings.Builder
	csv.WriteString("name_en,governorate,phone,civil_id,email\n")
	for i := range n {
		fmt.Fprintf(&csv, "Person %d,OM-MA,9%07d,%d,p%d@example.om\n", i, 1000000+i, 10000000+i, i)
	}
	return csv.String()
}

// wantLookups checks that PeopleWith finds Person 77 of lookupCSV by each
// of its values, in another spelling too, and nobody by a value no one has.
func wantLookups(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	for field, v := range map[string]string{"phone": "+968 9100 0077", "civil_id": "10000077", "email": "P77@example.om"} {
		got, err := s.PeopleWith(ctx, field, v)
		if err != nil || len(got) != 1 || got[0].NameEn != "Person 77" || got[0].CivilID != "10000077" {
			t.Fatalf("look up %s %s: %+v %v", field, v, got, err)
		}
	}
	if got, err := s.PeopleWith(ctx, "phone", "99999999"); err != nil || len(got) != 0 {
		t.Fatalf("look up a phone nobody has: %+v %v", got, err)
	}
}

// TestLargeProtectedImportLookups: the people of a large import into a
// protected database are found by their keyed hashes, and an import that
// fails (an invalid row) leaves nothing behind.
func TestLargeProtectedImportLookups(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "safeer.db"))
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	good := lookupCSV(3000)
	if _, err := s.Import(ctx, readTable(t, good+"Bad,OM-XX,1,2,x\n"), ImportOptions{}); !errors.Is(err, ErrInvalidRows) {
		t.Fatalf("import with a bad row: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM person`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d people after a refused import, %v", n, err)
	}
	rep, err := s.Import(ctx, readTable(t, good), ImportOptions{})
	if err != nil || rep.Imported != 3000 {
		t.Fatalf("import %+v, %v", rep, err)
	}
	var short int
	if err := s.db.QueryRow(`SELECT count(*) FROM person WHERE length(civil_id_hash) = 16 AND length(phone_hash) = 16 AND length(email_hash) = 16`).Scan(&short); err != nil || short != 3000 {
		t.Fatalf("%d people with their three 16-character hashes, %v", short, err)
	}
	wantLookups(t, s)
}

// TestLookupHashesFromSchema9: a protected database of schema 9 (whole
// 43-character hashes, with indexes) opens, migrates (the hashes cut to
// their first 16 characters, the indexes dropped) and finds its people
// after unlock. Schema 9's hashes are made here from this Safeer's by
// lengthening them: the first 16 characters are what migration 10 keeps,
// and package vault's TestHashFormatIndependently shows those are the
// first 16 of the whole sum's.
func TestLookupHashesFromSchema9(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s := openAt(t, path)
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, readTable(t, lookupCSV(100)), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	toSchema9(t, path)

	s = openAt(t, path)
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
	var indexes, long int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'person_%_hash'`).Scan(&indexes); err != nil || indexes != 0 {
		t.Fatalf("%d hash indexes after migration 10, %v", indexes, err)
	}
	if err := s.db.QueryRow(`SELECT count(*) FROM person WHERE length(phone_hash) != 16`).Scan(&long); err != nil || long != 0 {
		t.Fatalf("%d phone hashes not cut to 16 characters, %v", long, err)
	}
	wantLookups(t, s)
}

// toSchema9 turns the database at path back into schema 9: whole hashes
// (43 characters) with their indexes.
func toSchema9(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`
UPDATE person SET
	civil_id_hash = civil_id_hash || 'AAAAAAAAAAAAAAAAAAAAAAAAAAA',
	phone_hash = phone_hash || 'BBBBBBBBBBBBBBBBBBBBBBBBBBB',
	email_hash = email_hash || 'CCCCCCCCCCCCCCCCCCCCCCCCCCC'
WHERE civil_id_hash != '';
CREATE INDEX person_civil_id_hash ON person (civil_id_hash) WHERE civil_id_hash != '';
CREATE INDEX person_phone_hash ON person (phone_hash) WHERE phone_hash != '';
CREATE INDEX person_email_hash ON person (email_hash) WHERE email_hash != '';
PRAGMA user_version = 9;`); err != nil {
		t.Fatal(err)
	}
}

// The lists the import seals and hashes by are sealedFields' and
// hashedFields', in hashColumns' order, each field where newPersonRow
// takes it from.
func TestSealedPersonFieldLists(t *testing.T) {
	var p safeer.Person
	for i, f := range sealedPersonFields {
		*f.value(&p) = fmt.Sprint("v", i)
	}
	r := newPersonRow(p)
	if len(sealedPersonFields) != len(sealedFields["person"]) || len(r) != len(sealedPersonFields) {
		t.Fatalf("sealedPersonFields %v, sealedFields %v, row %v", sealedPersonFields, sealedFields["person"], r)
	}
	for i, f := range sealedPersonFields {
		if !sealedFields["person"][f.name] || r[f.name] != fmt.Sprint("v", i) {
			t.Fatalf("%s: sealed %v, row %v", f.name, sealedFields["person"][f.name], r)
		}
	}
	if len(hashedPersonFields) != len(hashColumns) || len(hashColumns) != len(hashedFields) {
		t.Fatalf("%d hashed fields, %d hash columns, %d in hashedFields", len(hashedPersonFields), len(hashColumns), len(hashedFields))
	}
	for i, f := range hashedPersonFields {
		p := safeer.Person{}
		*f.value(&p) = "x"
		if hashColumns[i] != f.name+"_hash" || hashedFields[f.name] != f.purpose || newPersonRow(p)[f.name] != "x" {
			t.Fatalf("hashed field %d: %s, column %s, purpose %v", i, f.name, hashColumns[i], hashedFields[f.name])
		}
	}
}
