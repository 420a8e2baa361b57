package data

import (
	"context"
	"fmt"
)

// OpenBadge is the Open Badges 3.0 credential HQ issued for one of this
// device's certificates (issue 16), as pulled: the rows are HQ's, a device
// only reads them.
type OpenBadge struct {
	CertificateID string `json:"certificate_id"`
	Code          string `json:"code"` // the certificate's verification code, canonical
	JWT           string `json:"jwt"`  // the signed credential (compact JWS)
	RevokedAt     string `json:"revoked_at,omitempty"`
}

// OpenBadges lists the credentials of the certificates this device holds
// that are not revoked (their own certificate's revocation counts too,
// before HQ has heard of it), by code; with workshopID, that workshop's
// only.
func (s *Store) OpenBadges(ctx context.Context, workshopID string) ([]OpenBadge, error) {
	q := `SELECT cr.certificate_id, cr.code, cr.jwt, cr.revoked_at
		FROM credential cr JOIN certificate c ON c.id = cr.id
		JOIN attendance a ON a.id = c.attendance_id
		WHERE cr.jwt != '' AND cr.revoked_at = '' AND c.revoked_at = '' AND (? = '' OR a.workshop_id = ?)
		ORDER BY cr.code, cr.id`
	rows, err := s.db.QueryContext(ctx, q, workshopID, workshopID)
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	defer rows.Close()
	out := []OpenBadge{}
	for rows.Next() {
		var b OpenBadge
		if err := rows.Scan(&b.CertificateID, &b.Code, &b.JWT, &b.RevokedAt); err != nil {
			return nil, fmt.Errorf("list credentials: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
