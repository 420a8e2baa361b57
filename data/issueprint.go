package data

import (
	"context"

	"github.com/oman-sca/safeer/certificate"
)

// IssueToPrint is issuing a workshop's certificates for printing with tmpl,
// the one path the app and `safeer certificates issue` share: nothing is
// issued that would print a blank (CheckPrintable, an *IncompleteError),
// the certificates are signed with the device's key (IssueCertificates),
// and the signed certificates come back in name order (IssueReport.
// Certificates), ready for certificate.WriteFile or WriteEach.
func (s *Store) IssueToPrint(ctx context.Context, workshopID string, tmpl certificate.Template) (*IssueReport, []certificate.SignedCertificate, error) {
	if err := s.CheckPrintable(ctx, workshopID, tmpl); err != nil {
		return nil, nil, err
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.IssueCertificates(ctx, workshopID, signer)
	if err != nil {
		return nil, nil, err
	}
	rows := rep.Certificates()
	signed := make([]certificate.SignedCertificate, len(rows))
	for i, r := range rows {
		signed[i] = r.Signed()
	}
	return rep, signed, nil
}
