package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
)

// What HQ's web pages need (hq/web): certificates by code, pages of rows,
// admin accounts, sessions and the audit log.

// CertificatesByCode implements hq.Store. The expression and the literal
// table name match the partial index rows_certificate_code exactly, which
// is what lets SQLite use it.
func (s *DB) CertificatesByCode(ctx context.Context, code string) ([]hq.Row, error) {
	return certificatesByCode(ctx, s.db, code)
}

// CertificatesByCode implements hq.Tx.
func (t *tx) CertificatesByCode(ctx context.Context, code string) ([]hq.Row, error) {
	return certificatesByCode(ctx, t.tx, code)
}

// certificatesByCode lists the rows first created first (created_seq),
// then by their latest write, then by id: an order no write can change.
func certificatesByCode(ctx context.Context, q querier, code string) ([]hq.Row, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE tbl = 'certificate' AND json_extract(data, '$.code.v') = ? ORDER BY created_seq, seq, id`, code)
	if err != nil {
		return nil, fmt.Errorf("find certificate %s: %w", code, err)
	}
	defer rows.Close()
	return scan.SyncedRows(rows, "find certificate "+code)
}

// ListRows implements hq.Store.
func (s *DB) ListRows(ctx context.Context, q hq.RowQuery) ([]hq.Row, error) {
	if q.Limit < 1 || q.Limit > hq.MaxListRows {
		return nil, fmt.Errorf("list %s: limit %d is not 1 to %d", q.Table, q.Limit, hq.MaxListRows)
	}
	query := `SELECT ` + scan.RowCols + ` FROM rows WHERE tbl = ? AND id > ?`
	args := []any{q.Table, q.After}
	if q.Scopes != nil {
		query += ` AND scope IN (SELECT value FROM json_each(?))`
		args = append(args, jsonList(q.Scopes))
	}
	if q.PendingOnly {
		query += ` AND pending != 0`
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Table, err)
	}
	defer rows.Close()
	return scan.SyncedRows(rows, "list "+q.Table)
}

func scanAdmin(sc scan.Scanner) (hq.Admin, error) {
	var a hq.Admin
	var created, disabled sql.NullString
	if err := sc.Scan(&a.Name, &a.PasswordHash, &created, &disabled); err != nil {
		return a, err
	}
	var errs [2]error
	a.CreatedAt, errs[0] = parseTime(created)
	a.DisabledAt, errs[1] = parseTime(disabled)
	return a, errors.Join(errs[:]...)
}

// Admin implements hq.Store.
func (s *DB) Admin(ctx context.Context, name string) (hq.Admin, bool, error) {
	a, err := scanAdmin(s.db.QueryRowContext(ctx, `SELECT name, password_hash, created_at, disabled_at FROM admins WHERE name = ?`, name))
	return scan.Maybe(a, err, sql.ErrNoRows, "read account "+name)
}

// Admins implements hq.Store.
func (s *DB) Admins(ctx context.Context) ([]hq.Admin, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, password_hash, created_at, disabled_at FROM admins ORDER BY name`)
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, admin, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		ses.IDHash, ses.Admin, ses.CSRF, fmtTime(ses.CreatedAt), fmtTime(ses.ExpiresAt))
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Session implements hq.Store.
func (s *DB) Session(ctx context.Context, idHash []byte) (hq.Session, bool, error) {
	ses := hq.Session{IDHash: idHash}
	var created, expires sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT admin, csrf, created_at, expires_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&ses.Admin, &ses.CSRF, &created, &expires)
	if found, err := scan.Found(err, sql.ErrNoRows, "read session"); !found {
		return hq.Session{}, false, err
	}
	var errs [2]error
	ses.CreatedAt, errs[0] = parseTime(created)
	ses.ExpiresAt, errs[1] = parseTime(expires)
	return ses, true, errors.Join(errs[:]...)
}

// DeleteSession implements hq.Store.
func (s *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// PurgeSessions implements hq.Store.
func (s *DB) PurgeSessions(ctx context.Context, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, fmtTime(now)); err != nil {
		return fmt.Errorf("purge sessions: %w", err)
	}
	return nil
}

// AuditLog implements hq.Store.
func (s *DB) AuditLog(ctx context.Context, before int64, limit int) ([]hq.AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, admin, action, target, detail, remote FROM audit
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	out, err := scan.All(rows, func(sc scan.Scanner) (hq.AuditEntry, error) {
		var e hq.AuditEntry
		var at string
		err := sc.Scan(&e.ID, &at, &e.Admin, &e.Action, &e.Target, &e.Detail, &e.Remote)
		if err == nil {
			e.At, err = time.Parse(time.RFC3339Nano, at)
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

func (t *tx) PutAdmin(ctx context.Context, a hq.Admin) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO admins (name, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, disabled_at = excluded.disabled_at`,
		a.Name, a.PasswordHash, fmtTime(a.CreatedAt), nullTime(a.DisabledAt))
	if err != nil {
		return fmt.Errorf("save account %s: %w", a.Name, err)
	}
	return nil
}

func (t *tx) AddAudit(ctx context.Context, e hq.AuditEntry) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO audit (at, admin, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?)`,
		fmtTime(e.At), e.Admin, e.Action, e.Target, e.Detail, e.Remote)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

func (t *tx) DeleteSessionsOf(ctx context.Context, admin string) (int, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE admin = ?`, admin)
	if err != nil {
		return 0, fmt.Errorf("end the sessions of %s: %w", admin, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("end the sessions of %s: %w", admin, err)
	}
	return int(n), nil
}

// Sign-in failures keep their times as Unix milliseconds, which compare as
// numbers (RFC 3339 text with trimmed fractions does not sort by time).

func unixMilli(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMilli(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64).UTC()
}

func (t *tx) SignInFailures(ctx context.Context, name string) (hq.SignInFailures, bool, error) {
	f := hq.SignInFailures{Name: name}
	var last, locked sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT failures, last_failure, locked_until FROM signin_failures WHERE name = ?`, name).
		Scan(&f.Count, &last, &locked)
	if found, err := scan.Found(err, sql.ErrNoRows, "read failed sign-ins"); !found {
		return hq.SignInFailures{}, false, err
	}
	f.LastFailure, f.LockedUntil = fromMilli(last), fromMilli(locked)
	return f, true, nil
}

func (t *tx) PutSignInFailures(ctx context.Context, f hq.SignInFailures) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO signin_failures (name, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
		locked_until = excluded.locked_until`, f.Name, f.Count, f.LastFailure.UnixMilli(), unixMilli(f.LockedUntil))
	if err != nil {
		return fmt.Errorf("count a failed sign-in: %w", err)
	}
	return nil
}

func (t *tx) ClearSignInFailures(ctx context.Context, name string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE name = ?`, name); err != nil {
		return fmt.Errorf("forget failed sign-ins: %w", err)
	}
	return nil
}

func (t *tx) PurgeSignInFailures(ctx context.Context, before time.Time) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM signin_failures
		WHERE last_failure < ? AND (locked_until IS NULL OR locked_until < ?)`, before.UnixMilli(), before.UnixMilli())
	if err != nil {
		return fmt.Errorf("purge failed sign-ins: %w", err)
	}
	return nil
}
