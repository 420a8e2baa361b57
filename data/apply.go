package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Applying what HQ sends. A pulled page and its cursor are written in one
// transaction, so a cut link resumes where it stopped and the cursor never
// runs ahead of the rows it covers. Pulled rows are merged field by field
// with protocol.Merge (the same function HQ runs) and are not outbox changes:
// they came from HQ.

// boolFields are the synced flags, kept as 0/1 in INTEGER columns.
var boolFields = map[string]bool{safeer.FieldDeleted: true, safeer.FieldResolved: true}

// maxPeoplePatch is how many pulled people a page may patch into the search
// index in place; a bigger page marks the index stale (one rebuild).
const maxPeoplePatch = 200

// ApplyChanges applies one pulled page and stores nextCursor with it, in one
// transaction: either the whole page and its cursor are saved or nothing is.
// For every row the stored fields (each with its stamp: clocks[field], else
// the row's hlc) are merged with the incoming ones by protocol.Merge; a field
// counts as concurrently changed when an unsent op of this device touches it.
// Only the fields that changed are written, with their stamps, and the row's
// rev becomes the change's Seq (the base of the next local edit). Tables and
// fields this Safeer does not know (a newer HQ) are skipped with a log line.
//
// After the commit the device clock observes hqClock, so an edit made after
// this pull stamps after everything HQ had. A clock more than protocol.MaxSkew
// ahead is refused: the page is still applied (and the cursor saved), the
// clock does not jump, and the error wraps protocol.ErrClockSkew.
func (s *Store) ApplyChanges(ctx context.Context, changes []protocol.Change, nextCursor string, hqClock string) error {
	var hq protocol.HLC
	clockOK := false
	if hqClock != "" {
		h, err := protocol.ParseHLC(hqClock)
		if err != nil {
			s.log.Warn("sync: HQ's clock is unreadable; not observed", "clock", hqClock, "err", err)
		} else {
			hq, clockOK = h, true
		}
	}
	err := s.write(ctx, func(t *tx) error {
		a := newApplier(t)
		for _, ch := range changes {
			if err := a.apply(ctx, ch); err != nil {
				return err
			}
		}
		if len(a.people) > maxPeoplePatch || a.peopleGone {
			t.peopleBulk = true
		} else {
			for _, id := range sortedKeys(a.people) {
				p, err := t.person(ctx, id)
				if err != nil {
					return fmt.Errorf("read pulled person %s: %w", id, err)
				}
				t.people = append(t.people, p)
			}
		}
		if nextCursor != "" {
			if _, err := t.exec(ctx, `UPDATE sync_state SET cursor = ?, cursor_schema = ? WHERE id = 1`, nextCursor, SchemaVersion()); err != nil {
				return fmt.Errorf("save sync cursor: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply pulled changes: %w", err)
	}
	if !clockOK {
		return nil
	}
	if err := s.clock.Observe(hq); err != nil {
		return fmt.Errorf("pulled changes applied, but HQ's clock (%s) is refused: %w", hq.Time().Format("2006-01-02 15:04 MST"), err)
	}
	if err := s.persistClock(ctx); err != nil {
		return fmt.Errorf("save device clock: %w", err)
	}
	return nil
}

// ObserveClock merges a clock stamp received from HQ outside a pull (a push
// reply, enrolment) and saves it, so the next local edit stamps after it.
func (s *Store) ObserveClock(ctx context.Context, stamp string) error {
	if stamp == "" {
		return nil
	}
	h, err := protocol.ParseHLC(stamp)
	if err != nil {
		return fmt.Errorf("HQ's clock: %w", err)
	}
	if err := s.clock.Observe(h); err != nil {
		return fmt.Errorf("HQ's clock (%s) is refused: %w", h.Time().Format("2006-01-02 15:04 MST"), err)
	}
	return s.persistClock(ctx)
}

// Clock is the device's newest clock stamp (for tests and diagnostics).
func (s *Store) Clock() protocol.HLC { return s.clock.Peek() }

func newApplier(t *tx) *applier {
	return &applier{t: t, cols: map[string]map[string]string{}, warned: map[string]bool{}}
}

type applier struct {
	t      *tx
	cols   map[string]map[string]string // table → synced local column → SQLite type
	warned map[string]bool
	people map[string]bool
	// peopleGone: a person left this device's governorates; the search
	// index is rebuilt rather than patched.
	peopleGone bool
	base       *int64 // resyncBase, once read
}

// drop deletes this device's copy of a row that HQ says has left its
// governorates (moved by an administrator, or by a device enrolled for
// both): the device no longer holds, or is sent, anything of it. Its queued
// edits stay queued; HQ refuses them as out of scope and they are kept
// with the other refused changes, for the coordinator to see.
func (a *applier) drop(ctx context.Context, table, id string) error {
	if err := a.keepLostOwnValues(ctx, table, id); err != nil {
		return err
	}
	// table is a key of protocol.Tables (checked by columns), never outside input.
	res, err := a.t.exec(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("drop %s %s, which left this device's governorates: %w", table, id, err)
	}
	if _, err := a.t.exec(ctx, `DELETE FROM resync_pending WHERE tbl = ? AND row_id = ?`, table, id); err != nil {
		return fmt.Errorf("drop %s %s: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 && table == safeer.TablePerson {
		a.peopleGone = true
	}
	if table != safeer.TableConflict {
		// The conflicts about the row go with it (HQ keeps them in the
		// row's governorate; one it lost in a restore has no exit to
		// tell this device): none is left that names a row not here.
		if _, err := a.t.exec(ctx, `DELETE FROM resync_pending WHERE tbl = 'conflict' AND row_id IN (SELECT id FROM conflict WHERE tbl = ? AND row_id = ?)`, table, id); err != nil {
			return fmt.Errorf("drop %s %s: %w", table, id, err)
		}
		if _, err := a.t.exec(ctx, `DELETE FROM conflict WHERE tbl = ? AND row_id = ?`, table, id); err != nil {
			return fmt.Errorf("drop the conflicts about %s %s: %w", table, id, err)
		}
	}
	return nil
}

// keepLostOwnValues: a row that leaves the device while a resync is under
// way (it is still to be checked against HQ's copy) may hold this device's
// own edits that HQ lost in its restore; HQ would refuse them now (the row
// is in a governorate this device is not enrolled for), and the device no
// longer holds the row to send them. They are kept with the refused
// changes (out of scope), one entry per stamp, for a person to see,
// rather than vanish with the row.
func (a *applier) keepLostOwnValues(ctx context.Context, table, id string) error {
	if table == safeer.TableConflict {
		return nil
	}
	var noted int
	if err := a.t.sql.QueryRowContext(ctx, `SELECT count(*) FROM resync_pending WHERE tbl = ? AND row_id = ?`, table, id).Scan(&noted); err != nil || noted == 0 {
		return err
	}
	cols, err := a.columns(ctx, table)
	if err != nil || cols == nil {
		return err
	}
	local, ok, err := a.readStamped(ctx, table, id, cols)
	if err != nil || !ok {
		return err
	}
	byStamp := map[string]map[string]any{}
	for name, f := range local {
		h, err := protocol.ParseHLC(f.HLC)
		if err != nil || h.Device != a.t.s.device {
			continue
		}
		if byStamp[f.HLC] == nil {
			byStamp[f.HLC] = map[string]any{}
		}
		byStamp[f.HLC][name] = f.Value
	}
	now := formatTime(a.t.s.nowUTC())
	for _, h := range sortedKeys(byStamp) {
		opID, err := uuid.NewV7()
		if err != nil {
			return err
		}
		payload, err := json.Marshal(byStamp[h])
		if err != nil {
			return err
		}
		if _, err := a.t.exec(ctx, `INSERT INTO rejected_op (op_id, tbl, row_id, base_rev, hlc, fields, code, message, rejected_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)`,
			opID.String(), table, id, h, string(payload), protocol.CodeOutOfScope,
			table+" "+id+" left this device's governorates while HQ, restored from a backup, may have lost these changes", now); err != nil {
			return fmt.Errorf("keep the changes of %s %s: %w", table, id, err)
		}
	}
	return nil
}

func (a *applier) warn(key, msg string, args ...any) {
	if a.warned[key] {
		return
	}
	a.warned[key] = true
	a.t.s.log.Warn(msg, args...)
}

// columns are the synced fields of table that this device's schema has,
// with their types; nil when the table is unknown here.
func (a *applier) columns(ctx context.Context, table string) (map[string]string, error) {
	if c, ok := a.cols[table]; ok {
		return c, nil
	}
	synced, ok := protocol.Tables[table]
	if !ok {
		a.cols[table] = nil
		return nil, nil
	}
	// table is a key of protocol.Tables, never outside input.
	rows, err := a.t.sql.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", table, err)
	}
	defer rows.Close()
	local := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		local[name] = strings.ToUpper(typ)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var cols map[string]string
	if local["id"] != "" && local["clocks"] != "" && local["hlc"] != "" && local["rev"] != "" {
		cols = map[string]string{}
		for _, f := range synced {
			if typ, ok := local[f]; ok {
				cols[f] = typ
			}
		}
	}
	a.cols[table] = cols
	return cols, nil
}

func (a *applier) apply(ctx context.Context, ch protocol.Change) error {
	cols, err := a.columns(ctx, ch.Table)
	if err != nil {
		return err
	}
	if cols == nil {
		a.warn("table "+ch.Table, "sync: skipping pulled rows of a table this Safeer does not know (update Safeer)", "table", ch.Table)
		return nil
	}
	if ch.RowID == "" {
		a.warn("norow "+ch.Table, "sync: skipping a pulled row without id", "table", ch.Table, "seq", ch.Seq)
		return nil
	}
	if ch.Gone {
		return a.drop(ctx, ch.Table, ch.RowID)
	}
	incoming := make(map[string]protocol.Field, len(ch.Fields))
	for name, f := range ch.Fields {
		typ, ok := cols[name]
		if !ok {
			a.warn("field "+ch.Table+"."+name, "sync: skipping a pulled field this Safeer does not know (update Safeer)", "table", ch.Table, "field", name)
			continue
		}
		if _, err := protocol.ParseHLC(f.HLC); err != nil {
			a.warn("stamp "+ch.Table+"."+name, "sync: skipping a pulled field with an unreadable stamp", "table", ch.Table, "row", ch.RowID, "field", name, "err", err)
			continue
		}
		v, err := canonical(name, typ, f.Value)
		if err != nil {
			a.warn("value "+ch.Table+"."+name, "sync: skipping a pulled value of the wrong type", "table", ch.Table, "row", ch.RowID, "field", name, "err", err)
			continue
		}
		incoming[name] = protocol.Field{Value: v, HLC: f.HLC}
	}
	// After HQ's restore: send back what it lost of this row.
	if err := a.resyncRow(ctx, ch, cols, incoming); err != nil {
		return err
	}
	names := sortedKeys(incoming)

	// The row as stored, with each field's stamp.
	var rowHLC, clocksJSON string
	vals := make([]any, len(names))
	dest := []any{&rowHLC, &clocksJSON}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	sel := "SELECT hlc, clocks"
	for _, n := range names {
		sel += ", " + n
	}
	sel += " FROM " + ch.Table + " WHERE id = ?"
	exists := true
	st, err := a.t.stmt(ctx, sel)
	if err != nil {
		return fmt.Errorf("read %s %s: %w", ch.Table, ch.RowID, err)
	}
	if err := st.QueryRowContext(ctx, ch.RowID).Scan(dest...); err != nil {
		if !isNoRows(err) {
			return fmt.Errorf("read %s %s: %w", ch.Table, ch.RowID, err)
		}
		exists = false
	}
	clocks := map[string]string{}
	current := map[string]protocol.Field{}
	if exists {
		if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
			return fmt.Errorf("%s %s: damaged clocks: %w", ch.Table, ch.RowID, err)
		}
		for i, n := range names {
			stamp, ok := clocks[n]
			if !ok {
				stamp = rowHLC
			}
			stored, err := a.t.s.openValue(ch.Table, ch.RowID, n, vals[i]) // sealed on a protected database
			if err != nil {
				return fmt.Errorf("%s %s: %w", ch.Table, ch.RowID, err)
			}
			v, err := fromColumn(n, cols[n], stored)
			if err != nil {
				return fmt.Errorf("%s %s: %w", ch.Table, ch.RowID, err)
			}
			current[n] = protocol.Field{Value: v, HLC: stamp}
		}
	}

	var unsent map[string]bool
	concurrent := func(field string) bool {
		if unsent == nil {
			unsent = a.unsentFields(ctx, ch.Table, ch.RowID)
		}
		return unsent[field]
	}
	changed, conflicts := protocol.Merge(current, incoming, concurrent)
	for _, c := range conflicts {
		// HQ logs this conflict (and syncs it back) when the unsent op
		// arrives; the device only notes it.
		a.t.s.log.Info("sync: pulled change meets an unsent local edit", "table", ch.Table, "row", ch.RowID,
			"field", c.Field, "winner", c.Winner.HLC, "loser", c.Loser.HLC)
	}
	cnames := sortedKeys(changed)
	args := make([]any, 0, len(cnames)+4)
	if exists {
		sets := make([]string, 0, len(cnames)+2)
		for _, n := range cnames {
			v, err := a.store(ch.Table, ch.RowID, n, sqlColumnValue(cols[n], changed[n].Value), &sets, &args)
			if err != nil {
				return err
			}
			sets = append(sets, n+" = ?")
			args = append(args, v)
			clocks[n] = changed[n].HLC
		}
		// A field given back to HQ (TakeBackRefused: the empty stamp) that
		// HQ's copy lacks is empty at HQ: empty here too.
		for _, n := range sortedKeys(clocks) {
			typ, synced := cols[n]
			if _, sent := incoming[n]; sent || !synced || clocks[n] != "" {
				continue
			}
			if _, err := a.store(ch.Table, ch.RowID, n, zeroColumn(typ), &sets, &args); err != nil {
				return err
			}
			sets = append(sets, n+" = ?")
			args = append(args, zeroColumn(typ))
			changed[n] = protocol.Field{Value: nil}
		}
		cj, err := json.Marshal(clocks)
		if err != nil {
			return err
		}
		sets = append(sets, "clocks = ?", "rev = ?")
		args = append(args, string(cj), ch.Seq, ch.RowID)
		if _, err := a.t.exec(ctx, "UPDATE "+ch.Table+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
			return fmt.Errorf("apply pulled %s %s: %w", ch.Table, ch.RowID, err)
		}
	} else {
		// A new row: fields HQ did not send keep their defaults at the zero
		// stamp, so any later stamp wins over them.
		colNames := []string{"id", "hlc", "clocks", "rev"}
		for _, n := range cnames {
			clocks[n] = changed[n].HLC
		}
		cj, err := json.Marshal(clocks)
		if err != nil {
			return err
		}
		args = append(args, ch.RowID, "", string(cj), ch.Seq)
		var hashCols []string
		var hashArgs []any
		for _, n := range cnames {
			v, err := a.store(ch.Table, ch.RowID, n, sqlColumnValue(cols[n], changed[n].Value), &hashCols, &hashArgs)
			if err != nil {
				return err
			}
			colNames = append(colNames, n)
			args = append(args, v)
		}
		for i, c := range hashCols {
			colNames = append(colNames, strings.TrimSuffix(c, " = ?"))
			args = append(args, hashArgs[i])
		}
		q := "INSERT INTO " + ch.Table + " (" + strings.Join(colNames, ", ") + ") VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(colNames)), ", ") + ")"
		if _, err := a.t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("apply pulled %s %s: %w", ch.Table, ch.RowID, err)
		}
	}
	switch ch.Table {
	case safeer.TablePerson:
		if len(changed) > 0 {
			if a.people == nil {
				a.people = map[string]bool{}
			}
			a.people[ch.RowID] = true
		}
	case safeer.TablePlace:
		if len(changed) > 0 {
			a.t.placesSeen = true
		}
	}
	return nil
}

// store is what the file keeps for the pulled value v of field: sealed on
// a protected database, with its look-up hash appended to sets and args
// (vault.go).
func (a *applier) store(table, id, field string, v any, sets *[]string, args *[]any) (any, error) {
	if sealedFields[table] != nil && a.t.s.Locked() {
		return nil, errLocked()
	}
	if col, h := a.t.s.hashValue(table, field, v); col != "" {
		*sets = append(*sets, col+" = ?")
		*args = append(*args, h)
	}
	return a.t.s.sealValue(table, id, field, v)
}

// unsentFields are the fields of a row that unsent ops of this device set.
func (a *applier) unsentFields(ctx context.Context, table, id string) map[string]bool {
	out := map[string]bool{}
	st, err := a.t.stmt(ctx, `SELECT fields FROM outbox WHERE tbl = ? AND row_id = ?`)
	if err != nil {
		a.t.s.log.Warn("sync: read outbox", "err", err)
		return out
	}
	rows, err := st.QueryContext(ctx, table, id)
	if err != nil {
		a.t.s.log.Warn("sync: read outbox", "err", err)
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var fj string
		if rows.Scan(&fj) != nil {
			continue
		}
		var f map[string]json.RawMessage
		if json.Unmarshal([]byte(fj), &f) != nil {
			continue
		}
		for k := range f {
			out[k] = true
		}
	}
	return out
}

// canonical turns a wire value (a JSON scalar) into the Go value the column
// holds when read back: string for TEXT, bool for flags, int64 for INTEGER,
// float64 for REAL, and the value itself for ANY (kept as JSON text). null
// is the column's empty value.
func canonical(field, typ string, v any) (any, error) {
	switch typ {
	case "TEXT":
		switch x := v.(type) {
		case nil:
			return "", nil
		case string:
			return x, nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	case "INTEGER":
		if boolFields[field] {
			switch x := v.(type) {
			case nil:
				return false, nil
			case bool:
				return x, nil
			case float64:
				return x != 0, nil
			case int64:
				return x != 0, nil
			case string:
				if b, err := strconv.ParseBool(x); err == nil {
					return b, nil
				}
			}
			break
		}
		switch x := v.(type) {
		case nil:
			return int64(0), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case int64:
			return x, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		}
	case "REAL":
		switch x := v.(type) {
		case nil:
			return 0.0, nil
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f, nil
			}
		}
	case "ANY", "":
		switch v.(type) {
		case nil, string, float64, bool, int64:
			return v, nil
		}
	}
	return nil, fmt.Errorf("%T %v does not fit a %s column", v, v, typ)
}

// fromColumn turns what SQLite returned into the canonical Go value.
func fromColumn(field, typ string, v any) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if typ == "ANY" || typ == "" {
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		var out any
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return s, nil
		}
		return out, nil
	}
	return canonical(field, typ, v)
}

// sqlColumnValue is what to store for a canonical value.
func sqlColumnValue(typ string, v any) any {
	if typ == "ANY" || typ == "" {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return sqlValue(v)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TakeBackRefused gives HQ's values back to the fields of this device's
// own ops HQ refused for good (ids, in rejected_op): a field still holding
// the refused op's stamp gets the empty stamp, which any of HQ's beats, and
// the cursor goes back to the start, so the next pull brings HQ's copy of
// the row and its values replace the refused ones (a field HQ's copy lacks
// is emptied then). Without it the device would keep a
// value HQ never took, and differ from HQ until someone edits the field
// again. The refused op stays in rejected_op, for a person to see. It
// returns the number of fields taken back (0: the cursor is untouched).
func (s *Store) TakeBackRefused(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, func(t *tx) error {
		a := newApplier(t)
		for _, id := range ids {
			var table, rowID, stamp, fieldsJSON, code, msg string
			err := t.sql.QueryRowContext(ctx, `SELECT tbl, row_id, hlc, fields, code, message FROM rejected_op WHERE op_id = ?`, id).
				Scan(&table, &rowID, &stamp, &fieldsJSON, &code, &msg)
			if isNoRows(err) {
				continue
			}
			if err != nil {
				return err
			}
			if (table == safeer.TablePerson || table == safeer.TableConflict) && code == protocol.CodeOutOfScope && strings.HasPrefix(msg, table+" "+rowID+" belongs to ") {
				// HQ holds the person (or the row a conflict is about) in
				// a governorate this device is not enrolled for: moved
				// while HQ lost, in its restore, the exit that would have
				// told this device. Drop it as an exit does (the refused
				// op keeps what was typed).
				if err := a.drop(ctx, table, rowID); err != nil {
					return err
				}
				if table == safeer.TablePerson {
					t.peopleBulk = true
				}
				s.log.Info("sync: a row HQ holds in another governorate leaves this device", "table", table, "row", rowID)
				continue
			}
			cols, err := a.columns(ctx, table)
			if err != nil {
				return err
			}
			if cols == nil {
				continue
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal([]byte(fieldsJSON), &fields); err != nil {
				return fmt.Errorf("refused op %s: %w", id, err)
			}
			var rowHLC, clocksJSON string
			// table is a synced table this schema has (a.columns).
			err = t.sql.QueryRowContext(ctx, `SELECT hlc, clocks FROM `+table+` WHERE id = ?`, rowID).Scan(&rowHLC, &clocksJSON)
			if isNoRows(err) {
				continue
			}
			if err != nil {
				return err
			}
			clocks := map[string]string{}
			if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
				return fmt.Errorf("%s %s: damaged clocks: %w", table, rowID, err)
			}
			if id != stamp {
				// Values re-asserted after HQ's restore, not an edit made
				// here: they were HQ's (or another device's) already.
				continue
			}
			if rowHLC == stamp {
				// The refused op made the row: HQ has no copy to give
				// back. It stays as typed (and listed as refused).
				continue
			}
			took := 0
			for _, name := range sortedKeys(fields) {
				if _, synced := cols[name]; !synced {
					continue
				}
				cur, ok := clocks[name]
				if !ok {
					cur = rowHLC
				}
				if cur != stamp || a.unsentFields(ctx, table, rowID)[name] {
					continue // edited again since: that edit stands
				}
				// The value stays (a name does not vanish while the
				// pull runs), with a stamp any of HQ's beats: the pull
				// brings HQ's value, or empties a field HQ's copy lacks.
				clocks[name] = ""
				took++
			}
			if took == 0 {
				continue
			}
			cj, err := json.Marshal(clocks)
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE `+table+` SET clocks = ? WHERE id = ?`, string(cj), rowID); err != nil {
				return err
			}
			s.log.Info("sync: a refused change gives way to HQ's copy", "table", table, "row", rowID, "fields", took)
			n += took
		}
		if n > 0 {
			if _, err := t.exec(ctx, `UPDATE sync_state SET cursor = '', cursor_schema = 0 WHERE id = 1`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("take HQ's values back for refused changes: %w", err)
	}
	return n, nil
}

// zeroColumn is the empty value of a column of type typ.
func zeroColumn(typ string) any {
	switch strings.ToUpper(typ) {
	case "INTEGER", "REAL":
		return 0
	case "TEXT":
		return ""
	}
	return nil
}
