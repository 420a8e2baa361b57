package postgres

import (
	"context"
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
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM credential_cursor WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the credentials' cursor: %w", err)
	}
	return seq, nil
}

// SaveCredentialCursor implements hq.CredentialStore.
func (s *DB) SaveCredentialCursor(ctx context.Context, seq int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE credential_cursor SET seq = greatest(seq, $1) WHERE id = 1`, seq); err != nil {
		return fmt.Errorf("save the credentials' cursor: %w", err)
	}
	return nil
}

// CertificateRowsAfter implements hq.CredentialStore.
func (s *DB) CertificateRowsAfter(ctx context.Context, after int64, limit int) ([]hq.Row, int64, error) {
	// The counter first: every number at or below it has committed by
	// then (see the package comment).
	var committed int64
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM meta WHERE id = 1`).Scan(&committed); err != nil {
		return nil, 0, fmt.Errorf("read certificates: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+scan.RowCols+` FROM rows
		WHERE seq > $1 AND tbl = 'certificate' ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read certificates: %w", err)
	}
	out, err := collectRows(rows, "read certificates")
	if err != nil {
		return nil, 0, err
	}
	return out, committed, nil
}

const credentialCols = `certificate_id, code, person_id, scope, status_index, jwt, issued_at, revoked_at`

func scanCredential(sc scan.Scanner) (hq.StoredCredential, error) {
	var c hq.StoredCredential
	var issued time.Time
	var revoked *time.Time
	if err := sc.Scan(&c.CertificateID, &c.Code, &c.PersonID, &c.Scope, &c.StatusIndex, &c.JWT, &issued, &revoked); err != nil {
		return c, err
	}
	c.IssuedAt, c.RevokedAt = issued.UTC(), fromNull(revoked)
	return c, nil
}

func (s *DB) credentials(ctx context.Context, what, where string, args ...any) ([]hq.StoredCredential, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+credentialCols+` FROM credentials WHERE `+where, args...)
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
	if len(certificateIDs) == 0 {
		return nil, nil
	}
	return s.credentials(ctx, "read credentials", `certificate_id = ANY($1)`, certificateIDs)
}

// CredentialsOfPerson implements hq.CredentialStore.
func (s *DB) CredentialsOfPerson(ctx context.Context, personID string) ([]hq.StoredCredential, error) {
	return s.credentials(ctx, "read a person's credentials",
		`person_id = $1 ORDER BY issued_at, certificate_id`, personID)
}

// AddCredential implements hq.CredentialStore. ON CONFLICT DO NOTHING
// without a target covers both keys: the certificate and the index.
func (s *DB) AddCredential(ctx context.Context, c hq.StoredCredential) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO credentials (`+credentialCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		c.CertificateID, c.Code, c.PersonID, c.Scope, c.StatusIndex, c.JWT, c.IssuedAt.UTC(), nullTime(c.RevokedAt))
	if err != nil {
		return false, fmt.Errorf("store a credential: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetCredentialRevoked implements hq.CredentialStore.
func (s *DB) SetCredentialRevoked(ctx context.Context, certificateID string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE credentials SET revoked_at = $1 WHERE certificate_id = $2`,
		nullTime(at), certificateID); err != nil {
		return fmt.Errorf("revoke a credential: %w", err)
	}
	return nil
}

// RevokedStatusIndexes implements hq.CredentialStore.
func (s *DB) RevokedStatusIndexes(ctx context.Context) ([]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT status_index FROM credentials WHERE revoked_at IS NOT NULL`)
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
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM credentials`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count credentials: %w", err)
	}
	return n, nil
}
