// Package sqlite is HQ's store in one SQLite file (modernc.org/sqlite, pure
// Go): the zero set-up default of safeer-hq.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
	"github.com/oman-sca/safeer/internal/migrations"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ApplicationID marks a SQLite file as safeer-hq's ("SFHQ"), so a device's
// database (or anything else) opened by mistake fails with words.
const ApplicationID = 0x53464851

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is HQ's SQLite store.
type DB struct {
	db   *sql.DB
	path string
	// wmu queues writers in Go: SQLite has one writer at a time anyway, and
	// a mutex is fairer and cheaper than every writer polling the file lock.
	wmu sync.Mutex
	// The queries of every request (the device's token, the database's
	// identity), prepared once per connection rather than at every call.
	metaStmt, tokenStmt *sql.Stmt
}

var _ hq.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create folder for database: %w", err)
		}
	}
	// The file holds people's names and phone numbers: only HQ's user may
	// read it (SQLite gives the -wal and -shm files the same mode).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Requests come in bursts (a storm of devices): the connections
	// opened for one are kept for the next rather than closed and opened
	// again (schema read, pragmas) at every burst.
	db.SetMaxIdleConns(8)
	s := &DB{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if s.metaStmt, err = db.PrepareContext(ctx, `SELECT epoch, seq, hlc FROM meta WHERE id = 1`); err == nil {
		s.tokenStmt, err = db.PrepareContext(ctx, `SELECT `+scan.DeviceCols+` FROM devices WHERE token_hash = ?`)
	}
	if err != nil {
		db.Close()
		return nil, s.describe(err)
	}
	return s, nil
}

// dsn sets the pragmas on every pooled connection: WAL so pulls read while
// pushes write, a busy timeout instead of "database is locked", BEGIN
// IMMEDIATE so a transaction takes the write lock at its start (which is
// what Store.Write promises), and reads through a memory map shared by all
// connections: each connection's own page cache is small and cold, which
// cut the verification page's throughput by four (BenchmarkVerify in
// hq/web).
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "mmap_size(268435456)")
	q.Set("_txlock", "immediate")
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

type migration = migrations.Migration

func loadMigrations() ([]migration, error) { return migrations.Load(migrationFiles, "migrations") }

func (s *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var appID, version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return s.describe(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.describe(err)
	}
	if appID != 0 && appID != ApplicationID {
		return fmt.Errorf("%s is not a safeer-hq database (application id %#x)", s.path, appID)
	}
	if appID == 0 && version == 0 {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return s.describe(err)
		}
		if n > 0 {
			return fmt.Errorf("%s is not a safeer-hq database (it has tables of something else)", s.path)
		}
	}
	return scan.Migrate(ms, version, s.path, func(m migration, epoch string) error { return s.apply(ctx, m, epoch) })
}

// apply runs one migration and its version bump in one transaction; the
// first migration's meta row gets epoch (scan.Epoch).
func (s *DB) apply(ctx context.Context, m migration, epoch string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, s.describe(err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if epoch != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (id, epoch, created_at) VALUES (1, ?, ?)`,
			epoch, fmtTime(time.Now())); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return tx.Commit()
}

// describe words the errors of opening a file that is not a database.
func (s *DB) describe(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "file is not a database"), strings.Contains(msg, "(26)"):
		return fmt.Errorf("%s is not a SQLite database", s.path)
	case strings.Contains(msg, "unable to open"), strings.Contains(msg, "(14)"):
		return fmt.Errorf("cannot open database file %s (check the path and its permissions)", s.path)
	}
	return fmt.Errorf("database %s: %w", s.path, err)
}

// Times are stored as RFC 3339 text in UTC (ordered as text); NULL is the
// zero time.

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s.String)
}

func jsonList(l []string) string {
	b, _ := json.Marshal(scan.List(l))
	return string(b)
}

// Meta implements hq.Store.
func (s *DB) Meta(ctx context.Context) (hq.Meta, error) {
	var m hq.Meta
	err := s.metaStmt.QueryRowContext(ctx).Scan(&m.Epoch, &m.Seq, &m.Clock)
	if err != nil {
		return hq.Meta{}, fmt.Errorf("read database identity: %w", err)
	}
	return m, nil
}

// Write implements hq.Store. BEGIN IMMEDIATE (see dsn) takes SQLite's write
// lock at the start, so sequence numbers commit in order.
func (s *DB) Write(ctx context.Context, fn func(hq.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{tx: &stmtTx{Tx: sqlTx, stmts: map[string]*sql.Stmt{}}}
	if err := sqlTx.QueryRowContext(ctx, `SELECT hlc, seq FROM meta WHERE id = 1`).Scan(&t.clock, &t.seq0); err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	t.seq = t.seq0
	if err := fn(t); err != nil {
		return err
	}
	if err := t.saveSeq(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Changes implements hq.Store.
func (s *DB) Changes(ctx context.Context, after int64, scopes []string, limit int) ([]hq.Row, int64, error) {
	// The counter is read before the rows: every row at or below it has
	// committed by then, so the row query that follows sees it.
	var committed int64
	if err := s.db.QueryRowContext(ctx, `SELECT seq FROM meta WHERE id = 1`).Scan(&committed); err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE seq > ? AND (tbl = 'place' OR scope IN (SELECT value FROM json_each(?)))
		ORDER BY seq LIMIT ?`, after, jsonList(scopes), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	out, err := scan.SyncedRows(rows, "read changes")
	if err != nil {
		return nil, 0, err
	}
	return out, committed, nil
}

// Row implements hq.Store.
func (s *DB) Row(ctx context.Context, table, id string) (hq.Row, bool, error) {
	return getRow(ctx, s.db, table, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getRow(ctx context.Context, q querier, table, id string) (hq.Row, bool, error) {
	r, err := scan.Row(q.QueryRowContext(ctx, `SELECT `+scan.RowCols+` FROM rows WHERE tbl = ? AND id = ?`, table, id))
	return scan.Maybe(r, err, sql.ErrNoRows, "read "+table+" "+id)
}

func scanDevice(sc scan.Scanner) (hq.Device, error) {
	var d hq.Device
	var govs string
	var enrolled, revoked, seen, push, pull sql.NullString
	if err := sc.Scan(&d.ID, &d.Name, &d.TokenHash, &govs, &d.PublicKey, &d.Endorsement,
		&enrolled, &revoked, &seen, &push, &pull); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(govs), &d.Governorates); err != nil {
		return d, fmt.Errorf("device %s: governorates: %w", d.ID, err)
	}
	var errs [5]error
	d.EnrolledAt, errs[0] = parseTime(enrolled)
	d.RevokedAt, errs[1] = parseTime(revoked)
	d.LastSeen, errs[2] = parseTime(seen)
	d.LastPush, errs[3] = parseTime(push)
	d.LastPull, errs[4] = parseTime(pull)
	return d, errors.Join(errs[:]...)
}

// DeviceByToken implements hq.Store.
func (s *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (hq.Device, bool, error) {
	d, err := scanDevice(s.tokenStmt.QueryRowContext(ctx, tokenHash))
	return scan.Maybe(d, err, sql.ErrNoRows, "read device")
}

// Devices implements hq.Store.
func (s *DB) Devices(ctx context.Context) ([]hq.Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scan.DeviceCols+` FROM devices ORDER BY enrolled_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	out, err := scan.All(rows, scanDevice)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// TouchDevice implements hq.Store. It waits for the writer mutex like
// any write: outside it, it would meet the writer at SQLite's file lock,
// where whoever loses polls with sleeps of up to 100 ms (the busy timeout)
// while holding the mutex, and a storm of devices (a touch per request)
// kept HQ's writer asleep half the time.
func (s *DB) TouchDevice(ctx context.Context, id string, kind hq.Touch, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return touchDevice(ctx, s.db, id, kind, at)
}

func touchDevice(ctx context.Context, q querier, id string, kind hq.Touch, at time.Time) error {
	query := `UPDATE devices SET last_seen = ? WHERE id = ?`
	switch kind {
	case hq.TouchPush:
		query = `UPDATE devices SET last_seen = ?1, last_push = ?1 WHERE id = ?2`
	case hq.TouchPull:
		query = `UPDATE devices SET last_seen = ?1, last_pull = ?1 WHERE id = ?2`
	}
	if _, err := q.ExecContext(ctx, query, fmtTime(at), id); err != nil {
		return fmt.Errorf("record device activity: %w", err)
	}
	return nil
}

// TouchDevice implements hq.Tx.
func (t *tx) TouchDevice(ctx context.Context, id string, kind hq.Touch, at time.Time) error {
	return touchDevice(ctx, t.tx, id, kind, at)
}

// PendingConflicts implements hq.Store.
func (s *DB) PendingConflicts(ctx context.Context, scopes []string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM rows
		WHERE pending != 0 AND tbl = 'conflict' AND scope IN (SELECT value FROM json_each(?))`,
		jsonList(scopes)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count conflicts: %w", err)
	}
	return n, nil
}

// tx implements hq.Tx.
type tx struct {
	tx    *stmtTx
	clock string
	// seq0 is the counter as the transaction found it, seq the last number
	// it took: NextSeq counts here and Write stores the counter once,
	// before the commit (the write lock is held from the start).
	seq0, seq int64
}

// stmtTx is a transaction that prepares each statement once: the driver
// prepares a statement at every call otherwise, which was half of the
// writer's time in a storm of pushes (a group writes a row and an
// applied_ops record per op, the same two statements hundreds of times).
// The statements are closed with the transaction.
type stmtTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *stmtTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // which fails the same way, in the Row
	}
	return st.QueryRowContext(ctx, args...)
}

// saveSeq stores the numbers the transaction took.
func (t *tx) saveSeq(ctx context.Context) error {
	if t.seq == t.seq0 {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE meta SET seq = ? WHERE id = 1`, t.seq); err != nil {
		return fmt.Errorf("save sequence number: %w", err)
	}
	return nil
}

func (t *tx) Clock() string { return t.clock }

func (t *tx) SaveClock(ctx context.Context, hlc string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE meta SET hlc = ? WHERE id = 1 AND hlc < ?`, hlc, hlc); err != nil {
		return fmt.Errorf("save clock: %w", err)
	}
	return nil
}

func (t *tx) NextSeq(ctx context.Context) (int64, error) {
	t.seq++
	return t.seq, nil
}

func (t *tx) SetEpoch(ctx context.Context, epoch string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE meta SET epoch = ? WHERE id = 1`, epoch); err != nil {
		return fmt.Errorf("reset epoch: %w", err)
	}
	return nil
}

func (t *tx) AppliedOp(ctx context.Context, deviceID, opID string) (hq.AppliedOp, bool, error) {
	a := hq.AppliedOp{OpID: opID, DeviceID: deviceID}
	var at string
	err := t.tx.QueryRowContext(ctx, `SELECT payload_hash, applied_at FROM applied_ops WHERE device_id = ? AND op_id = ?`, deviceID, opID).
		Scan(&a.PayloadHash, &at)
	if found, err := scan.Found(err, sql.ErrNoRows, "read applied op "+opID); !found {
		return hq.AppliedOp{}, false, err
	}
	a.AppliedAt, err = time.Parse(time.RFC3339Nano, at)
	return a, true, err
}

func (t *tx) RecordOp(ctx context.Context, a hq.AppliedOp) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO applied_ops (op_id, payload_hash, device_id, applied_at) VALUES (?, ?, ?, ?)`,
		a.OpID, a.PayloadHash, a.DeviceID, fmtTime(a.AppliedAt)); err != nil {
		return fmt.Errorf("record applied op %s: %w", a.OpID, err)
	}
	return nil
}

func (t *tx) Row(ctx context.Context, table, id string) (hq.Row, bool, error) {
	return getRow(ctx, t.tx, table, id)
}

// Rows implements hq.Tx, one lookup of the primary key per key.
func (t *tx) Rows(ctx context.Context, keys []hq.RowKey) ([]hq.Row, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	pairs := make([][2]string, len(keys))
	for i, k := range keys {
		pairs[i] = [2]string{k.Table, k.ID}
	}
	raw, _ := json.Marshal(pairs)
	rows, err := t.tx.QueryContext(ctx, `SELECT `+rowColsOf("r")+` FROM json_each(?) AS k
		JOIN rows AS r ON r.tbl = json_extract(k.value, '$[0]') AND r.id = json_extract(k.value, '$[1]')`, string(raw))
	if err != nil {
		return nil, fmt.Errorf("read %d rows: %w", len(keys), err)
	}
	defer rows.Close()
	return scan.SyncedRows(rows, fmt.Sprintf("read %d rows", len(keys)))
}

// rowColsOf is scan.RowCols of the table named alias.
func rowColsOf(alias string) string {
	cols := strings.Split(scan.RowCols, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// AppliedOps implements hq.Tx.
func (t *tx) AppliedOps(ctx context.Context, deviceID string, opIDs []string) ([]hq.AppliedOp, error) {
	if len(opIDs) == 0 {
		return nil, nil
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT op_id, payload_hash, applied_at FROM applied_ops
		WHERE device_id = ? AND op_id IN (SELECT value FROM json_each(?))`, deviceID, jsonList(opIDs))
	if err != nil {
		return nil, fmt.Errorf("read applied ops: %w", err)
	}
	defer rows.Close()
	var out []hq.AppliedOp
	for rows.Next() {
		a := hq.AppliedOp{DeviceID: deviceID}
		var at string
		if err := rows.Scan(&a.OpID, &a.PayloadHash, &at); err != nil {
			return nil, fmt.Errorf("read applied ops: %w", err)
		}
		if a.AppliedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("read applied op %s: %w", a.OpID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied ops: %w", err)
	}
	return out, nil
}

func (t *tx) PutRow(ctx context.Context, r hq.Row) error {
	// created_seq is the seq of the insert; an update leaves it alone.
	_, err := t.tx.ExecContext(ctx, `INSERT INTO rows (`+scan.RowCols+`, created_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?5)
		ON CONFLICT (tbl, id) DO UPDATE SET scope = excluded.scope, parent = excluded.parent,
			seq = excluded.seq, pending = excluded.pending, data = excluded.data`,
		r.Table, r.ID, r.Scope, r.Parent, r.Seq, r.Pending, string(r.Data))
	if err != nil {
		return fmt.Errorf("write %s %s: %w", r.Table, r.ID, err)
	}
	return nil
}

func (t *tx) Children(ctx context.Context, id string) ([]hq.Row, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+scan.RowCols+` FROM rows WHERE parent = ? AND parent != '' ORDER BY tbl, id`, id)
	if err != nil {
		return nil, fmt.Errorf("read rows under %s: %w", id, err)
	}
	defer rows.Close()
	return scan.SyncedRows(rows, "read rows under "+id)
}

// MergedInto implements hq.Tx. The expression and the literal table name
// match the partial index rows_person_merged_into.
func (t *tx) MergedInto(ctx context.Context, id string) ([]hq.Row, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE tbl = 'person' AND json_extract(data, '$.merged_into.v') = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read people merged into %s: %w", id, err)
	}
	defer rows.Close()
	return scan.SyncedRows(rows, "read people merged into "+id)
}

func (t *tx) Enrolment(ctx context.Context, codeHash []byte) (hq.Enrolment, bool, error) {
	e := hq.Enrolment{CodeHash: codeHash}
	var govs string
	var created, expires, used, device sql.NullString
	err := t.tx.QueryRowContext(ctx, `SELECT governorates, name, created_at, expires_at, used_at, device_id
		FROM enrolments WHERE code_hash = ?`, codeHash).Scan(&govs, &e.Name, &created, &expires, &used, &device)
	if found, err := scan.Found(err, sql.ErrNoRows, "read enrolment"); !found {
		return hq.Enrolment{}, false, err
	}
	if err := json.Unmarshal([]byte(govs), &e.Governorates); err != nil {
		return hq.Enrolment{}, false, fmt.Errorf("read enrolment: %w", err)
	}
	var errs [3]error
	e.CreatedAt, errs[0] = parseTime(created)
	e.ExpiresAt, errs[1] = parseTime(expires)
	e.UsedAt, errs[2] = parseTime(used)
	e.DeviceID = device.String
	return e, true, errors.Join(errs[:]...)
}

func (t *tx) PutEnrolment(ctx context.Context, e hq.Enrolment) error {
	var device any
	if e.DeviceID != "" {
		device = e.DeviceID
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO enrolments (code_hash, governorates, name, created_at, expires_at, used_at, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code_hash) DO UPDATE SET governorates = excluded.governorates, name = excluded.name,
			expires_at = excluded.expires_at, used_at = excluded.used_at, device_id = excluded.device_id`,
		e.CodeHash, jsonList(e.Governorates), e.Name, fmtTime(e.CreatedAt), fmtTime(e.ExpiresAt), nullTime(e.UsedAt), device)
	if err != nil {
		return fmt.Errorf("save enrolment: %w", err)
	}
	return nil
}

func (t *tx) PutEnrolNonce(ctx context.Context, n hq.EnrolNonce) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO enrol_nonces (nonce_hash, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		n.NonceHash, n.CodeHash, fmtTime(n.CreatedAt), fmtTime(n.ExpiresAt)); err != nil {
		return fmt.Errorf("save enrolment challenge: %w", err)
	}
	return nil
}

func (t *tx) TakeEnrolNonce(ctx context.Context, nonceHash []byte) (hq.EnrolNonce, bool, error) {
	n := hq.EnrolNonce{NonceHash: nonceHash}
	var created, expires sql.NullString
	err := t.tx.QueryRowContext(ctx, `DELETE FROM enrol_nonces WHERE nonce_hash = ? RETURNING code_hash, created_at, expires_at`,
		nonceHash).Scan(&n.CodeHash, &created, &expires)
	if found, err := scan.Found(err, sql.ErrNoRows, "take enrolment challenge"); !found {
		return hq.EnrolNonce{}, false, err
	}
	var errs [2]error
	n.CreatedAt, errs[0] = parseTime(created)
	n.ExpiresAt, errs[1] = parseTime(expires)
	return n, true, errors.Join(errs[:]...)
}

func (t *tx) PurgeEnrolNonces(ctx context.Context, before time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM enrol_nonces WHERE expires_at <= ?`, fmtTime(before)); err != nil {
		return fmt.Errorf("purge enrolment challenges: %w", err)
	}
	return nil
}

func (t *tx) EnrolNonces(ctx context.Context, codeHash []byte) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM enrol_nonces WHERE code_hash = ?`, codeHash).Scan(&n); err != nil {
		return 0, fmt.Errorf("count enrolment challenges: %w", err)
	}
	return n, nil
}

func (t *tx) Device(ctx context.Context, id string) (hq.Device, bool, error) {
	d, err := scanDevice(t.tx.QueryRowContext(ctx, `SELECT `+scan.DeviceCols+` FROM devices WHERE id = ?`, id))
	return scan.Maybe(d, err, sql.ErrNoRows, "read device "+id)
}

func (t *tx) PutDevice(ctx context.Context, d hq.Device) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO devices (id, name, token_hash, governorates, public_key, endorsement, enrolled_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_hash = excluded.token_hash,
			governorates = excluded.governorates, public_key = excluded.public_key,
			endorsement = excluded.endorsement, enrolled_at = excluded.enrolled_at, revoked_at = excluded.revoked_at`,
		d.ID, d.Name, d.TokenHash, jsonList(d.Governorates), scan.NonNil(d.PublicKey), scan.NonNil(d.Endorsement),
		fmtTime(d.EnrolledAt), nullTime(d.RevokedAt))
	if err != nil {
		return fmt.Errorf("save device %s: %w", d.ID, err)
	}
	return nil
}
