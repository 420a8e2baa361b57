package hq

import (
	"context"
	"fmt"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/sync/protocol"
)

// checkCertificateCode refuses a certificate op that sets a code another
// certificate row already holds (refused reports it). A verification code
// names one certificate: a second row under the same code, from a buggy
// device or a forger with an enrolled one, would leave /verify and the
// console to choose between them. The lookup runs inside tx, so two rows
// with one code in the same push batch are caught too. The code is
// compared as sent and in its canonical form, which is how /verify looks
// it up.
func checkCertificateCode(ctx context.Context, tx Tx, op protocol.Op) (res protocol.OpResult, refused bool, err error) {
	if op.Table != safeer.TableCertificate {
		return protocol.OpResult{}, false, nil
	}
	code, ok := op.Fields[safeer.FieldCode].Value.(string)
	if !ok || code == "" {
		return protocol.OpResult{}, false, nil
	}
	codes := []string{code}
	if canon, err := certificate.NormalizeCode(code); err == nil && canon != code {
		codes = append(codes, canon)
	}
	for _, c := range codes {
		rows, err := tx.CertificatesByCode(ctx, c)
		if err != nil {
			return protocol.OpResult{}, false, err
		}
		for _, r := range rows {
			if r.ID != op.RowID {
				// The words name no row: it may be another governorate's.
				return rejected(op.ID, protocol.CodeCodeTaken, fmt.Sprintf(
					"another certificate already has the verification code %s: a code names one certificate only; issue this one again to give it a new code",
					certificate.FormatCode(c))), true, nil
			}
		}
	}
	return protocol.OpResult{}, false, nil
}
