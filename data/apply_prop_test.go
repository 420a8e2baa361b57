package data

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/sync/protocol"
	"pgregory.net/rapid"
)

// TestApplyConvergesWhateverTheOrder: pulled rows applied in any order,
// split into any pages, some of them twice (a resumed pull), leave every
// field with the value of its highest stamp, the same on every device, and
// make no outbox ops. (Merges against unsent local edits are covered by
// TestApplyConcurrentWithUnsentOp; convergence with HQ in the loop is the
// property test against the real HQ.)
func TestApplyConvergesWhateverTheOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// Two devices, opened once; every check uses new row ids.
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, filepath.Join(dir, fmt.Sprintf("d%d.db", i)))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	fields := []string{"name_en", "notes", "organisation", "expertise"}
	rapid.Check(t, func(rt *rapid.T) {
		ids := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
		// Edits: each a stamp (unique) and the value it set.
		type edit struct {
			row, field string
			stamp      protocol.HLC
		}
		var edits []edit
		used := map[string]bool{}
		for range rapid.IntRange(1, 20).Draw(rt, "edits") {
			e := edit{
				row:   rapid.SampledFrom(ids).Draw(rt, "row"),
				field: rapid.SampledFrom(fields).Draw(rt, "field"),
				stamp: protocol.HLC{Wall: int64(rapid.IntRange(1, 40).Draw(rt, "wall")) + 1e12,
					Counter: uint32(rapid.IntRange(0, 2).Draw(rt, "counter")),
					Device:  rapid.SampledFrom([]string{"d1", "d2", "d3"}).Draw(rt, "device")},
			}
			if used[e.row+e.field+e.stamp.String()] {
				continue
			}
			used[e.row+e.field+e.stamp.String()] = true
			edits = append(edits, e)
		}
		value := func(e edit) string { return e.field + "@" + e.stamp.String() }
		// HQ sends rows as they stood after some of the edits: each change
		// carries, per field, the newest edit among a random subset.
		var changes []protocol.Change
		for i := range rapid.IntRange(1, 8).Draw(rt, "changes") {
			row := rapid.SampledFrom(ids).Draw(rt, "changed row")
			fs := map[string]protocol.Field{}
			for _, e := range edits {
				if e.row != row || !rapid.Bool().Draw(rt, "seen") {
					continue
				}
				if cur, ok := fs[e.field]; !ok || protocol.Newer(e.stamp.String(), cur.HLC) {
					fs[e.field] = protocol.Field{Value: value(e), HLC: e.stamp.String()}
				}
			}
			changes = append(changes, protocol.Change{Seq: int64(i + 1), Table: "person", RowID: row, Fields: fs})
		}
		// The expected state: per field, the newest stamp any change carried.
		want := map[string]map[string]protocol.Field{}
		for _, c := range changes {
			if want[c.RowID] == nil {
				want[c.RowID] = map[string]protocol.Field{}
			}
			for k, f := range c.Fields {
				if cur, ok := want[c.RowID][k]; !ok || protocol.Newer(f.HLC, cur.HLC) {
					want[c.RowID][k] = f
				}
			}
		}
		for dev, s := range stores {
			order := rapid.Permutation(changes).Draw(rt, fmt.Sprintf("order %d", dev))
			// Some pages again, as a pull cut after a commit would.
			for len(order) > 0 {
				k := rapid.IntRange(1, len(order)).Draw(rt, "page")
				if err := s.ApplyChanges(ctx, order[:k], "e1.1", ""); err != nil {
					rt.Fatal(err)
				}
				if rapid.Bool().Draw(rt, "again") {
					if err := s.ApplyChanges(ctx, order[:k], "e1.1", ""); err != nil {
						rt.Fatal(err)
					}
				}
				order = order[k:]
			}
			for row, fs := range want {
				p, err := s.Person(ctx, row)
				if err != nil {
					rt.Fatalf("device %d: row %s: %v", dev, row, err)
				}
				got := map[string]string{"name_en": p.NameEn, "notes": p.Notes, "organisation": p.Organisation, "expertise": p.Expertise}
				for k, f := range fs {
					if got[k] != f.Value {
						rt.Fatalf("device %d: %s.%s = %q, want %q", dev, row, k, got[k], f.Value)
					}
				}
			}
			if l, _ := s.OutboxLen(ctx); l != 0 {
				rt.Fatalf("pulled rows made %d outbox ops", l)
			}
		}
	})
}
