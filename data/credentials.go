package data

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/internal/privfile"
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

// WriteOpenBadges writes badges into dir (made if missing), each as
// safeer-CODE.jwt and baked into the programme's badge as safeer-CODE.png,
// 0600 files, so a coordinator can hand them out offline. It returns the
// files written, in order; done, if not nil, hears after each credential
// how many are written (the app's progress bar). The CLI's certificates
// export --open-badges and the app's Certificates screen both write through
// it.
func WriteOpenBadges(ctx context.Context, dir string, badges []OpenBadge, done func(n int)) ([]string, error) {
	if err := privfile.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("make the credentials folder: %w", err)
	}
	files := []string{}
	for i, b := range badges {
		if err := ctx.Err(); err != nil {
			return files, err
		}
		baked, err := credential.BakePNG(credential.BadgePNG, b.JWT)
		if err != nil {
			return files, err
		}
		base := filepath.Join(dir, "safeer-"+certificate.FormatCode(b.Code))
		for _, f := range []struct {
			path string
			body []byte
		}{{base + ".jwt", []byte(b.JWT)}, {base + ".png", baked}} {
			err := privfile.Write(f.path, func(w io.Writer) error {
				_, err := w.Write(f.body)
				return err
			})
			if err != nil {
				return files, fmt.Errorf("write %s: %w", f.path, err)
			}
			files = append(files, f.path)
		}
		if done != nil {
			done(i + 1)
		}
	}
	return files, nil
}
