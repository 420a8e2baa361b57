package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// tx is a write transaction. Its put method is the only way rows of synced
// tables change, and it appends each change to the outbox, so no write path
// can bypass sync.
type tx struct {
	sql   *sql.Tx
	s     *Store
	stmts map[string]*sql.Stmt
	// people changed in this transaction, for the search index after commit.
	people     []safeer.Person
	peopleBulk bool
	placesSeen bool
}

// write runs fn in one transaction and commits it with the device clock
// persisted, so a restart never hands out an older stamp.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	t := &tx{sql: sqlTx, s: s, stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
		sqlTx.Rollback()
	}()
	// Another process on this database may have stamped since this one
	// last did. The transaction holds the write lock, so starting after
	// the newest saved stamp keeps stamps, and the op ids made of them,
	// unique across processes.
	var saved, floor, keyID string
	if err := sqlTx.QueryRowContext(ctx, `SELECT
		(SELECT value FROM meta WHERE key = 'hlc'),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), '')`, metaWallSeen, metaKeyID).Scan(&saved, &floor, &keyID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read clock: %w", err)
	}
	// Another process may have protected the file since this one opened
	// it (safeer protect while the app runs): writing clear values into
	// it would undo the encryption.
	if err := s.checkKeyID(keyID); err != nil {
		return err
	}
	if h, err := protocol.ParseHLC(saved); err == nil {
		s.clock.Advance(h)
	}
	s.seeSavedFloor(floor)
	if err := fn(t); err != nil {
		return err
	}
	if _, err := sqlTx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'hlc'`, s.clock.Peek().String()); err != nil {
		return fmt.Errorf("save clock: %w", err)
	}
	if err := s.saveFloor(ctx, sqlTx); err != nil {
		return err
	}
	if len(t.people) > 0 && !t.peopleBulk {
		people, err := t.indexView(ctx, t.people)
		if err != nil {
			return err
		}
		t.people = people
	}
	var gen int64
	if len(t.people) > 0 || t.peopleBulk {
		// The generation lets every process's search index notice changes
		// made by another process (the CLI while the app runs).
		if err := sqlTx.QueryRowContext(ctx, `INSERT INTO meta (key, value) VALUES ('person_gen', '1')
			ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER)`).Scan(&gen); err != nil {
			return fmt.Errorf("bump roster generation: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(t.people) > 0 || t.peopleBulk {
		s.index.afterCommit(gen, t.people, t.peopleBulk)
	}
	if t.placesSeen {
		if err := s.places.reload(ctx, s.db); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// row is one synced row's fields by column name.
type row map[string]any

// diff returns the fields of next that differ from prev.
func diff(prev, next row) row {
	out := row{}
	for k, v := range next {
		if prev[k] != v {
			out[k] = v
		}
	}
	return out
}

// insert adds a new row of a synced table and records the op.
func (t *tx) insert(ctx context.Context, table, id string, fields row, extra map[string]any) error {
	return t.put(ctx, table, id, fields, extra, true)
}

// update changes fields of an existing row and records the op. Nothing is
// written when fields is empty.
func (t *tx) update(ctx context.Context, table, id string, fields row) error {
	if len(fields) == 0 {
		return nil
	}
	return t.put(ctx, table, id, fields, nil, false)
}

// put is where every change to a synced table happens: it writes the row,
// stamps the changed fields with a new clock value, and appends the op to
// the outbox in the same transaction.
func (t *tx) put(ctx context.Context, table, id string, fields row, extra map[string]any, isNew bool) error {
	names := make([]string, 0, len(fields))
	for k := range fields {
		if !protocol.KnownField(table, k) {
			return fmt.Errorf("internal: %s has no synced field %q", table, k)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	// On a protected database the sensitive values are sealed, the same
	// sealed text in the row and in the op (vault.go).
	fields, hashes, err := t.s.sealRow(table, id, fields)
	if err != nil {
		return err
	}
	// The op's id is its stamp: a device's stamps never repeat and carry
	// its id, and the wire then need not send the id (sync/compact.go).
	stamp := t.s.clock.Now().String()
	opID := stamp
	var baseRev int64
	args := make([]any, 0, len(names)+4)
	if isNew {
		cols := append([]string{"id", "hlc"}, names...)
		args = append(args, id, stamp)
		for _, k := range names {
			args = append(args, sqlValue(fields[k]))
		}
		extraNames := make([]string, 0, len(extra))
		for k := range extra {
			extraNames = append(extraNames, k)
		}
		sort.Strings(extraNames)
		for _, k := range extraNames {
			cols = append(cols, k)
			args = append(args, extra[k])
		}
		for _, k := range hashColumns {
			if h, ok := hashes[k]; ok {
				cols = append(cols, k)
				args = append(args, h)
			}
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "),
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "))
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert %s %s: %w", table, id, err)
		}
	} else {
		var clocksJSON string
		err := t.sql.QueryRowContext(ctx, "SELECT rev, clocks FROM "+table+" WHERE id = ?", id).Scan(&baseRev, &clocksJSON)
		if err == sql.ErrNoRows {
			return notFound(table, id)
		}
		if err != nil {
			return fmt.Errorf("read %s %s: %w", table, id, err)
		}
		clocks := map[string]string{}
		if err := json.Unmarshal([]byte(clocksJSON), &clocks); err != nil {
			return fmt.Errorf("%s %s: damaged clocks: %w", table, id, err)
		}
		sets := make([]string, 0, len(names)+1)
		for _, k := range names {
			sets = append(sets, k+" = ?")
			args = append(args, sqlValue(fields[k]))
			clocks[k] = stamp
		}
		for _, k := range hashColumns {
			if h, ok := hashes[k]; ok {
				sets = append(sets, k+" = ?")
				args = append(args, h)
			}
		}
		cj, _ := json.Marshal(clocks)
		sets = append(sets, "clocks = ?")
		args = append(args, string(cj), id)
		q := fmt.Sprintf("UPDATE %s SET %s WHERE id = ?", table, strings.Join(sets, ", "))
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("update %s %s: %w", table, id, err)
		}
	}
	payload, err := encodeFields(fields)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields) VALUES (?, ?, ?, ?, ?, ?)`,
		opID, table, id, baseRev, t.s.outboxStamp(stamp), payload); err != nil {
		return fmt.Errorf("record change of %s %s: %w", table, id, err)
	}
	return nil
}

// sqlValue turns op values into what the STRICT columns hold.
func sqlValue(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return 1
		}
		return 0
	}
	return v
}

// stampLen is the length of a clock stamp without its device id
// ("wwwwwwwwwwww-cccccc").
const stampLen = 19

// outboxStamp is how the outbox stores a stamp: this device's own without
// the device id, which every op would otherwise repeat (37 of a stamp's 56
// characters); another device's (a re-asserted field) whole. Outbox, and
// the copy of a rejected op, put the device id back: what is pushed is the
// same either way.
func (s *Store) outboxStamp(stamp string) string {
	if len(stamp) == stampLen+1+len(s.device) && stamp[stampLen] == '-' && stamp[stampLen+1:] == s.device {
		return stamp[:stampLen]
	}
	return stamp
}

// fullStamp undoes outboxStamp.
func (s *Store) fullStamp(stored string) string {
	if len(stored) == stampLen {
		return stored + "-" + s.device
	}
	return stored
}

// OutboxOp is one unsent change as the outbox holds it.
type OutboxOp struct {
	Seq   int64
	Op    protocol.Op
	Stamp string
}

// Outbox returns up to limit unsent ops after seq, oldest first.
func (s *Store) Outbox(ctx context.Context, afterSeq int64, limit int) ([]OutboxOp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, op_id, tbl, row_id, base_rev, hlc, fields
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxOp
	for rows.Next() {
		var o OutboxOp
		var fieldsJSON string
		if err := rows.Scan(&o.Seq, &o.Op.ID, &o.Op.Table, &o.Op.RowID, &o.Op.BaseRev, &o.Stamp, &fieldsJSON); err != nil {
			return nil, err
		}
		o.Stamp = s.fullStamp(o.Stamp)
		// A device's own edits are identified by their stamp; an op with an
		// id of its own was queued again after HQ's restore (data/resync.go)
		// and may carry other devices' stamps: HQ is told so.
		o.Op.Reasserted = o.Op.ID != o.Stamp
		var values map[string]any
		if err := json.Unmarshal([]byte(fieldsJSON), &values); err != nil {
			return nil, fmt.Errorf("outbox op %s: %w", o.Op.ID, err)
		}
		if err := s.openOpFields(o.Op.Table, o.Op.RowID, values); err != nil {
			return nil, fmt.Errorf("outbox op %s: %w", o.Op.ID, err)
		}
		o.Op.Fields = make(map[string]protocol.Field, len(values))
		for k, v := range values {
			o.Op.Fields[k] = protocol.Field{Value: v, HLC: o.Stamp}
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OutboxLen is the number of changes waiting to be sent.
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	return n, err
}

// bulkChunk is how many rows one multi-row INSERT carries: a statement per
// row costs more in the driver than in SQLite, and an import writes 100,000.
const bulkChunk = 256

// bulkRow is one new row for insertMany: its fields as the file keeps them
// (sealed on a protected database: see sealNewPerson), extra holding local
// columns, lookup a person's look-up hashes (hashColumns' order; nil on a
// clear database).
type bulkRow struct {
	id      string
	fields  row    // the row's non-empty synced fields (see newFields)
	payload string // encodeFields(fields), when the caller made it already
	extra   map[string]any
	lookup  *[3]string
}

// insertMany adds new rows of one table with multi-row INSERTs, each with
// its own stamp and outbox op, exactly as insert would record them one by
// one. Consecutive rows with the same columns share a statement.
func (t *tx) insertMany(ctx context.Context, table string, rows []bulkRow, progress func(done int)) error {
	for start := 0; start < len(rows); {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cols, extras := bulkColumns(rows[start])
		end := start + 1
		for end < len(rows) && end-start < bulkChunk && sameColumns(rows[end], rows[start], cols, extras) {
			end++
		}
		if err := t.insertChunk(ctx, table, rows[start:end], cols, extras); err != nil {
			return err
		}
		start = end
		if progress != nil {
			progress(start)
		}
	}
	return nil
}

func bulkColumns(r bulkRow) (cols, extras []string) {
	for k := range r.fields {
		cols = append(cols, k)
	}
	for k := range r.extra {
		extras = append(extras, k)
	}
	sort.Strings(cols)
	sort.Strings(extras)
	return cols, extras
}

func sameColumns(r, first bulkRow, cols, extras []string) bool {
	if len(r.fields) != len(cols) || len(r.extra) != len(extras) || (r.lookup == nil) != (first.lookup == nil) {
		return false
	}
	for _, c := range cols {
		if _, ok := r.fields[c]; !ok {
			return false
		}
	}
	for _, c := range extras {
		if _, ok := r.extra[c]; !ok {
			return false
		}
	}
	return true
}

func (t *tx) insertChunk(ctx context.Context, table string, chunk []bulkRow, cols, extras []string) error {
	if _, ok := protocol.Tables[table]; !ok {
		return fmt.Errorf("internal: %s is not a synced table", table)
	}
	for _, c := range cols {
		if !protocol.KnownField(table, c) {
			return fmt.Errorf("internal: %s has no synced field %q", table, c)
		}
	}
	all := append(append([]string{"id", "hlc"}, cols...), extras...)
	lookup := chunk[0].lookup != nil // then every row's is (sameColumns)
	if lookup {
		all = append(all, hashColumns...)
	}
	args := make([]any, 0, len(chunk)*len(all))
	opArgs := make([]any, 0, len(chunk)*4)
	for _, r := range chunk {
		stamp := t.s.clock.Now().String()
		opID := stamp // as in put
		args = append(args, r.id, stamp)
		for _, c := range cols {
			args = append(args, sqlValue(r.fields[c]))
		}
		for _, c := range extras {
			args = append(args, r.extra[c])
		}
		if lookup {
			args = append(args, r.lookup[0], r.lookup[1], r.lookup[2])
		}
		payload := r.payload
		if payload == "" {
			var err error
			if payload, err = encodeFields(r.fields); err != nil {
				return err
			}
		}
		opArgs = append(opArgs, opID, r.id, t.s.outboxStamp(stamp), payload)
	}
	// OR FAIL, not the default ABORT: a multi-row INSERT that may abort
	// halfway has SQLite copy every page it touches into a statement
	// journal first, to undo its own earlier rows. Here any failure fails
	// the whole transaction (the caller returns the error and write rolls
	// back), so that copy bought nothing.
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(all)), ", ") + ")"
	q := fmt.Sprintf("INSERT OR FAIL INTO %s (%s) VALUES %s", table, strings.Join(all, ", "),
		strings.TrimSuffix(strings.Repeat(tuple+", ", len(chunk)), ", "))
	if _, err := t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("insert %s: %w", table, err)
	}
	// table is a synced table's name (checked above), so it may be written
	// into the statement; every op is new, so its base revision is 0.
	oq := "INSERT OR FAIL INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, '"+table+"', ?, 0, ?, ?), ", len(chunk)), ", ")
	if _, err := t.exec(ctx, oq, opArgs...); err != nil {
		return fmt.Errorf("record changes of %s: %w", table, err)
	}
	return nil
}

// encodeFields writes an op's fields as a JSON object with sorted keys, as
// json.Marshal would, without its reflection: every imported row has one.
func encodeFields(r row) (string, error) {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := make([]byte, 0, 64*len(keys))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch v := r[k].(type) {
		case string:
			b = appendJSONString(b, v)
		case float64:
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case nil:
			b = append(b, "null"...)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				return "", err
			}
			b = append(b, j...)
		}
	}
	return string(append(b, '}')), nil
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			j, _ := json.Marshal(s) // rare: let encoding/json escape it
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
