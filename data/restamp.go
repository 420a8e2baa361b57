package data

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/oman-sca/safeer/sync/protocol"
)

// A clock that ran ahead. HQ refuses stamps more than protocol.MaxAhead ahead
// of its own clock (an accepted one would win every later honest edit of
// its field until the future arrived). A laptop whose clock jumped forward
// since it last synced (a wrong time zone fixed the wrong way) has stamped
// its offline edits in that future. Before it pushes, with the clock offset
// just measured from HQ's Date header, it moves those edits back to HQ's
// present: RestampAhead gives every unsent op from the first one stamped
// too far ahead a new stamp, in outbox order (so their order is kept), and
// the rows' field stamps with them. The edits then stamp as made now, which
// is what they are to everyone else; nothing is refused, nothing is lost.

// restampMargin is how far ahead of the corrected clock an unsent stamp
// may be before it is moved back: half HQ's allowance, for the offset's
// own error.
const restampMargin = protocol.MaxAhead / 2

// RestampAhead re-stamps the unsent ops stamped more than restampMargin
// ahead of this device's corrected clock, and everything queued after
// them. It returns how many ops it re-stamped (usually none).
func (s *Store) RestampAhead(ctx context.Context) (int, error) {
	limit := protocol.HLC{Wall: s.stampNow().Add(restampMargin).UnixMilli(), Counter: 0xFFFFFF, Device: s.device}
	if !limit.Less(s.clock.Peek()) && s.clock.Floor() <= limit.Wall {
		return 0, nil // the clock is not ahead: nothing queued can be
	}
	restamped := 0
	err := s.write(ctx, func(t *tx) error {
		// The outbox keeps this device's own stamps short (outboxStamp);
		// ops re-asserted after HQ's restore keep other stamps, which are
		// never moved.
		short := limit.String()[:stampLen]
		var first int64
		err := t.sql.QueryRowContext(ctx, `SELECT COALESCE(MIN(seq), 0) FROM outbox WHERE length(hlc) = ? AND hlc > ?`, stampLen, short).Scan(&first)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		if first == 0 {
			s.clock.Rewind(protocol.HLC{Wall: s.stampNow().UnixMilli()})
			return nil
		}
		// Start after the newest op that stays, so the outbox stays in
		// clock order.
		base := protocol.HLC{Wall: s.stampNow().UnixMilli()}
		var kept string
		if err := t.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(hlc), '') FROM outbox WHERE length(hlc) = ? AND seq < ?`, stampLen, first).Scan(&kept); err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		if h, err := protocol.ParseHLC(s.fullStamp(kept)); err == nil && kept != "" && base.Less(h) {
			base = h
		}
		s.clock.Rewind(base)

		type queued struct {
			seq          int64
			opID, stamp  string
			table, rowID string
			fields       map[string]any
		}
		rows, err := t.sql.QueryContext(ctx, `SELECT seq, op_id, hlc, tbl, row_id, fields FROM outbox
			WHERE seq >= ? AND length(hlc) = ? ORDER BY seq`, first, stampLen)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		var ops []queued
		for rows.Next() {
			var q queued
			var fj string
			if err := rows.Scan(&q.seq, &q.opID, &q.stamp, &q.table, &q.rowID, &fj); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(fj), &q.fields); err != nil {
				rows.Close()
				return fmt.Errorf("outbox op %s: %w", q.opID, err)
			}
			ops = append(ops, q)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, q := range ops {
			old := s.fullStamp(q.stamp)
			now := s.clock.Now().String()
			opID := q.opID
			if opID == old {
				opID = now // an op's id is its stamp
			}
			if _, err := t.exec(ctx, `UPDATE outbox SET hlc = ?, op_id = ? WHERE seq = ?`, now[:stampLen], opID, q.seq); err != nil {
				return fmt.Errorf("re-stamp queued change: %w", err)
			}
			if err := t.restampRow(ctx, q.table, q.rowID, q.fields, old, now); err != nil {
				return err
			}
			restamped++
		}
		return nil
	})
	return restamped, err
}

// restampRow moves the fields of (table, id) that still hold stamp old to
// stamp now: the ones a later edit changed again keep that edit's stamp.
func (t *tx) restampRow(ctx context.Context, table, id string, fields map[string]any, old, now string) error {
	if _, ok := protocol.Tables[table]; !ok {
		return fmt.Errorf("internal: re-stamp a row of table %q", table)
	}
	var rowHLC, clocksJSON string
	err := t.sql.QueryRowContext(ctx, "SELECT hlc, clocks FROM "+table+" WHERE id = ?", id).Scan(&rowHLC, &clocksJSON)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", table, id, err)
	}
	clocks := map[string]string{}
	if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
		return fmt.Errorf("%s %s: damaged clocks: %w", table, id, err)
	}
	for name := range fields {
		// A field without a stamp of its own has the row's, moved below.
		if stamp, ok := clocks[name]; ok && stamp == old {
			clocks[name] = now
		}
	}
	if rowHLC == old {
		rowHLC = now
	}
	cj, _ := json.Marshal(clocks)
	if _, err := t.exec(ctx, "UPDATE "+table+" SET hlc = ?, clocks = ? WHERE id = ?", rowHLC, string(cj), id); err != nil {
		return fmt.Errorf("re-stamp %s %s: %w", table, id, err)
	}
	return nil
}
