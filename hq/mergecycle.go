package hq

import (
	"context"
	"fmt"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// maxMergeChain bounds the walk along merged_into: devices keep merges one
// level deep, so a longer chain is already something sync made of
// concurrent merges, and a cycle longer than this is not worth a repair.
const maxMergeChain = 32

// breakMergeCycle repairs what two offline merges of the same people in
// opposite directions make: P merged into Q on one device, Q into P on
// another. Each field merges on its own, so both merges stand, each person
// is merged into the other, and both vanish from every roster.
//
// It runs in the transaction that applied a merge of person id (its
// merged_into just set). If the chain from the merge's target leads back
// to id, the merge HQ applied last wins: its target survives (its
// merged_into is cleared), every other member of the cycle is merged into
// it, and the undone merge is logged as a conflict. These are HQ changes,
// stamped with HQ's clock, so every device pulls the same repair.
func (s *Server) breakMergeCycle(ctx context.Context, tx Tx, id string) error {
	f, _, err := mergedInto(ctx, tx, id)
	if err != nil {
		return err
	}
	target, _ := f.V.(string)
	if target == "" || target == id {
		return nil
	}
	// Walk target → … and see whether it comes back to id.
	var cycle []string // the members after id, target first
	next := target
	for range maxMergeChain {
		if next == id {
			break
		}
		f, _, err := mergedInto(ctx, tx, next)
		if err != nil {
			return err
		}
		cycle = append(cycle, next)
		if next, _ = f.V.(string); next == "" {
			return nil // a chain that ends (or a person HQ lacks): no cycle
		}
	}
	if next != id {
		return nil
	}

	e := &EditTx{ctx: ctx, s: s, tx: tx}
	for i, member := range cycle {
		want := target // the rest of the cycle follows the survivor
		if i == 0 {
			want = "" // the survivor
		}
		if err := s.repointMerge(ctx, e, member, want); err != nil {
			return err
		}
	}
	return nil
}

// mergedInto reads a person's merged_into field (zero when HQ has no such
// person) and the person's scope.
func mergedInto(ctx context.Context, tx Tx, id string) (storedField, string, error) {
	r, found, err := tx.Row(ctx, safeer.TablePerson, id)
	if err != nil || !found {
		return storedField{}, "", err
	}
	d, err := decodeData(r.Data)
	if err != nil {
		return storedField{}, "", fmt.Errorf("person %s: %w", id, err)
	}
	return d[safeer.FieldMergedInto], r.Scope, nil
}

// repointMerge sets member's merged_into to want as an HQ change and logs
// the value it replaces as a conflict's loser, so no device's merge is
// undone without a trace.
func (s *Server) repointMerge(ctx context.Context, e *EditTx, member, want string) error {
	old, _, err := mergedInto(ctx, e.tx, member)
	if err != nil {
		return err
	}
	if changed, err := e.Set(safeer.TablePerson, member, map[string]any{safeer.FieldMergedInto: want}); err != nil || !changed {
		return err
	}
	now, scope, err := mergedInto(ctx, e.tx, member)
	if err != nil {
		return err
	}
	return s.logConflicts(ctx, e.tx, protocol.Op{Table: safeer.TablePerson, RowID: member}, scope, []protocol.FieldConflict{{
		Field:  safeer.FieldMergedInto,
		Winner: protocol.Field{Value: now.V, HLC: now.H},
		Loser:  protocol.Field{Value: old.V, HLC: old.H},
	}})
}
