package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
)

// LiveCertificates lists the certificates issued for an attendance row
// (by its id) that are not revoked, oldest first: what undoing the
// check-in would leave valid.
func (s *Store) LiveCertificates(ctx context.Context, attendanceID string) ([]CertificateRow, error) {
	return liveCertificatesOf(ctx, s.db, attendanceID)
}

// liveCertificatesOf reads the live certificates of an attendance row
// through q (the store, or a transaction).
func liveCertificatesOf(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, attendanceID string) ([]CertificateRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+certificateColumns+` FROM certificate
		WHERE attendance_id = ? AND revoked_at = '' ORDER BY issued_at, id`, attendanceID)
	if err != nil {
		return nil, fmt.Errorf("certificates of %s: %w", attendanceID, err)
	}
	return scanCertificates(rows)
}

// UnattendRevoking undoes a check-in and revokes, with reason, every live
// certificate issued for it, in one transaction: a certificate must not
// stay valid for attendance that was taken back, and the check-in must not
// stay when its certificate could not be revoked. It returns the
// certificates it revoked. A reason is required when there is one to
// revoke.
func (s *Store) UnattendRevoking(ctx context.Context, workshopID, personID, reason string) ([]CertificateRow, error) {
	id := AttendanceID(workshopID, personID)
	var revoked []CertificateRow
	err := s.write(ctx, func(t *tx) error {
		revoked = nil
		a, err := scanAttendance(t.sql.QueryRowContext(ctx, `SELECT `+attendanceColumns+` FROM attendance WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			return notFound("attendance", id)
		}
		if err != nil {
			return err
		}
		live, err := liveCertificatesOf(ctx, t.sql, id)
		if err != nil {
			return err
		}
		if len(live) > 0 && strings.TrimSpace(reason) == "" {
			return &ValidationError{Errors: []FieldError{NewFieldError("reason", message.New("data.certificate.revoke_reason"))}}
		}
		at := s.nowUTC()
		for _, c := range live {
			if err := t.revoke(ctx, c.ID, reason, at); err != nil {
				return err
			}
			c.RevokedAt, c.RevokedReason = at.UTC().Format(time.RFC3339), reason
			revoked = append(revoked, c)
		}
		if a.Deleted {
			return nil
		}
		return t.update(ctx, safeer.TableAttendance, id, row{safeer.FieldDeleted: true})
	})
	if err != nil {
		return nil, err
	}
	return revoked, nil
}
