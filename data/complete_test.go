package data

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/oman-sca/safeer"
)

// TestCompletePerson: what was typed fills the empty fields only, invalid
// typed values are left out, the wilayat comes only with the person's own
// governorate, and the change is one op with just the filled fields.
func TestCompletePerson(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "فاطمة الرواحية", Governorate: "OM-DA", Phone: "99887766"})
	before := len(outbox(t, s))
	typed := safeer.Person{NameAr: "فاطمة بنت سالم", NameEn: "Fatima Al Rawahi", Phone: "91112222", Email: "fatima@",
		Governorate: "OM-DA", Wilayat: "Nizwa", Organisation: "Nizwa College", Gender: "أنثى"}
	got, err := s.CompletePerson(ctx, p.ID, typed)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := s.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved != got {
		t.Fatalf("returned %+v, saved %+v", got, saved)
	}
	if saved.NameAr != "فاطمة الرواحية" || saved.Phone != "+96899887766" {
		t.Errorf("replaced what was there: %q %q", saved.NameAr, saved.Phone)
	}
	if saved.NameEn != "Fatima Al Rawahi" || saved.Organisation != "Nizwa College" || saved.Wilayat != "Nizwa" || saved.Gender != "female" {
		t.Errorf("not filled: %+v", saved)
	}
	if saved.Email != "" {
		t.Errorf("a half-typed e-mail was taken: %q", saved.Email)
	}
	ops := outbox(t, s)
	if len(ops) != before+1 {
		t.Fatalf("%d ops for one completion", len(ops)-before)
	}
	var fields []string
	for f := range ops[len(ops)-1].Op.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	if got := fmt.Sprint(fields); got != "[gender name_en organisation wilayat]" {
		t.Errorf("op fields %s", got)
	}
	if res, err := s.Search(ctx, "Fatima Rawahi", SearchOptions{}); err != nil || len(res) != 1 || res[0].ID != p.ID {
		t.Errorf("search after completing: %v %v", res, err)
	}

	// Another governorate's wilayat is not taken.
	q := mustAdd(t, s, safeer.Person{NameAr: "سالم", Governorate: "OM-MA"})
	if got, err := s.CompletePerson(ctx, q.ID, safeer.Person{Governorate: "OM-DA", Wilayat: "Nizwa"}); err != nil || got.Wilayat != "" {
		t.Errorf("wilayat of another governorate: %q %v", got.Wilayat, err)
	}
	if err := s.DeletePerson(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompletePerson(ctx, q.ID, safeer.Person{NameEn: "Salim"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deleted person: %v", err)
	}
	if _, err := s.CompletePerson(ctx, "nobody", safeer.Person{NameEn: "Salim"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}
}

// TestCompletePersonConcurrent: completions of one person at the same time,
// each filling another field, all land: each reads and writes in one
// transaction, so none writes back a copy read before another's.
func TestCompletePersonConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "مريم البلوشية", Governorate: "OM-MA"})
	typed := []safeer.Person{
		{NameEn: "Maryam Al Balushi"}, {Email: "maryam@example.om"}, {Organisation: "SQU"},
		{Expertise: "GIS"}, {Notes: "volunteers on Saturdays"}, {JoinedOn: "2025-09-01"},
		{Phone: "92345678"}, {Gender: "female"},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(typed))
	for round := 0; round < 5; round++ {
		for i, x := range typed {
			wg.Go(func() {
				if _, err := s.CompletePerson(ctx, p.ID, x); err != nil {
					errs[i] = err
				}
			})
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got, err := s.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.NameEn == "" || got.Email == "" || got.Organisation == "" || got.Expertise == "" || got.Notes == "" ||
		got.JoinedOn == "" || got.Phone == "" || got.Gender == "" {
		t.Fatalf("a completion was lost: %+v", got)
	}
}
