// Package postgres is HQ's store in PostgreSQL (pgx/v5 with a pgxpool), for
// when HQ outgrows one SQLite file.
//
// The change sequence must never let a reader skip a row that commits
// late. A PostgreSQL sequence hands out numbers before commit, so a reader
// could see seq 11 committed while seq 10 is still open and move its cursor
// past 10 for good. Here every writer locks the one meta row at the start of
// its transaction (SELECT … FOR UPDATE) and takes numbers from a counter in
// that row: the lock is held to commit, so transactions take numbers in
// the order they commit, and whatever a reader sees at seq N, it sees every
// number below N too.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
	"github.com/oman-sca/safeer/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that serialises migrations when
// several safeer-hq processes start at once ("SFHQ").
const migrationLock = 0x53464851

// DB is HQ's PostgreSQL store.
type DB struct {
	pool *pgxpool.Pool
	name string // host/database, for messages (never the password)
	// wmu queues this process's writers before they take a connection:
	// writes are one at a time anyway (the meta row's lock), and writers
	// waiting on that lock inside the database would hold the pool's
	// connections and starve the readers (pulls).
	wmu sync.Mutex
}

var _ hq.Store = (*DB)(nil)

// Open connects to the database at the postgres:// URL dsn and brings its
// schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL URL %s: %w", hq.RedactDSN(dsn), unwrapParse(err))
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	cc := cfg.ConnConfig
	name := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", name, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", name, err)
	}
	s := &DB{pool: pool, name: name}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// unwrapParse drops pgconn's echo of the whole connection string.
func unwrapParse(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// Close closes the pool.
func (s *DB) Close() error {
	s.pool.Close()
	return nil
}

type migration = migrations.Migration

func loadMigrations() ([]migration, error) { return migrations.Load(migrationFiles, "migrations") }

// migrate applies the missing migrations in one transaction under an
// advisory lock, so two HQ processes starting together do not both try.
// The version lives in a one-row table (PostgreSQL has no user_version).
func (s *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return s.migrateTo(ctx, ms)
}

// migrateTo brings the schema up to the last of ms (tests of an upgrade
// pass the first few only, to make an older database).
func (s *DB) migrateTo(ctx context.Context, ms []migration) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
	}
	var hasVersion bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('safeer_hq_schema') IS NOT NULL`).Scan(&hasVersion); err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
	}
	version := 0
	if hasVersion {
		if err := tx.QueryRow(ctx, `SELECT version FROM safeer_hq_schema`).Scan(&version); err != nil {
			return fmt.Errorf("PostgreSQL at %s: read schema version: %w", s.name, err)
		}
	} else {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
		}
		if n > 0 {
			return fmt.Errorf("PostgreSQL database %s has tables but is not safeer-hq's: give HQ a database of its own", s.name)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE safeer_hq_schema (version integer NOT NULL)`); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO safeer_hq_schema (version) VALUES (0)`); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", s.name, err)
		}
	}
	err = scan.Migrate(ms, version, "PostgreSQL database "+s.name, func(m migration, epoch string) error {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if epoch != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO meta (id, epoch, created_at) VALUES (1, $1, now())`, epoch); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE safeer_hq_schema SET version = $1`, m.Version); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate PostgreSQL at %s: %w", s.name, err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Meta implements hq.Store.
func (s *DB) Meta(ctx context.Context) (hq.Meta, error) {
	var m hq.Meta
	if err := s.pool.QueryRow(ctx, `SELECT epoch, seq, hlc FROM meta WHERE id = 1`).Scan(&m.Epoch, &m.Seq, &m.Clock); err != nil {
		return hq.Meta{}, fmt.Errorf("read database identity: %w", err)
	}
	return m, nil
}

// Write implements hq.Store: it locks the meta row first (see the package
// comment) and holds it to commit.
func (s *DB) Write(ctx context.Context, fn func(hq.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	pgTx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	t := &tx{tx: &pipeTx{Tx: pgTx}}
	if err := pgTx.QueryRow(ctx, `SELECT hlc, seq FROM meta WHERE id = 1 FOR UPDATE`).Scan(&t.clock, &t.seq0); err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	t.seq = t.seq0
	if err := fn(t); err != nil {
		return err
	}
	if err := t.saveSeq(ctx); err != nil {
		return err
	}
	if err := t.tx.flush(ctx); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// collectRows reads a result of synced rows and closes it.
func collectRows(rows pgx.Rows, what string) ([]hq.Row, error) {
	defer rows.Close()
	return scan.SyncedRows(rows, what)
}

// Changes implements hq.Store.
func (s *DB) Changes(ctx context.Context, after int64, scopes []string, limit int) ([]hq.Row, int64, error) {
	// The counter is read before the rows: every number at or below it
	// has committed by then (see the package comment), so the row query
	// that follows sees it.
	var committed int64
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM meta WHERE id = 1`).Scan(&committed); err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE seq > $1 AND (tbl = 'place' OR scope = ANY($2))
		ORDER BY seq LIMIT $3`, after, scan.List(scopes), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	out, err := collectRows(rows, "read changes")
	if err != nil {
		return nil, 0, err
	}
	return out, committed, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func getRow(ctx context.Context, q querier, table, id string) (hq.Row, bool, error) {
	r, err := scan.Row(q.QueryRow(ctx, `SELECT `+scan.RowCols+` FROM rows WHERE tbl = $1 AND id = $2`, table, id))
	return scan.Maybe(r, err, pgx.ErrNoRows, "read "+table+" "+id)
}

// Row implements hq.Store.
func (s *DB) Row(ctx context.Context, table, id string) (hq.Row, bool, error) {
	return getRow(ctx, s.pool, table, id)
}

func scanDevice(row scan.Scanner) (hq.Device, error) {
	var d hq.Device
	var enrolled time.Time
	var revoked, seen, push, pull *time.Time
	if err := row.Scan(&d.ID, &d.Name, &d.TokenHash, &d.Governorates, &d.PublicKey, &d.Endorsement,
		&enrolled, &revoked, &seen, &push, &pull); err != nil {
		return d, err
	}
	d.EnrolledAt = enrolled.UTC()
	d.RevokedAt, d.LastSeen, d.LastPush, d.LastPull = fromNull(revoked), fromNull(seen), fromNull(push), fromNull(pull)
	return d, nil
}

// DeviceByToken implements hq.Store.
func (s *DB) DeviceByToken(ctx context.Context, tokenHash []byte) (hq.Device, bool, error) {
	d, err := scanDevice(s.pool.QueryRow(ctx, `SELECT `+scan.DeviceCols+` FROM devices WHERE token_hash = $1`, tokenHash))
	return scan.Maybe(d, err, pgx.ErrNoRows, "read device")
}

// Devices implements hq.Store.
func (s *DB) Devices(ctx context.Context) ([]hq.Device, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+scan.DeviceCols+` FROM devices ORDER BY enrolled_at, id`)
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

// TouchDevice implements hq.Store.
func (s *DB) TouchDevice(ctx context.Context, id string, kind hq.Touch, at time.Time) error {
	if _, err := s.pool.Exec(ctx, touchSQL(kind), at.UTC(), id); err != nil {
		return fmt.Errorf("record device activity: %w", err)
	}
	return nil
}

func touchSQL(kind hq.Touch) string {
	switch kind {
	case hq.TouchPush:
		return `UPDATE devices SET last_seen = $1, last_push = $1 WHERE id = $2`
	case hq.TouchPull:
		return `UPDATE devices SET last_seen = $1, last_pull = $1 WHERE id = $2`
	}
	return `UPDATE devices SET last_seen = $1 WHERE id = $2`
}

// TouchDevice implements hq.Tx. The update is queued (see pipeTx).
func (t *tx) TouchDevice(ctx context.Context, id string, kind hq.Touch, at time.Time) error {
	t.tx.queue(touchSQL(kind), at.UTC(), id)
	return nil
}

// PendingConflicts implements hq.Store.
func (s *DB) PendingConflicts(ctx context.Context, scopes []string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM rows WHERE pending AND tbl = 'conflict' AND scope = ANY($1)`,
		scan.List(scopes)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count conflicts: %w", err)
	}
	return n, nil
}

// pipeTx is a transaction whose row and applied_ops writes (PutRow,
// RecordOp: two per op of a push, answered by nothing but success) wait in
// a batch that goes to the server in one round trip, before the next
// statement that reads or the commit. Round trips, each a wait for the
// writer under the meta row's lock, were most of a push's time.
type pipeTx struct {
	pgx.Tx
	batch *pgx.Batch
}

// queue adds a write to the batch.
func (p *pipeTx) queue(sql string, args ...any) {
	if p.batch == nil {
		p.batch = &pgx.Batch{}
	}
	p.batch.Queue(sql, args...)
}

// flush sends the batch, if any, and fails with its first failure.
func (p *pipeTx) flush(ctx context.Context) error {
	b := p.batch
	if b == nil || b.Len() == 0 {
		return nil
	}
	p.batch = nil
	br := p.Tx.SendBatch(ctx, b)
	for i := 0; i < b.Len(); i++ {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("write (%d queued): %w", b.Len(), err)
		}
	}
	return br.Close()
}

func (p *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := p.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return p.Tx.Exec(ctx, sql, args...)
}

func (p *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.Tx.Query(ctx, sql, args...)
}

func (p *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := p.flush(ctx); err != nil {
		return errRow{err}
	}
	return p.Tx.QueryRow(ctx, sql, args...)
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// tx implements hq.Tx.
type tx struct {
	tx    *pipeTx
	clock string
	// seq0 is the counter as the transaction found it (under the meta
	// row's lock), seq the last number it took: NextSeq counts here and
	// Write stores the counter once, before the commit. A round trip per
	// number was most of a push's time in the database.
	seq0, seq int64
}

// saveSeq stores the numbers the transaction took.
func (t *tx) saveSeq(ctx context.Context) error {
	if t.seq == t.seq0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `UPDATE meta SET seq = $1 WHERE id = 1`, t.seq); err != nil {
		return fmt.Errorf("save sequence number: %w", err)
	}
	return nil
}

func (t *tx) Clock() string { return t.clock }

func (t *tx) SaveClock(ctx context.Context, hlc string) error {
	// COLLATE "C": stamps compare byte by byte, whatever the database's
	// collation.
	if _, err := t.tx.Exec(ctx, `UPDATE meta SET hlc = $1 WHERE id = 1 AND hlc COLLATE "C" < $1`, hlc); err != nil {
		return fmt.Errorf("save clock: %w", err)
	}
	return nil
}

func (t *tx) NextSeq(ctx context.Context) (int64, error) {
	t.seq++
	return t.seq, nil
}

func (t *tx) SetEpoch(ctx context.Context, epoch string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE meta SET epoch = $1 WHERE id = 1`, epoch); err != nil {
		return fmt.Errorf("reset epoch: %w", err)
	}
	return nil
}

func (t *tx) AppliedOp(ctx context.Context, deviceID, opID string) (hq.AppliedOp, bool, error) {
	a := hq.AppliedOp{OpID: opID, DeviceID: deviceID}
	err := t.tx.QueryRow(ctx, `SELECT payload_hash, applied_at FROM applied_ops WHERE device_id = $1 AND op_id = $2`, deviceID, opID).
		Scan(&a.PayloadHash, &a.AppliedAt)
	if found, err := scan.Found(err, pgx.ErrNoRows, "read applied op "+opID); !found {
		return hq.AppliedOp{}, false, err
	}
	a.AppliedAt = a.AppliedAt.UTC()
	return a, true, nil
}

// RecordOp implements hq.Tx. The insert is queued (see pipeTx): a key
// recorded twice fails at the next read or at the commit.
func (t *tx) RecordOp(ctx context.Context, a hq.AppliedOp) error {
	t.tx.queue(`INSERT INTO applied_ops (op_id, payload_hash, device_id, applied_at) VALUES ($1, $2, $3, $4)`,
		a.OpID, a.PayloadHash, a.DeviceID, a.AppliedAt.UTC())
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
	tbls, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		tbls[i], ids[i] = k.Table, k.ID
	}
	rows, err := t.tx.Query(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE (tbl, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, tbls, ids)
	if err != nil {
		return nil, fmt.Errorf("read %d rows: %w", len(keys), err)
	}
	return collectRows(rows, fmt.Sprintf("read %d rows", len(keys)))
}

// AppliedOps implements hq.Tx.
func (t *tx) AppliedOps(ctx context.Context, deviceID string, opIDs []string) ([]hq.AppliedOp, error) {
	if len(opIDs) == 0 {
		return nil, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT op_id, payload_hash, applied_at FROM applied_ops
		WHERE device_id = $1 AND op_id = ANY($2)`, deviceID, opIDs)
	if err != nil {
		return nil, fmt.Errorf("read applied ops: %w", err)
	}
	defer rows.Close()
	var out []hq.AppliedOp
	for rows.Next() {
		a := hq.AppliedOp{DeviceID: deviceID}
		if err := rows.Scan(&a.OpID, &a.PayloadHash, &a.AppliedAt); err != nil {
			return nil, fmt.Errorf("read applied ops: %w", err)
		}
		a.AppliedAt = a.AppliedAt.UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied ops: %w", err)
	}
	return out, nil
}

// PutRow implements hq.Tx. The write is queued (see pipeTx).
func (t *tx) PutRow(ctx context.Context, r hq.Row) error {
	// created_seq is the seq of the insert; an update leaves it alone.
	t.tx.queue(`INSERT INTO rows (`+scan.RowCols+`, created_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $5)
		ON CONFLICT (tbl, id) DO UPDATE SET scope = excluded.scope, parent = excluded.parent,
			seq = excluded.seq, pending = excluded.pending, data = excluded.data`,
		r.Table, r.ID, r.Scope, r.Parent, r.Seq, r.Pending, string(r.Data))
	return nil
}

func (t *tx) Children(ctx context.Context, id string) ([]hq.Row, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+scan.RowCols+` FROM rows WHERE parent = $1 AND parent <> '' ORDER BY tbl, id`, id)
	if err != nil {
		return nil, fmt.Errorf("read rows under %s: %w", id, err)
	}
	return collectRows(rows, "read rows under "+id)
}

// MergedInto implements hq.Tx, from the index rows_person_merged_into.
func (t *tx) MergedInto(ctx context.Context, id string) ([]hq.Row, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE tbl = 'person' AND (((data::jsonb) -> 'merged_into') ->> 'v') = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read people merged into %s: %w", id, err)
	}
	return collectRows(rows, "read people merged into "+id)
}

func (t *tx) Enrolment(ctx context.Context, codeHash []byte) (hq.Enrolment, bool, error) {
	e := hq.Enrolment{CodeHash: codeHash}
	var used *time.Time
	var device *string
	err := t.tx.QueryRow(ctx, `SELECT governorates, name, created_at, expires_at, used_at, device_id
		FROM enrolments WHERE code_hash = $1`, codeHash).Scan(&e.Governorates, &e.Name, &e.CreatedAt, &e.ExpiresAt, &used, &device)
	if found, err := scan.Found(err, pgx.ErrNoRows, "read enrolment"); !found {
		return hq.Enrolment{}, false, err
	}
	e.CreatedAt, e.ExpiresAt, e.UsedAt = e.CreatedAt.UTC(), e.ExpiresAt.UTC(), fromNull(used)
	if device != nil {
		e.DeviceID = *device
	}
	return e, true, nil
}

func (t *tx) PutEnrolment(ctx context.Context, e hq.Enrolment) error {
	var device any
	if e.DeviceID != "" {
		device = e.DeviceID
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO enrolments (code_hash, governorates, name, created_at, expires_at, used_at, device_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (code_hash) DO UPDATE SET governorates = excluded.governorates, name = excluded.name,
			expires_at = excluded.expires_at, used_at = excluded.used_at, device_id = excluded.device_id`,
		e.CodeHash, scan.List(e.Governorates), e.Name, e.CreatedAt.UTC(), e.ExpiresAt.UTC(), nullTime(e.UsedAt), device)
	if err != nil {
		return fmt.Errorf("save enrolment: %w", err)
	}
	return nil
}

func (t *tx) PutEnrolNonce(ctx context.Context, n hq.EnrolNonce) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO enrol_nonces (nonce_hash, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		n.NonceHash, n.CodeHash, n.CreatedAt.UTC(), n.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("save enrolment challenge: %w", err)
	}
	return nil
}

func (t *tx) TakeEnrolNonce(ctx context.Context, nonceHash []byte) (hq.EnrolNonce, bool, error) {
	n := hq.EnrolNonce{NonceHash: nonceHash}
	err := t.tx.QueryRow(ctx, `DELETE FROM enrol_nonces WHERE nonce_hash = $1 RETURNING code_hash, created_at, expires_at`,
		nonceHash).Scan(&n.CodeHash, &n.CreatedAt, &n.ExpiresAt)
	if found, err := scan.Found(err, pgx.ErrNoRows, "take enrolment challenge"); !found {
		return hq.EnrolNonce{}, false, err
	}
	n.CreatedAt, n.ExpiresAt = n.CreatedAt.UTC(), n.ExpiresAt.UTC()
	return n, true, nil
}

func (t *tx) PurgeEnrolNonces(ctx context.Context, before time.Time) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM enrol_nonces WHERE expires_at <= $1`, before.UTC()); err != nil {
		return fmt.Errorf("purge enrolment challenges: %w", err)
	}
	return nil
}

func (t *tx) EnrolNonces(ctx context.Context, codeHash []byte) (int, error) {
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM enrol_nonces WHERE code_hash = $1`, codeHash).Scan(&n); err != nil {
		return 0, fmt.Errorf("count enrolment challenges: %w", err)
	}
	return n, nil
}

func (t *tx) Device(ctx context.Context, id string) (hq.Device, bool, error) {
	d, err := scanDevice(t.tx.QueryRow(ctx, `SELECT `+scan.DeviceCols+` FROM devices WHERE id = $1`, id))
	return scan.Maybe(d, err, pgx.ErrNoRows, "read device "+id)
}

func (t *tx) PutDevice(ctx context.Context, d hq.Device) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO devices (id, name, token_hash, governorates, public_key, endorsement, enrolled_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, token_hash = excluded.token_hash,
			governorates = excluded.governorates, public_key = excluded.public_key,
			endorsement = excluded.endorsement, enrolled_at = excluded.enrolled_at, revoked_at = excluded.revoked_at`,
		d.ID, d.Name, d.TokenHash, scan.List(d.Governorates), scan.NonNil(d.PublicKey), scan.NonNil(d.Endorsement),
		d.EnrolledAt.UTC(), nullTime(d.RevokedAt))
	if err != nil {
		return fmt.Errorf("save device %s: %w", d.ID, err)
	}
	return nil
}
