package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
)

// HQ's Open Badges credentials (hq/credentials.go, migration 9).

var _ hq.CredentialStore = (*DB)(nil)

// CredentialCursor implements hq.CredentialStore.
func (s *DB) CredentialCursor(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.db.QueryRowContext(ctx, `SELECT seq FROM credential_cursor WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the credentials' cursor: %w", err)
	}
	return seq, nil
}

// SaveCredentialCursor implements hq.CredentialStore.
func (s *DB) SaveCredentialCursor(ctx context.Context, seq int64) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `UPDATE credential_cursor SET seq = max(seq, ?) WHERE id = 1`, seq); err != nil {
		return fmt.Errorf("save the credentials' cursor: %w", err)
	}
	return nil
}

// CertificateRowsAfter implements hq.CredentialStore.
func (s *DB) CertificateRowsAfter(ctx context.Context, after int64, limit int) ([]hq.Row, int64, error) {
	// The counter first: every row at or below it has committed by then.
	var committed int64
	if err := s.db.QueryRowContext(ctx, `SELECT seq FROM meta WHERE id = 1`).Scan(&committed); err != nil {
		return nil, 0, fmt.Errorf("read certificates: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE seq > ? AND tbl = 'certificate' ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read certificates: %w", err)
	}
	defer rows.Close()
	out, err := scan.SyncedRows(rows, "read certificates")
	if err != nil {
		return nil, 0, err
	}
	return out, committed, nil
}

const credentialCols = `certificate_id, code, person_id, scope, status_index, jwt, issued_at, revoked_at`

func scanCredential(sc scan.Scanner) (hq.StoredCredential, error) {
	var c hq.StoredCredential
	var issued, revoked sql.NullString
	if err := sc.Scan(&c.CertificateID, &c.Code, &c.PersonID, &c.Scope, &c.StatusIndex, &c.JWT, &issued, &revoked); err != nil {
		return c, err
	}
	var err error
	if c.IssuedAt, err = parseTime(issued); err != nil {
		return c, err
	}
	c.RevokedAt, err = parseTime(revoked)
	return c, err
}

func (s *DB) credentials(ctx context.Context, what, where string, args ...any) ([]hq.StoredCredential, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+credentialCols+` FROM credentials WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out, err := scan.All(rows, scanCredential)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CredentialsOf implements hq.CredentialStore.
func (s *DB) CredentialsOf(ctx context.Context, certificateIDs []string) ([]hq.StoredCredential, error) {
	switch len(certificateIDs) {
	case 0:
		return nil, nil
	case 1: // /verify's look-up: the primary key, no JSON
		return s.credentials(ctx, "read a credential", `certificate_id = ?`, certificateIDs[0])
	}
	return s.credentials(ctx, "read credentials",
		`certificate_id IN (SELECT value FROM json_each(?))`, jsonList(certificateIDs))
}

// CredentialsOfPerson implements hq.CredentialStore.
func (s *DB) CredentialsOfPerson(ctx context.Context, personID string) ([]hq.StoredCredential, error) {
	return s.credentials(ctx, "read a person's credentials",
		`person_id = ? ORDER BY issued_at, certificate_id`, personID)
}

// AddCredential implements hq.CredentialStore.
func (s *DB) AddCredential(ctx context.Context, c hq.StoredCredential) (bool, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO credentials (`+credentialCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CertificateID, c.Code, c.PersonID, c.Scope, c.StatusIndex, c.JWT, fmtTime(c.IssuedAt), nullTime(c.RevokedAt))
	if err != nil {
		return false, fmt.Errorf("store a credential: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetCredentialRevoked implements hq.CredentialStore.
func (s *DB) SetCredentialRevoked(ctx context.Context, certificateID string, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `UPDATE credentials SET revoked_at = ? WHERE certificate_id = ?`,
		nullTime(at), certificateID); err != nil {
		return fmt.Errorf("revoke a credential: %w", err)
	}
	return nil
}

// RevokedStatusIndexes implements hq.CredentialStore.
func (s *DB) RevokedStatusIndexes(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status_index FROM credentials WHERE revoked_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read revoked credentials: %w", err)
	}
	defer rows.Close()
	return scan.All(rows, func(sc scan.Scanner) (int, error) {
		var i int
		return i, sc.Scan(&i)
	})
}

// CountCredentials implements hq.CredentialStore.
func (s *DB) CountCredentials(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM credentials`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count credentials: %w", err)
	}
	return n, nil
}
