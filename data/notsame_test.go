package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// A pair marked "not the same person" is still marked after the file is
// closed and opened again, and DuplicatePairs' pair for them is the one
// the mark names, in either order.
func TestNotSameSurvivesReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, s, safeer.Person{NameAr: "حمد ناصر الكندي", Gender: "m", Governorate: "OM-DA", Phone: "92110001"})
	b := mustAdd(t, s, safeer.Person{NameAr: "حمد ناصر الكندى", Gender: "m", Governorate: "OM-DA", Phone: "92110002"})
	other := mustAdd(t, s, safeer.Person{NameAr: "سالم علي الهنائي", Governorate: "OM-DA", Phone: "92110003"})
	pairs, err := s.DuplicatePairs(ctx, 0)
	if err != nil || len(pairs) != 1 || NewPairKey(pairs[0].A.ID, pairs[0].B.ID) != NewPairKey(a.ID, b.ID) {
		t.Fatalf("pairs before marking: %+v, %v", pairs, err)
	}
	if err := s.MarkNotSame(ctx, b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotSame(ctx, a.ID, b.ID); err != nil { // again, the other way round
		t.Fatalf("marking twice: %v", err)
	}
	if err := s.MarkNotSame(ctx, a.ID, a.ID); err == nil {
		t.Fatal("a person marked as not the same as themself")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	marked, err := s.NotSamePairs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(marked) != 1 || !marked[NewPairKey(a.ID, b.ID)] || !marked[NewPairKey(b.ID, a.ID)] || marked[NewPairKey(a.ID, other.ID)] {
		t.Fatalf("marked after reopening: %v", marked)
	}
	pairs, err = s.DuplicatePairs(ctx, 0)
	if err != nil || len(pairs) != 1 || !marked[NewPairKey(pairs[0].A.ID, pairs[0].B.ID)] {
		t.Fatalf("pairs after reopening: %+v, %v (the mark must name them)", pairs, err)
	}
	// The mark is the coordinator's own: nothing for HQ.
	if n, _ := s.OutboxLen(ctx); n != 3 {
		t.Fatalf("outbox has %d ops, want the 3 additions only", n)
	}
}

// RosterVersion moves with every kind of write to people (an addition, an
// edit, a merge, a deletion, an import, a pulled change) and stays put
// when only other things change.
func TestRosterVersionMovesWithEveryRosterWrite(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	version := func() int64 {
		t.Helper()
		v, err := s.RosterVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := version()
	moved := func(what string) {
		t.Helper()
		if v := version(); v == last {
			t.Fatalf("roster version stayed %d after %s", v, what)
		} else {
			last = v
		}
	}
	stayed := func(what string) {
		t.Helper()
		if v := version(); v != last {
			t.Fatalf("roster version moved from %d to %d after %s", last, v, what)
		}
	}

	a := mustAdd(t, s, safeer.Person{NameAr: "مريم سالم الحارثي", Governorate: "OM-MA", Phone: "92220001"})
	moved("an addition")
	b := mustAdd(t, s, safeer.Person{NameAr: "مريم سالم الحارثى", Governorate: "OM-MA", Phone: "92220002"})
	moved("another addition")
	a.Notes = "يحضر مساء"
	if err := s.UpdatePerson(ctx, &a); err != nil {
		t.Fatal(err)
	}
	moved("an edit")

	if _, err := s.DuplicatePairs(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, "مريم", SearchOptions{}); err != nil {
		t.Fatal(err)
	}
	stayed("reading")
	if err := s.MarkNotSame(ctx, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	stayed("marking a pair not the same")
	w := safeer.Workshop{TitleAr: "ورشة", Date: "2026-01-01", Hours: 2, Governorate: "OM-MA"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	stayed("adding a workshop")

	if _, err := s.MergePeople(ctx, b.ID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	moved("a merge")
	if _, err := s.Import(ctx, readTable(t, rosterCSV), ImportOptions{Source: "roster.csv"}); err != nil {
		t.Fatal(err)
	}
	moved("an import")
	id := uuid.Must(uuid.NewV7()).String()
	h := stamp(time.Now().Add(-time.Hour), "other")
	err := s.ApplyChanges(ctx, []protocol.Change{change(7, "person", id, map[string]protocol.Field{
		"name_ar": f("خديجة الشكيلي", h), "governorate": f("OM-DA", h), "deleted": f(false, h),
	})}, "e1.7", stamp(time.Now(), "hq"))
	if err != nil {
		t.Fatal(err)
	}
	moved("a pulled person")
	if err := s.DeletePerson(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	moved("a deletion")

	// Another process on the same file (the command line while the app runs).
	s2, err := reopenTest(t, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	mustAdd(t, s2, safeer.Person{NameAr: "هدى خلفان العبري", Governorate: "OM-MA", Phone: "92220009"})
	moved("an addition by another process")
}
