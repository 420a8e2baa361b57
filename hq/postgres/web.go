package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
)

// What HQ's web pages need (hq/web): certificates by code, pages of rows,
// admin accounts, sessions and the audit log.

// CertificatesByCode implements hq.Store. The expression and the literal
// table name match the partial index rows_certificate_code exactly, which
// is what lets PostgreSQL use it.
func (s *DB) CertificatesByCode(ctx context.Context, code string) ([]hq.Row, error) {
	return certificatesByCode(ctx, s.pool, code)
}

// CertificatesByCode implements hq.Tx.
func (t *tx) CertificatesByCode(ctx context.Context, code string) ([]hq.Row, error) {
	return certificatesByCode(ctx, t.tx, code)
}

// certificatesByCode lists the rows first created first (created_seq),
// then by their latest write, then by id: an order no write can change.
func certificatesByCode(ctx context.Context, q querier, code string) ([]hq.Row, error) {
	rows, err := q.Query(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE tbl = 'certificate' AND (((data::jsonb) -> 'code') ->> 'v') = $1 ORDER BY created_seq, seq, id`, code)
	if err != nil {
		return nil, fmt.Errorf("find certificate %s: %w", code, err)
	}
	return collectRows(rows, "find certificate "+code)
}

// ListRows implements hq.Store.
func (s *DB) ListRows(ctx context.Context, q hq.RowQuery) ([]hq.Row, error) {
	if q.Limit < 1 || q.Limit > hq.MaxListRows {
		return nil, fmt.Errorf("list %s: limit %d is not 1 to %d", q.Table, q.Limit, hq.MaxListRows)
	}
	// Ids page in the database's collation (the primary key's order); the
	// page boundary and the order agree, which is all keyset paging needs.
	query := `SELECT ` + scan.RowCols + ` FROM rows WHERE tbl = $1 AND id > $2`
	args := []any{q.Table, q.After}
	if q.Scopes != nil {
		args = append(args, q.Scopes)
		query += fmt.Sprintf(` AND scope = ANY($%d)`, len(args))
	}
	if q.PendingOnly {
		query += ` AND pending`
	}
	args = append(args, q.Limit)
	query += fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args))
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Table, err)
	}
	return collectRows(rows, "list "+q.Table)
}

func scanAdmin(row scan.Scanner) (hq.Admin, error) {
	var a hq.Admin
	var disabled *time.Time
	if err := row.Scan(&a.Name, &a.PasswordHash, &a.CreatedAt, &disabled); err != nil {
		return a, err
	}
	a.CreatedAt, a.DisabledAt = a.CreatedAt.UTC(), fromNull(disabled)
	return a, nil
}

// Admin implements hq.Store.
func (s *DB) Admin(ctx context.Context, name string) (hq.Admin, bool, error) {
	a, err := scanAdmin(s.pool.QueryRow(ctx, `SELECT name, password_hash, created_at, disabled_at FROM admins WHERE name = $1`, name))
	return scan.Maybe(a, err, pgx.ErrNoRows, "read account "+name)
}

// Admins implements hq.Store.
func (s *DB) Admins(ctx context.Context) ([]hq.Admin, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, password_hash, created_at, disabled_at FROM admins ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	out, err := scan.All(rows, scanAdmin)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// PutSession implements hq.Store.
func (s *DB) PutSession(ctx context.Context, ses hq.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id_hash, admin, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ses.IDHash, ses.Admin, ses.CSRF, ses.CreatedAt.UTC(), ses.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Session implements hq.Store.
func (s *DB) Session(ctx context.Context, idHash []byte) (hq.Session, bool, error) {
	ses := hq.Session{IDHash: idHash}
	err := s.pool.QueryRow(ctx, `SELECT admin, csrf, created_at, expires_at FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&ses.Admin, &ses.CSRF, &ses.CreatedAt, &ses.ExpiresAt)
	if found, err := scan.Found(err, pgx.ErrNoRows, "read session"); !found {
		return hq.Session{}, false, err
	}
	ses.CreatedAt, ses.ExpiresAt = ses.CreatedAt.UTC(), ses.ExpiresAt.UTC()
	return ses, true, nil
}

// DeleteSession implements hq.Store.
func (s *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// PurgeSessions implements hq.Store.
func (s *DB) PurgeSessions(ctx context.Context, now time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now.UTC()); err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	return nil
}

// AuditLog implements hq.Store.
func (s *DB) AuditLog(ctx context.Context, before int64, limit int) ([]hq.AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, admin, action, target, detail, remote FROM audit
		WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	out, err := scan.All(rows, func(sc scan.Scanner) (hq.AuditEntry, error) {
		var e hq.AuditEntry
		err := sc.Scan(&e.ID, &e.At, &e.Admin, &e.Action, &e.Target, &e.Detail, &e.Remote)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

func (t *tx) PutAdmin(ctx context.Context, a hq.Admin) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO admins (name, password_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, disabled_at = excluded.disabled_at`,
		a.Name, a.PasswordHash, a.CreatedAt.UTC(), nullTime(a.DisabledAt))
	if err != nil {
		return fmt.Errorf("save account %s: %w", a.Name, err)
	}
	return nil
}

func (t *tx) AddAudit(ctx context.Context, e hq.AuditEntry) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO audit (at, admin, action, target, detail, remote) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At.UTC(), e.Admin, e.Action, e.Target, e.Detail, e.Remote)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

func (t *tx) DeleteSessionsOf(ctx context.Context, admin string) (int, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM sessions WHERE admin = $1`, admin)
	if err != nil {
		return 0, fmt.Errorf("end the sessions of %s: %w", admin, err)
	}
	return int(tag.RowsAffected()), nil
}

func (t *tx) SignInFailures(ctx context.Context, name string) (hq.SignInFailures, bool, error) {
	f := hq.SignInFailures{Name: name}
	var locked *time.Time
	err := t.tx.QueryRow(ctx, `SELECT failures, last_failure, locked_until FROM signin_failures WHERE name = $1`, name).
		Scan(&f.Count, &f.LastFailure, &locked)
	if found, err := scan.Found(err, pgx.ErrNoRows, "read failed sign-ins"); !found {
		return hq.SignInFailures{}, false, err
	}
	f.LastFailure, f.LockedUntil = f.LastFailure.UTC(), fromNull(locked)
	return f, true, nil
}

func (t *tx) PutSignInFailures(ctx context.Context, f hq.SignInFailures) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO signin_failures (name, failures, last_failure, locked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
		locked_until = excluded.locked_until`, f.Name, f.Count, f.LastFailure.UTC(), nullTime(f.LockedUntil))
	if err != nil {
		return fmt.Errorf("count a failed sign-in: %w", err)
	}
	return nil
}

func (t *tx) ClearSignInFailures(ctx context.Context, name string) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM signin_failures WHERE name = $1`, name); err != nil {
		return fmt.Errorf("forget failed sign-ins: %w", err)
	}
	return nil
}

func (t *tx) PurgeSignInFailures(ctx context.Context, before time.Time) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM signin_failures
		WHERE last_failure < $1 AND (locked_until IS NULL OR locked_until < $1)`, before.UTC())
	if err != nil {
		return fmt.Errorf("purge failed sign-ins: %w", err)
	}
	return nil
}
