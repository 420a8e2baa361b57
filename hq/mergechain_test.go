package hq_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
)

// chainRig is three people P, Q, R on two synced devices, with P checked
// in at a workshop of 3 hours (minimum 3).
type chainRig struct {
	r       *faultRig
	a, b    *synccheck.Device
	p, q, x safeer.Person // x is R
	w       safeer.Workshop
}

func newChainRig(t *testing.T, newDB newDatabase) *chainRig {
	t.Helper()
	r := newFaultRig(t, newDB(t))
	c := &chainRig{r: r, a: r.device("a"), b: r.device("b"),
		p: safeer.Person{NameEn: "Huda Al Balushi", Governorate: ma},
		q: safeer.Person{NameEn: "Huda Al Bloushi", Governorate: ma},
		x: safeer.Person{NameEn: "Hoda Al Balushi", Governorate: ma},
		w: safeer.Workshop{TitleEn: "Smart mobility", Date: "2026-11-20", Hours: 3, MinHours: 3, Governorate: ma}}
	for _, x := range []*safeer.Person{&c.p, &c.q, &c.x} {
		if err := c.a.Store.AddPerson(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.a.Store.AddWorkshop(ctx, &c.w); err != nil {
		t.Fatal(err)
	}
	if err := c.a.Store.Attend(ctx, &safeer.Attendance{WorkshopID: c.w.ID, PersonID: c.p.ID, Hours: 3}); err != nil {
		t.Fatal(err)
	}
	c.settle(t)
	return c
}

func (c *chainRig) sync(t *testing.T, d *synccheck.Device) {
	t.Helper()
	if _, err := d.Client.Sync(ctx); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
}

// settle syncs both devices until each has what the other sent, and checks
// each holds exactly HQ's rows.
func (c *chainRig) settle(t *testing.T) {
	t.Helper()
	for _, d := range []*synccheck.Device{c.a, c.b, c.a} {
		c.sync(t, d)
	}
	c.r.same(c.a)
	c.r.same(c.b)
}

// holds checks on a device that the roster is exactly live, and that every
// read of attendance (the workshop's list, each person's, eligibility for
// a certificate, the count of those present, the export) credits P's
// check-in, with its hours, to want.
func holds(t *testing.T, d *synccheck.Device, w safeer.Workshop, want string, live []string, hidden ...string) {
	t.Helper()
	people, err := d.Store.ListPeople(ctx, data.PeopleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != strings.Join(live, ",") {
		t.Fatalf("%s: roster %v, want %v", d.Name, ids, live)
	}
	if n, err := d.Store.CountPeople(ctx); err != nil || n != len(live) {
		t.Fatalf("%s: %d people counted (%v), want %d", d.Name, n, err, len(live))
	}
	att, err := d.Store.PersonAttendance(ctx, want)
	if err != nil || len(att) != 1 || att[0].Hours != 3 || att[0].Person.ID != want {
		t.Fatalf("%s: attendance of %s: %+v %v", d.Name, want, att, err)
	}
	for _, h := range hidden {
		if att, err := d.Store.PersonAttendance(ctx, h); err != nil || len(att) != 0 {
			t.Fatalf("%s: hidden %s has attendance %+v %v", d.Name, h, att, err)
		}
	}
	ok, skipped, err := d.Store.Eligibility(ctx, w.ID)
	if err != nil || len(ok) != 1 || ok[0].Person.ID != want || len(skipped) != 0 {
		t.Fatalf("%s: eligible %+v, skipped %+v, %v", d.Name, ok, skipped, err)
	}
	var buf bytes.Buffer
	if _, err := d.Store.Export(ctx, "attendance", data.FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], want) {
		t.Fatalf("%s: attendance export %q, want one row for %s", d.Name, lines, want)
	}
}

// Device a merges P into Q while device b merges Q into R. Whatever the
// order of the two merges and the two devices' syncs, both devices (and
// HQ, which they equal) end with R alone on the roster holding P's check-in
// and its hours, eligible for a certificate, in the export.
func TestConcurrentMergesFollowTheChain(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		// The orders of {merge a, sync a, merge b, sync b} with each
		// device's merge before its sync.
		orders := []string{"MaSaMbSb", "MaMbSaSb", "MaMbSbSa", "MbMaSaSb", "MbMaSbSa", "MbSbMaSa"}
		for _, order := range orders {
			t.Run(order, func(t *testing.T) {
				c := newChainRig(t, newDB)
				for i := 0; i < len(order); i += 2 {
					d := c.a
					if order[i+1] == 'b' {
						d = c.b
					}
					switch {
					case order[i] == 'S':
						c.sync(t, d)
					case d == c.a:
						if _, err := c.a.Store.MergePeople(ctx, c.p.ID, c.q.ID, nil); err != nil {
							t.Fatal(err)
						}
					default:
						if _, err := c.b.Store.MergePeople(ctx, c.q.ID, c.x.ID, nil); err != nil {
							t.Fatal(err)
						}
					}
				}
				c.settle(t)
				for _, d := range []*synccheck.Device{c.a, c.b} {
					holds(t, d, c.w, c.x.ID, []string{c.x.ID}, c.p.ID, c.q.ID)
					if conflicts, err := d.Store.Conflicts(ctx, false); err != nil || len(conflicts) != 0 {
						t.Fatalf("%s: conflicts %+v %v", d.Name, conflicts, err)
					}
				}
			})
		}
	})
}

// Device a merges P into Q while device b deletes Q. The merge into the
// deleted person is undone at HQ (hq/mergedeleted.go), whichever reaches
// HQ first: P is back on every roster with its check-in, and the undone
// merge waits in the conflict log for a coordinator.
func TestMergeIntoDeletedPersonIsUndone(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		for _, aFirst := range []bool{true, false} {
			c := newChainRig(t, newDB)
			if _, err := c.a.Store.MergePeople(ctx, c.p.ID, c.q.ID, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.b.Store.DeletePerson(ctx, c.q.ID); err != nil {
				t.Fatal(err)
			}
			first, second := c.a, c.b
			if !aFirst {
				first, second = c.b, c.a
			}
			c.sync(t, first)
			c.sync(t, second)
			c.settle(t)
			for _, d := range []*synccheck.Device{c.a, c.b} {
				holds(t, d, c.w, c.p.ID, sortedIDs(c.p.ID, c.x.ID), c.q.ID)
				got, err := d.Store.Person(ctx, c.p.ID)
				if err != nil || got.MergedInto != "" {
					t.Fatalf("%s: P is merged into %q (%v), want no merge", d.Name, got.MergedInto, err)
				}
				conflicts, err := d.Store.Conflicts(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				if len(conflicts) != 1 || conflicts[0].RowID != c.p.ID || conflicts[0].Field != "merged_into" ||
					conflicts[0].Loser != c.q.ID || conflicts[0].Winner != "" {
					t.Fatalf("%s: conflicts %+v, want the undone merge of P into Q", d.Name, conflicts)
				}
			}
		}
	})
}

// sortedIDs orders ids as the roster lists people of the same name shape:
// the test's names sort "Hoda" (R) before "Huda" (P).
func sortedIDs(p, x string) []string { return []string{x, p} }
