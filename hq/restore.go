package hq

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/oman-sca/safeer/sync/protocol"
)

// HQ restored from a backup (issue 13). The restored database is the old
// one as it was at the backup: its change numbers up to the backup's last
// (the epoch's start, noted by ResetEpoch in its audit entry) mean the
// same in the new epoch, and everything written since came back from the
// devices (re-asserted) or is new. What HQ logged between the backup and
// the restore is gone, conflicts included, so the values that come back
// are merged with these rules (reassertedConcurrent):
//
//   - a re-asserted op's base revision is the last change of the old epoch
//     its device had pulled (data.resyncBase; 0 for the ops that were
//     queued, or answered "conflict", when HQ said it was restored), read
//     as at most the epoch's start: a stored field newer than that, of
//     another author, is one the value's author may not have seen, and
//     meets it as a conflict (one conflict too many, never one missed);
//   - a re-asserted value older than HQ's, that HQ had already had (its
//     op is in applied_ops, or it is HQ's own), lost to HQ's knowingly:
//     superseded, no conflict. One HQ never had was lost in the restore,
//     and meets HQ's newer value as a conflict.

// epochNote is the words ResetEpoch adds to its audit entry; epochStart
// reads the number back.
const epochNote = "; its changes start after seq %d"

// epochStartCache is the epoch's start of the epoch last read.
type epochStartCache struct {
	mu    sync.Mutex
	epoch string
	start int64
}

// maxAuditScan bounds how far back epochStart looks for the audit entry
// of the epoch's reset.
const maxAuditScan = 20000

// epochStart is the last change number of the backup this epoch was
// restored from (ResetEpoch's audit entry), 0 for an epoch that was never
// reset (or whose entry is not found: then every stored field counts as
// written since the restore, which logs conflicts too many, never too few).
func (s *Server) epochStart(ctx context.Context) (int64, error) {
	meta, err := s.store.Meta(ctx)
	if err != nil {
		return 0, err
	}
	c := &s.epochs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == meta.Epoch {
		return c.start, nil
	}
	var start int64
	before := int64(0)
scan:
	for seen := 0; seen < maxAuditScan; {
		entries, err := s.store.AuditLog(ctx, before, 500)
		if err != nil {
			return 0, err
		}
		for _, e := range entries {
			if e.Action == "epoch.reset" && e.Target == meta.Epoch {
				if i := strings.Index(e.Detail, "; its changes start after seq "); i >= 0 {
					fmt.Sscanf(e.Detail[i:], epochNote, &start)
				}
				break scan
			}
			before = e.ID
		}
		seen += len(entries)
		if len(entries) < 500 {
			break
		}
	}
	c.epoch, c.start = meta.Epoch, start
	return start, nil
}

// reassertedConcurrent says which fields of a re-asserted op meet the
// stored value as a conflict (see the rules above); start is epochStart.
func reassertedConcurrent(ctx context.Context, tx Tx, op protocol.Op, cur rowData, start int64) (map[string]bool, error) {
	base := min(op.BaseRev, start)
	out := map[string]bool{}
	for name, f := range op.Fields {
		stored, ok := cur[name]
		author := stampDevice(f.HLC)
		if !ok || stored.H == f.HLC || stampDevice(stored.H) == author || stored.R <= base {
			continue
		}
		if protocol.Newer(stored.H, f.HLC) {
			// The re-asserted value is older: did HQ have it?
			if author == protocol.HQDevice {
				continue
			}
			if _, had, err := tx.AppliedOp(ctx, author, f.HLC); err != nil {
				return nil, err
			} else if had {
				continue
			}
		}
		out[name] = true
	}
	return out, nil
}
