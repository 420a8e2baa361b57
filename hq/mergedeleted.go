package hq

import (
	"context"
	"fmt"

	"github.com/oman-sca/safeer"
)

// undoMergesIntoDeleted applies the rule that nobody disappears because of
// a merge they were not asked about (docs/ARCHITECTURE.md, "Merges into a
// deleted person"): device a merges P into Q while device b deletes Q;
// both fields merge on their own, and P and Q would both vanish. A merge
// into a deleted person is undone: HQ clears the merged person's
// merged_into with its own stamp, which every device pulls, and logs the
// lost target as a conflict in the merged person's scope for a
// coordinator to review (repointMerge). Devices read such a merge as none
// until the repair arrives (data.livePerson), so both sides agree.
//
// It runs in the transaction that changed person id's merged_into or
// deleted: if id is now merged into a deleted person, id's merge is
// undone; if id is now deleted, the merges of everyone merged into id are.
func (s *Server) undoMergesIntoDeleted(ctx context.Context, tx Tx, id string) error {
	r, found, err := tx.Row(ctx, safeer.TablePerson, id)
	if err != nil || !found {
		return err
	}
	d, err := decodeData(r.Data)
	if err != nil {
		return fmt.Errorf("person %s: %w", id, err)
	}
	e := &EditTx{ctx: ctx, s: s, tx: tx}
	if target, _ := d[safeer.FieldMergedInto].V.(string); target != "" && target != id {
		if deleted, err := personDeleted(ctx, tx, target); err != nil {
			return err
		} else if deleted {
			if err := s.repointMerge(ctx, e, id, ""); err != nil {
				return err
			}
		}
	}
	if d[safeer.FieldDeleted].V != true {
		return nil
	}
	followers, err := tx.MergedInto(ctx, id)
	if err != nil {
		return err
	}
	for _, f := range followers {
		if f.ID == id {
			continue
		}
		// A follower deleted too went with the person on purpose (a
		// device deletes the people merged into the one it deletes,
		// first): nothing was hidden by a merge it did not know of.
		if fd, err := decodeData(f.Data); err == nil && fd[safeer.FieldDeleted].V == true {
			continue
		}
		if err := s.repointMerge(ctx, e, f.ID, ""); err != nil {
			return err
		}
	}
	return nil
}

// personDeleted reports whether HQ holds person id as deleted (a person HQ
// lacks is not).
func personDeleted(ctx context.Context, tx Tx, id string) (bool, error) {
	r, found, err := tx.Row(ctx, safeer.TablePerson, id)
	if err != nil || !found {
		return false, err
	}
	d, err := decodeData(r.Data)
	if err != nil {
		return false, fmt.Errorf("person %s: %w", id, err)
	}
	return d[safeer.FieldDeleted].V == true, nil
}
