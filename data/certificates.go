package data

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/message"
)

// CertificateRow is an issued certificate as the store keeps it: the
// domain's record (safeer.Certificate), which HQ reads its rows into too.
type CertificateRow struct {
	safeer.Certificate
}

// Signed is the certificate ready to print.
func (c CertificateRow) Signed() certificate.SignedCertificate {
	return certificate.SignedCertificate{Certificate: certificate.Certificate(c.Snapshot), Payload: c.Payload}
}

// printed is the certificate as the certificate package prints it.
func (c CertificateRow) printed() certificate.Certificate { return certificate.Certificate(c.Snapshot) }

// Reasons a person present at a workshop gets no certificate.
const (
	SkipNotPresent  = "not_present"
	SkipTooFewHours = "too_few_hours"
)

// Skipped is an attendee who does not get a certificate, and why, in
// English and Arabic.
type Skipped struct {
	PersonID string `json:"person_id"`
	NameAr   string `json:"name_ar,omitempty"`
	NameEn   string `json:"name_en,omitempty"`
	Reason   string `json:"reason"`
	En       string `json:"en"`
	Ar       string `json:"ar"`
}

// Eligible is an attendee who gets a certificate.
type Eligible struct {
	AttendanceRecord
	Current *CertificateRow `json:"current,omitempty"` // the live certificate already issued, if any
}

// Eligibility sorts a workshop's attendees into those who earn a
// certificate (present, and at least the workshop's minimum hours) and
// those who do not, with the reason. Both lists are sorted by name.
func (s *Store) Eligibility(ctx context.Context, workshopID string) ([]Eligible, []Skipped, error) {
	w, err := s.Workshop(ctx, workshopID)
	if err != nil {
		return nil, nil, err
	}
	att, err := s.WorkshopAttendance(ctx, workshopID)
	if err != nil {
		return nil, nil, err
	}
	current, err := s.liveCertificates(ctx, workshopID)
	if err != nil {
		return nil, nil, err
	}
	var ok []Eligible
	var skipped []Skipped
	for _, a := range att {
		sk := Skipped{PersonID: a.Person.ID, NameAr: a.Person.NameAr, NameEn: a.Person.NameEn}
		switch {
		case a.Status != safeer.Present:
			sk.Reason = SkipNotPresent
			sk.En, sk.Ar = words(message.New("certificate.skip.not_present", message.Pair("status", a.Status, statusAr(a.Status))))
			skipped = append(skipped, sk)
		case a.Hours+1e-9 < w.MinHours:
			sk.Reason = SkipTooFewHours
			sk.En, sk.Ar = words(message.New("certificate.skip.too_few_hours", message.Float("hours", a.Hours), message.Float("needed", w.MinHours)))
			skipped = append(skipped, sk)
		default:
			e := Eligible{AttendanceRecord: a}
			if c, ok := current[a.ID]; ok {
				e.Current = &c
			}
			ok = append(ok, e)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return nameLess(ok[i].Person, ok[j].Person) })
	return ok, skipped, nil
}

func statusAr(s string) string {
	switch s {
	case safeer.Absent:
		return "غائب"
	case safeer.Excused:
		return "معتذر"
	}
	return s
}

// nameLess sorts people as a printed pile should be: by Arabic name, then
// English, with the search folding so hamza spellings sort together.
func nameLess(a, b safeer.Person) bool {
	ka, kb := arabic.Fold(a.DisplayName()), arabic.Fold(b.DisplayName())
	if ka != kb {
		return ka < kb
	}
	return a.ID < b.ID
}

// IssueReport says what IssueCertificates did.
type IssueReport struct {
	Workshop safeer.Workshop  `json:"workshop"`
	Issued   []CertificateRow `json:"issued"`   // new certificates, and reissues after a correction
	Reprints []CertificateRow `json:"reprints"` // live certificates printed again unchanged
	Skipped  []Skipped        `json:"skipped"`
}

// Certificates returns every certificate to print, in name order.
func (r *IssueReport) Certificates() []CertificateRow {
	out := append(append([]CertificateRow{}, r.Issued...), r.Reprints...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Snapshot, out[j].Snapshot
		ka, kb := arabic.Fold(firstOf(a.PersonNameAr, a.PersonNameEn)), arabic.Fold(firstOf(b.PersonNameAr, b.PersonNameEn))
		if ka != kb {
			return ka < kb
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// IssueCertificates issues a certificate to every eligible attendee of a
// workshop, in one transaction that records each in the outbox. An
// attendee who already has a live certificate gets it reprinted as it was,
// unless their name, the workshop or their hours changed since: then a new
// certificate replaces it (naming it in ReissueOf) and the old one is
// revoked with that reason.
func (s *Store) IssueCertificates(ctx context.Context, workshopID string, signer certificate.Signer) (*IssueReport, error) {
	eligible, skipped, err := s.Eligibility(ctx, workshopID)
	if err != nil {
		return nil, err
	}
	w, err := s.Workshop(ctx, workshopID)
	if err != nil {
		return nil, err
	}
	rep := &IssueReport{Workshop: w, Skipped: skipped, Issued: []CertificateRow{}, Reprints: []CertificateRow{}}
	if rep.Skipped == nil {
		rep.Skipped = []Skipped{}
	}
	place, _ := s.Place(w.Governorate, w.Wilayat)
	date, err := time.Parse("2006-01-02", w.Date)
	if err != nil {
		return nil, fmt.Errorf("workshop %s has no valid date: %w", w.ID, err)
	}
	now := s.nowUTC().Truncate(time.Second)
	err = s.write(ctx, func(t *tx) error {
		for _, e := range eligible {
			want := certificate.Certificate{
				PersonNameAr: e.Person.NameAr, PersonNameEn: e.Person.NameEn,
				WorkshopTitleAr: w.TitleAr, WorkshopTitleEn: w.TitleEn,
				WilayatAr: place.WilayatAr, WilayatEn: place.WilayatEn,
				Date: date, Hours: e.Hours, DeviceID: signer.DeviceID, IssuedAt: now,
			}
			if e.Current != nil && samePrint(e.Current.printed(), want) {
				rep.Reprints = append(rep.Reprints, *e.Current)
				continue
			}
			if e.Current != nil {
				want.ReissueOf = e.Current.Code
			}
			signed, err := signer.Sign(want)
			if err != nil {
				return fmt.Errorf("sign certificate for %s: %w", e.Person.DisplayName(), err)
			}
			row, err := t.addCertificate(ctx, e.ID, signed)
			if err != nil {
				return err
			}
			if e.Current != nil {
				if err := t.revoke(ctx, e.Current.ID, safeer.ReplacedReason(row.Code), now); err != nil {
					return err
				}
			}
			rep.Issued = append(rep.Issued, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// samePrint reports whether a certificate would print the same.
func samePrint(a, b certificate.Certificate) bool {
	return a.PersonNameAr == b.PersonNameAr && a.PersonNameEn == b.PersonNameEn &&
		a.WorkshopTitleAr == b.WorkshopTitleAr && a.WorkshopTitleEn == b.WorkshopTitleEn &&
		a.WilayatAr == b.WilayatAr && a.WilayatEn == b.WilayatEn &&
		a.Date.Equal(b.Date) && a.Hours == b.Hours
}

func (t *tx) addCertificate(ctx context.Context, attendanceID string, sc certificate.SignedCertificate) (CertificateRow, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return CertificateRow{}, err
	}
	snap, err := json.Marshal(sc.Certificate)
	if err != nil {
		return CertificateRow{}, err
	}
	row := CertificateRow{safeer.Certificate{ID: id.String(), AttendanceID: attendanceID, Code: sc.Code,
		IssuedAt: sc.IssuedAt.UTC().Format(time.RFC3339), DeviceID: sc.DeviceID, Snapshot: safeer.CertificateText(sc.Certificate),
		Payload: sc.Payload, ReissueOf: sc.ReissueOf}}
	fields := row2fields(row, string(snap))
	return row, t.insert(ctx, safeer.TableCertificate, row.ID, newFields(fields), nil)
}

func row2fields(c CertificateRow, snapshot string) row {
	return row{safeer.FieldAttendanceID: c.AttendanceID, safeer.FieldCode: c.Code, safeer.FieldIssuedAt: c.IssuedAt,
		safeer.FieldDeviceID: c.DeviceID, safeer.FieldSnapshot: snapshot,
		safeer.FieldSignature: base64.RawURLEncoding.EncodeToString(c.Payload), safeer.FieldRevokedAt: c.RevokedAt,
		safeer.FieldRevokedReason: c.RevokedReason, safeer.FieldReissueOf: c.ReissueOf}
}

func (t *tx) revoke(ctx context.Context, id, reason string, at time.Time) error {
	return t.update(ctx, safeer.TableCertificate, id, row{safeer.FieldRevokedAt: at.UTC().Format(time.RFC3339), safeer.FieldRevokedReason: reason})
}

// ErrAlreadyRevoked is returned when revoking a revoked certificate.
var ErrAlreadyRevoked = errors.New("certificate is already revoked")

// RevokeCertificate revokes a certificate by its verification code (any
// spelling NormalizeCode accepts), with a reason that travels with it.
func (s *Store) RevokeCertificate(ctx context.Context, code, reason string) (CertificateRow, error) {
	norm, err := certificate.NormalizeCode(code)
	if err != nil {
		return CertificateRow{}, fmt.Errorf("%q is not a verification code: %w", code, err)
	}
	if strings.TrimSpace(reason) == "" {
		return CertificateRow{}, &ValidationError{Errors: []FieldError{NewFieldError("reason", message.New("data.certificate.revoke_reason"))}}
	}
	c, err := s.CertificateByCode(ctx, norm)
	if err != nil {
		return CertificateRow{}, err
	}
	if c.Revoked() {
		return c, ErrAlreadyRevoked
	}
	at := s.nowUTC()
	if err := s.write(ctx, func(t *tx) error { return t.revoke(ctx, c.ID, reason, at) }); err != nil {
		return CertificateRow{}, err
	}
	c.RevokedAt, c.RevokedReason = at.Format(time.RFC3339), reason
	return c, nil
}

const certificateColumns = `id, attendance_id, code, issued_at, device_id, snapshot, signature, revoked_at, revoked_reason, reissue_of`

func scanCertificate(sc interface{ Scan(...any) error }) (CertificateRow, error) {
	var c CertificateRow
	var snap, sig string
	if err := sc.Scan(&c.ID, &c.AttendanceID, &c.Code, &c.IssuedAt, &c.DeviceID, &snap, &sig, &c.RevokedAt, &c.RevokedReason, &c.ReissueOf); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(snap), &c.Snapshot); err != nil {
		return c, fmt.Errorf("certificate %s: damaged snapshot: %w", c.Code, err)
	}
	p, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return c, fmt.Errorf("certificate %s: damaged signature: %w", c.Code, err)
	}
	c.Payload = p
	return c, nil
}

// CertificateByCode finds a certificate by its verification code.
func (s *Store) CertificateByCode(ctx context.Context, code string) (CertificateRow, error) {
	c, err := scanCertificate(s.db.QueryRowContext(ctx, `SELECT `+certificateColumns+` FROM certificate WHERE code = ?`, code))
	if err == sql.ErrNoRows {
		return c, notFound("certificate", code)
	}
	return c, err
}

// WorkshopCertificates lists every certificate of a workshop, live and
// revoked, oldest first.
func (s *Store) WorkshopCertificates(ctx context.Context, workshopID string) ([]CertificateRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+prefixed("c.", certificateColumns)+`
		FROM certificate c JOIN attendance a ON a.id = c.attendance_id
		WHERE a.workshop_id = ? ORDER BY c.issued_at, c.id`, workshopID)
	if err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	return scanCertificates(rows)
}

// scanCertificates reads every row of rows and closes them.
func scanCertificates(rows *sql.Rows) ([]CertificateRow, error) {
	defer rows.Close()
	var out []CertificateRow
	for rows.Next() {
		c, err := scanCertificate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// liveCertificates maps attendance id → its live (not revoked) certificate.
func (s *Store) liveCertificates(ctx context.Context, workshopID string) (map[string]CertificateRow, error) {
	all, err := s.WorkshopCertificates(ctx, workshopID)
	if err != nil {
		return nil, err
	}
	out := map[string]CertificateRow{}
	for _, c := range all {
		if !c.Revoked() {
			out[c.AttendanceID] = c
		}
	}
	return out, nil
}

// Revoked tells certificate.Verify what this device knows of revocations
// (its own, and those synced from HQ).
func (s *Store) Revoked(ctx context.Context) certificate.RevocationFunc {
	return func(code string) (bool, time.Time, string) {
		c, err := s.CertificateByCode(ctx, code)
		if err != nil || !c.Revoked() {
			return false, time.Time{}, ""
		}
		at, _ := time.Parse(time.RFC3339, c.RevokedAt)
		return true, at, c.RevokedReason
	}
}

// KeyPath is where the device's certificate-signing key lives: next to the
// database, readable by its owner only. It never leaves the device.
func (s *Store) KeyPath() string { return s.path + ".key" }

// Signer returns the device's certificate signer: its key (made on first
// use) and HQ's endorsement of it once the device is enrolled.
func (s *Store) Signer(ctx context.Context) (certificate.Signer, error) {
	key, err := s.SigningKey() // sealed on a protected database (devicekey.go)
	if err != nil {
		return certificate.Signer{}, fmt.Errorf("device signing key: %w", err)
	}
	var endorsement []byte
	err = s.db.QueryRowContext(ctx, `SELECT endorsement FROM sync_state WHERE id = 1`).Scan(&endorsement)
	if err != nil && err != sql.ErrNoRows {
		return certificate.Signer{}, fmt.Errorf("read endorsement: %w", err)
	}
	return certificate.Signer{DeviceID: s.device, Key: key, Endorsement: endorsement}, nil
}

// HQPublicKey is HQ's key as received at enrolment (nil before).
func (s *Store) HQPublicKey(ctx context.Context) ([]byte, error) {
	var k []byte
	err := s.db.QueryRowContext(ctx, `SELECT hq_public_key FROM sync_state WHERE id = 1`).Scan(&k)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return k, err
}
