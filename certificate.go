package safeer

import (
	"strings"
	"time"
)

// CertificateText is what a certificate of attendance says, exactly as
// printed: the names of the person, the workshop and its wilayat as they
// were when it was issued. Every field is also in the signed record the QR
// code carries (package certificate, whose Certificate is this type with
// the PDF's and the signature's methods), so what a verifier is shown is
// what the paper says.
type CertificateText struct {
	Code            string    // verification code, canonical (see certificate.NormalizeCode)
	PersonNameAr    string    // may be empty when PersonNameEn is not
	PersonNameEn    string    // may be empty: the line is then left out
	WorkshopTitleAr string    //
	WorkshopTitleEn string    //
	WilayatAr       string    //
	WilayatEn       string    //
	Date            time.Time // the workshop's civil date; the time of day is ignored
	Hours           float64   // hours attended, kept to the minute
	IssuedAt        time.Time // kept to the second, in UTC
	DeviceID        string    // the issuing device (a UUID in practice)
	ReissueOf       string    // code of the certificate this one replaces, or ""
}

// Certificate is an issued certificate as the device that issued it and
// HQ keep it (a row of the synced certificate table): which attendance (a
// person at a workshop) it certifies, its code, when and by which device
// it was issued, what it says as printed, the signed record its QR code
// carries, which certificate it replaces, and its revocation.
type Certificate struct {
	ID            string          `json:"id"`
	AttendanceID  string          `json:"attendance_id"`
	Code          string          `json:"code"`
	IssuedAt      string          `json:"issued_at"` // RFC 3339, UTC
	DeviceID      string          `json:"device_id"`
	Snapshot      CertificateText `json:"snapshot"`
	Payload       []byte          `json:"-"`                    // the signed QR record
	RevokedAt     string          `json:"revoked_at,omitempty"` // RFC 3339, UTC; "" while it is valid
	RevokedReason string          `json:"revoked_reason,omitempty"`
	ReissueOf     string          `json:"reissue_of,omitempty"` // the code of the certificate this one replaces
}

// Revoked reports whether the certificate has been revoked.
func (c Certificate) Revoked() bool { return strings.TrimSpace(c.RevokedAt) != "" }

// replacedPrefix begins the reason a certificate is revoked for when a
// reissue replaces it.
const replacedPrefix = "replaced by "

// ReplacedReason is the reason a certificate is revoked for when the
// certificate with code replaces it (a reissue after a correction).
func ReplacedReason(code string) string { return replacedPrefix + code }

// ReplacedBy is the code of the certificate that replaced this one, as
// its revocation's reason says (see ReplacedReason), unchecked; ok is
// false for any other reason. The verification page shows that much and
// nothing else of a reason: other reasons are a coordinator's words about
// a person.
func (c Certificate) ReplacedBy() (code string, ok bool) {
	if !c.Revoked() {
		return "", false
	}
	code, ok = strings.CutPrefix(c.RevokedReason, replacedPrefix)
	if !ok {
		return "", false
	}
	return code, true
}
