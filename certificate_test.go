package safeer_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
)

// The snapshot a device stores and syncs is the JSON of what the
// certificate says: the domain's CertificateText and the certificate
// package's Certificate (the same type, with the PDF's methods) write and
// read it alike, so rows written before and after read back the same.
func TestCertificateTextJSON(t *testing.T) {
	c := certificate.Certificate{Code: "ABCDEFGHJK", PersonNameAr: "عائشة", PersonNameEn: "Aisha",
		WorkshopTitleAr: "الأمن الرقمي", WorkshopTitleEn: "Digital safety", WilayatAr: "بوشر", WilayatEn: "Bawshar",
		Date: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), Hours: 2.5,
		IssuedAt: time.Date(2026, 3, 5, 11, 30, 0, 0, time.UTC), DeviceID: "dev-1", ReissueOf: "KJHGFEDCBA"}
	a, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(safeer.CertificateText(c))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("snapshots differ:\n%s\n%s", a, b)
	}
	var back safeer.CertificateText
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	if certificate.Certificate(back) != c {
		t.Errorf("read back %+v, want %+v", back, c)
	}
	// The stored row's JSON keys are the table's fields.
	row, err := json.Marshal(safeer.Certificate{ID: "id", Code: "C", Snapshot: back, Payload: []byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(row, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "attendance_id", "code", "issued_at", "device_id", "snapshot"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("the record's JSON has no %q: %s", k, row)
		}
	}
	if _, ok := keys["Payload"]; ok {
		t.Errorf("the record's JSON carries the signed record: %s", row)
	}
}

func TestCertificateRevocation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        safeer.Certificate
		revoked  bool
		replaced string
	}{
		{name: "valid", c: safeer.Certificate{}},
		{name: "revoked by a coordinator", c: safeer.Certificate{RevokedAt: "2026-03-05T10:00:00Z", RevokedReason: "wrong person"}, revoked: true},
		{name: "replaced by a reissue", c: safeer.Certificate{RevokedAt: "2026-03-05T10:00:00Z", RevokedReason: safeer.ReplacedReason("ABCDEFGHJK")}, revoked: true, replaced: "ABCDEFGHJK"},
		{name: "a reason but not revoked", c: safeer.Certificate{RevokedReason: safeer.ReplacedReason("ABCDEFGHJK")}},
		{name: "blank revocation time", c: safeer.Certificate{RevokedAt: "  ", RevokedReason: "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Revoked(); got != tc.revoked {
				t.Errorf("Revoked() = %v, want %v", got, tc.revoked)
			}
			code, ok := tc.c.ReplacedBy()
			if code != tc.replaced || ok != (tc.replaced != "") {
				t.Errorf("ReplacedBy() = %q %v, want %q", code, ok, tc.replaced)
			}
		})
	}
}
