package hq_test

import (
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
)

// Two coordinators, offline, merge the same two people in opposite
// directions. Without a repair each person ends merged into the other and
// both vanish from every roster; with it the merge HQ applied last wins,
// one person stays, and the undone merge is in the conflict log.
func TestOppositeMergesKeepOnePerson(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		for _, aFirst := range []bool{true, false} {
			r := newFaultRig(t, newDB(t))
			a, b := r.device("a"), r.device("b")
			p := safeer.Person{NameEn: "Salim Al Harthy", Governorate: ma}
			q := safeer.Person{NameEn: "Salem Al Harthi", Governorate: ma}
			for _, x := range []*safeer.Person{&p, &q} {
				if err := a.Store.AddPerson(ctx, x); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range []*synccheck.Device{a, b} {
				if _, err := d.Client.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := a.Store.MergePeople(ctx, p.ID, q.ID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.MergePeople(ctx, q.ID, p.ID, nil); err != nil {
				t.Fatal(err)
			}
			first, second := a, b
			if !aFirst {
				first, second = b, a
			}
			for _, d := range []*synccheck.Device{first, second, first} {
				if _, err := d.Client.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
			r.same(a)
			r.same(b)
			// The later merge stands: its target is the one left.
			survivor, merged := p, q // a's merge (P into Q) reached HQ first; b's (Q into P) won
			if !aFirst {
				survivor, merged = q, p
			}
			for _, d := range []*synccheck.Device{a, b} {
				live, err := d.Store.CountPeople(ctx)
				if err != nil || live != 1 {
					t.Fatalf("%s: %d people in the roster, want 1 (%v)", d.Name, live, err)
				}
				got, err := d.Store.Person(ctx, merged.ID)
				if err != nil || got.MergedInto != survivor.ID {
					t.Fatalf("%s: %s is merged into %q, want %s (%v)", d.Name, merged.NameEn, got.MergedInto, survivor.ID, err)
				}
				conflicts, err := d.Store.Conflicts(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range conflicts {
					found = found || (c.RowID == survivor.ID && c.Field == "merged_into" && c.Loser == merged.ID)
				}
				if !found {
					t.Fatalf("%s: the undone merge is not in the conflict log: %+v", d.Name, conflicts)
				}
			}
		}
	})
}
