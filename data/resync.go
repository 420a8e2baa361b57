package data

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Healing HQ after a restore. When HQ answers must_resync it was restored
// from a backup or reset: edits it had acknowledged (and that left this
// device's outbox) may be gone from it, while this device still has them.
// Pulling everything again would keep them here (their stamps are newer)
// but never send them back, and the copies would stay apart for good. So:
//
//   - StartResync resets the cursor and the rows' revisions (noting the old
//     cursor's number, the base of what is re-asserted), notes every row
//     this device holds, and turns the queued ops, and those HQ answered
//     "conflict" whose conflict rows were not pulled yet, into
//     re-assertions with base 0;
//   - while the full pull runs, each noted row HQ sends is compared field by
//     field: what this device has that differs from HQ's copy (newer, older
//     or missing there) goes back into the outbox, with its original stamp,
//     as a re-assertion;
//   - FinishResync, after the last page, sends again, whole, the rows HQ
//     did not send at all, parents first, before the queued ops.
//
// The re-assertions are outbox ops with ids of their own: HQ merges them by
// their stamps (hq/restore.go), and one already there changes nothing.

// resyncTables are the tables whose rows a device may have to send again,
// parents first: those it writes, then the conflicts HQ logged about them
// (HQ loses those it logged after its backup; they go back in HQ's name).
// Place rows are HQ's alone.
var resyncTables = []string{safeer.TablePerson, safeer.TableWorkshop, safeer.TableAttendance, safeer.TableCertificate, safeer.TableConflict}

// StartResync makes the next pull start from the beginning and notes the
// rows to check against HQ's copy. The outbox keeps every op (their base
// revisions, from HQ's old epoch, become 0).
func (s *Store) StartResync(ctx context.Context) error {
	return s.write(ctx, func(t *tx) error {
		// What this device had pulled of the old epoch: the base of what
		// it re-asserts (see resyncBase). A resync begun before, and cut,
		// keeps the base it noted then.
		var cursor string
		if err := t.sql.QueryRowContext(ctx, `SELECT cursor FROM sync_state WHERE id = 1`).Scan(&cursor); err != nil {
			return fmt.Errorf("read sync cursor: %w", err)
		}
		if _, seq, ok := strings.Cut(cursor, "."); ok {
			if _, err := t.exec(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, metaResyncBase, seq); err != nil {
				return fmt.Errorf("note the old cursor: %w", err)
			}
		}
		if _, err := t.exec(ctx, `UPDATE sync_state SET cursor = '', cursor_schema = 0 WHERE id = 1`); err != nil {
			return fmt.Errorf("reset sync cursor: %w", err)
		}
		// Queued ops name revisions of HQ's old epoch, which mean nothing
		// now. Base 0 makes HQ treat every other edit of their fields as
		// concurrent: a conflict logged too many, never one missed.
		// They also get ids of their own (re-asserted): an op HQ applied
		// but whose answer was lost may be in HQ's backup under its first
		// id with its first base, and HQ refuses the same id with other
		// content (op_id_reused). HQ weighs a re-asserted value by its
		// stamp (hq/restore.go): one its backup has changes nothing.
		var seqs []int64
		rows, err := t.sql.QueryContext(ctx, `SELECT seq FROM outbox ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("reset base revisions: %w", err)
		}
		for rows.Next() {
			var q int64
			if err := rows.Scan(&q); err != nil {
				rows.Close()
				return err
			}
			seqs = append(seqs, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range seqs {
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE outbox SET base_rev = 0, op_id = ? WHERE seq = ?`, id.String(), q); err != nil {
				return fmt.Errorf("reset base revisions: %w", err)
			}
		}
		// Ops HQ answered "conflict" whose conflict rows this device has
		// not pulled go again, before the queued ones, as re-assertions
		// with base 0 (see metaAcked): HQ may have lost those rows.
		acked, err := readAcked(ctx, t.sql)
		if err != nil {
			return err
		}
		if len(acked) > 0 {
			var before int64
			if err := t.sql.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM outbox`).Scan(&before); err != nil {
				return err
			}
			for _, o := range acked {
				// An id of its own (a re-assertion): HQ's backup may hold
				// the op under its first id with another base revision,
				// and would refuse the same id with other content.
				id, err := uuid.NewV7()
				if err != nil {
					return err
				}
				if _, err := t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields) VALUES (?, ?, ?, 0, ?, ?)`,
					id.String(), o.Table, o.Row, t.s.fullStamp(o.HLC), o.Fields); err != nil {
					return fmt.Errorf("queue again an op HQ may have lost the conflicts of: %w", err)
				}
			}
			if _, err := t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields)
				SELECT op_id, tbl, row_id, base_rev, hlc, fields FROM outbox WHERE seq <= ? ORDER BY seq`, before); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `DELETE FROM outbox WHERE seq <= ?`, before); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `DELETE FROM meta WHERE key = ?`, metaAcked); err != nil {
				return err
			}
		}
		a := newApplier(t)
		for _, table := range resyncTables {
			cols, err := a.columns(ctx, table)
			if err != nil || cols == nil {
				continue // not in this schema
			}
			// table is one of resyncTables, never outside input.
			if _, err := t.exec(ctx, `INSERT OR IGNORE INTO resync_pending (tbl, row_id) SELECT ?, id FROM `+table, table); err != nil {
				return fmt.Errorf("note rows to check after HQ's restore: %w", err)
			}
			// Revisions of the old epoch mean nothing in the new one: an
			// edit made before the full pull has brought the row again
			// (a resync cut half-way) is based on 0, not on them.
			if _, err := t.exec(ctx, `UPDATE `+table+` SET rev = 0 WHERE rev <> 0`); err != nil {
				return fmt.Errorf("reset revisions: %w", err)
			}
		}
		return nil
	})
}

// ResyncPending is the number of rows still to be checked against HQ.
func (s *Store) ResyncPending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM resync_pending`).Scan(&n)
	return n, err
}

// FinishResync is called after the last page of every pull. It ends a
// resync after the last page of the full pull: each
// noted row HQ did not send is queued in full for HQ (its fields with their
// stamps), whoever wrote it: HQ lost it in its restore, and an edit of it
// (made here, or queued here before the restore) names only the fields it
// changes, which HQ cannot place without the row. The rows go parents
// first (people and workshops, then attendance, then certificates), each
// row's op that places it (governorate, workshop, attendance) first, and
// all of them before the ops queued earlier, which may edit those rows. It
// returns the number of ops queued. Without a resync under way it does
// nothing.
func (s *Store) FinishResync(ctx context.Context) (int, error) {
	// A pull to the end has brought the conflict rows of the ops
	// acknowledged before it (see metaAcked).
	if _, err := s.db.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaAcked); err != nil {
		return 0, fmt.Errorf("forget acknowledged ops: %w", err)
	}
	if n, err := s.ResyncPending(ctx); err != nil || n == 0 {
		return 0, err
	}
	queued := 0
	err := s.write(ctx, func(t *tx) error {
		a := newApplier(t)
		var before int64
		if err := t.sql.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM outbox`).Scan(&before); err != nil {
			return err
		}
		rows, err := t.sql.QueryContext(ctx, `SELECT tbl, row_id FROM resync_pending`)
		if err != nil {
			return err
		}
		type key struct{ table, id string }
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.table, &k.id); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		sort.Slice(keys, func(i, j int) bool {
			if ti, tj := tableOrder(keys[i].table), tableOrder(keys[j].table); ti != tj {
				return ti < tj
			}
			return keys[i].id < keys[j].id
		})
		for _, k := range keys {
			cols, err := a.columns(ctx, k.table)
			if err != nil {
				return err
			}
			if cols == nil {
				continue
			}
			local, ok, err := a.readStamped(ctx, k.table, k.id, cols)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			// The whole row, unsent fields too (their queued ops follow
			// and change nothing more).
			send := map[string]protocol.Field{}
			for name, f := range local {
				// Empty values too: a check-in undone and made again
				// (deleted false), a conflict's empty winner.
				if f.HLC != "" {
					send[name] = f
				}
			}
			n, err := a.reassertFirst(ctx, k.table, k.id, a.resyncBase(ctx), send, placeField[k.table])
			if err != nil {
				return err
			}
			queued += n
			// Its revision belonged to the old epoch.
			if _, err := t.exec(ctx, `UPDATE `+k.table+` SET rev = 0 WHERE id = ?`, k.id); err != nil {
				return err
			}
		}
		if queued > 0 && before > 0 {
			// The ops queued before go after the rows they may edit, in
			// their order (new seqs; nothing is being pushed now).
			if _, err := t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields)
				SELECT op_id, tbl, row_id, base_rev, hlc, fields FROM outbox WHERE seq <= ? ORDER BY seq`, before); err != nil {
				return fmt.Errorf("queue earlier edits after the rows HQ lost: %w", err)
			}
			if _, err := t.exec(ctx, `DELETE FROM outbox WHERE seq <= ?`, before); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `DELETE FROM meta WHERE key = ?`, metaResyncBase); err != nil {
			return err
		}
		_, err = t.exec(ctx, `DELETE FROM resync_pending`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("send HQ what it lost: %w", err)
	}
	if queued > 0 {
		s.log.Info("sync: rows HQ lost in its restore are queued again", "ops", queued)
	}
	return queued, nil
}

// placeField is, for each table a device writes, the field HQ places a new
// row by (its governorate, or the row it belongs to).
var placeField = map[string]string{
	safeer.TablePerson: safeer.FieldGovernorate, safeer.TableWorkshop: safeer.FieldGovernorate,
	safeer.TableAttendance: safeer.FieldWorkshopID, safeer.TableCertificate: safeer.FieldAttendanceID,
	safeer.TableConflict: safeer.FieldRowID,
}

// tableOrder puts parents before children (the order of resyncTables).
func tableOrder(table string) int {
	for i, t := range resyncTables {
		if t == table {
			return i
		}
	}
	return len(resyncTables)
}

// resyncRow is the part of applying a pulled row during a resync: if the
// row was noted, it is checked off, and the fields this device has newer
// than HQ's copy (or that HQ lacks) are queued again. local is the row as
// stored before the page.
func (a *applier) resyncRow(ctx context.Context, ch protocol.Change, cols map[string]string, incoming map[string]protocol.Field) error {
	res, err := a.t.exec(ctx, `DELETE FROM resync_pending WHERE tbl = ? AND row_id = ?`, ch.Table, ch.RowID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	local, ok, err := a.readStamped(ctx, ch.Table, ch.RowID, cols)
	if err != nil || !ok {
		return err
	}
	// An empty value set after the row was made (a field cleared, or
	// HQ's repair of a merge) is an edit like any other: if HQ lost it,
	// an older value another device re-asserts would win at HQ while
	// this device keeps the empty one, and the copies would stay apart.
	explicit, err := a.stampedSinceCreation(ctx, ch.Table, ch.RowID)
	if err != nil {
		return err
	}
	unsent, err := a.unsentStamps(ctx, ch.Table, ch.RowID)
	if err != nil {
		return err
	}
	send := map[string]protocol.Field{}
	for name, f := range local {
		if f.HLC == "" || unsent[name+"@"+f.HLC] {
			continue // a queued op sends this very value
		}
		in, has := incoming[name]
		if has && in.HLC == f.HLC {
			continue // HQ has this very edit
		}
		if !has && isZero(f.Value) && !explicit[name] {
			continue // empty since the row was made: HQ's copy is empty too
		}
		// Newer than HQ's copy: HQ lost it. Older: HQ may have lost it
		// too, and kept a concurrent edit that came back before it
		// without the conflict it had logged; HQ decides (a value it had
		// is superseded, one it lost meets HQ's as a conflict).
		send[name] = f
	}
	_, err = a.reassert(ctx, ch.Table, ch.RowID, a.resyncBase(ctx), send)
	return err
}

// stampedSinceCreation are the row's fields with a stamp of their own
// (clocks): set after the row was made, or pulled. The others were last
// set by the write that made the row.
func (a *applier) stampedSinceCreation(ctx context.Context, table, id string) (map[string]bool, error) {
	var clocksJSON string
	// table is one of protocol.Tables, never outside input.
	if err := a.t.sql.QueryRowContext(ctx, `SELECT clocks FROM `+table+` WHERE id = ?`, id).Scan(&clocksJSON); err != nil {
		return nil, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	clocks := map[string]string{}
	if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
		return nil, fmt.Errorf("%s %s: damaged clocks: %w", table, id, err)
	}
	out := make(map[string]bool, len(clocks))
	for name, stamp := range clocks {
		out[name] = stamp != ""
	}
	return out, nil
}

// unsentStamps are "field@stamp" of every field the row's queued ops
// set. A field's value is sent by a queued op only if one carries its
// stamp: an op HQ answered "conflict", queued again by StartResync, may be
// older than the value the field holds now.
func (a *applier) unsentStamps(ctx context.Context, table, id string) (map[string]bool, error) {
	rows, err := a.t.sql.QueryContext(ctx, `SELECT hlc, fields FROM outbox WHERE tbl = ? AND row_id = ?`, table, id)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var h, fj string
		if err := rows.Scan(&h, &fj); err != nil {
			return nil, err
		}
		var f map[string]json.RawMessage
		if err := json.Unmarshal([]byte(fj), &f); err != nil {
			return nil, fmt.Errorf("queued op of %s %s: %w", table, id, err)
		}
		h = a.t.s.fullStamp(h)
		for k := range f {
			out[k+"@"+h] = true
		}
	}
	return out, rows.Err()
}

// metaResyncBase is the meta key of the sequence number this device had
// pulled up to in HQ's old epoch, noted when a resync starts.
const metaResyncBase = "resync_base"

// resyncBase is the base revision of what a resync re-asserts: the last
// change of HQ's old epoch this device had pulled. Numbers up to the
// restored backup's last one mean the same in the new epoch, so HQ reads
// the base as the smaller of the two (hq.epochStart): whatever HQ holds
// that is newer than that, this device had not seen, and HQ may log a
// conflict with it. 0 (everything concurrent) when unknown.
func (a *applier) resyncBase(ctx context.Context) int64 {
	if a.base == nil {
		var v string
		var n int64
		if err := a.t.sql.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaResyncBase).Scan(&v); err == nil {
			n, _ = strconv.ParseInt(v, 10, 64)
		}
		a.base = &n
	}
	return *a.base
}

// readStamped reads a row's synced fields with the stamp of each.
func (a *applier) readStamped(ctx context.Context, table, id string, cols map[string]string) (map[string]protocol.Field, bool, error) {
	names := sortedKeys(cols)
	vals := make([]any, len(names))
	var rowHLC, clocksJSON string
	dest := []any{&rowHLC, &clocksJSON}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	// Column names come from protocol.Tables and the local schema.
	q := "SELECT hlc, clocks, " + strings.Join(names, ", ") + " FROM " + table + " WHERE id = ?"
	if err := a.t.sql.QueryRowContext(ctx, q, id).Scan(dest...); err != nil {
		if isNoRows(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	clocks := map[string]string{}
	if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
		return nil, false, fmt.Errorf("%s %s: damaged clocks: %w", table, id, err)
	}
	out := make(map[string]protocol.Field, len(names))
	for i, n := range names {
		stamp, ok := clocks[n]
		if !ok {
			stamp = rowHLC
		}
		v, err := fromColumn(n, cols[n], vals[i])
		if err != nil {
			return nil, false, fmt.Errorf("%s %s: %w", table, id, err)
		}
		out[n] = protocol.Field{Value: v, HLC: stamp}
	}
	return out, true, nil
}

// reassert queues fields again with their original stamps: one outbox op
// per stamp (an op's fields share one). It returns the ops queued.
func (a *applier) reassert(ctx context.Context, table, id string, baseRev int64, fields map[string]protocol.Field) (int, error) {
	return a.reassertFirst(ctx, table, id, baseRev, fields, "")
}

// reassertFirst is reassert with the op holding field first (HQ places a
// row it does not hold by that field), the others in stamp order.
func (a *applier) reassertFirst(ctx context.Context, table, id string, baseRev int64, fields map[string]protocol.Field, first string) (int, error) {
	byStamp := map[string]map[string]any{}
	for name, f := range fields {
		if byStamp[f.HLC] == nil {
			byStamp[f.HLC] = map[string]any{}
		}
		byStamp[f.HLC][name] = f.Value
	}
	stamps := make([]string, 0, len(byStamp))
	for h := range byStamp {
		stamps = append(stamps, h)
	}
	sort.Strings(stamps)
	if f, ok := fields[first]; ok {
		for i, h := range stamps {
			if h == f.HLC {
				copy(stamps[1:i+1], stamps[:i])
				stamps[0] = h
				break
			}
		}
	}
	for _, h := range stamps {
		opID, err := uuid.NewV7()
		if err != nil {
			return 0, err
		}
		payload, err := json.Marshal(byStamp[h])
		if err != nil {
			return 0, err
		}
		if _, err := a.t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields) VALUES (?, ?, ?, ?, ?, ?)`,
			opID.String(), table, id, baseRev, h, string(payload)); err != nil {
			return 0, fmt.Errorf("queue %s %s again: %w", table, id, err)
		}
	}
	return len(stamps), nil
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}

// RequeueRefused puts back in the outbox, in their order, the ops of ids
// that HQ refused in a push made before it said it was restored (a run
// pushes before it pulls): an edit of a row HQ lost is refused because HQ
// no longer holds the row, and goes again after the resync has sent the
// row back. Call it between StartResync and the full pull; it returns the
// number of ops queued again.
func (s *Store) RequeueRefused(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for _, id := range ids {
			res, err := t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields)
				SELECT op_id, tbl, row_id, 0, hlc, fields FROM rejected_op WHERE op_id = ?`, id)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			if _, err := t.exec(ctx, `DELETE FROM rejected_op WHERE op_id = ?`, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue again the ops HQ refused before its resync: %w", err)
	}
	return n, nil
}
