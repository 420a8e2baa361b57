package hq_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestCertificateOf: a certificate row a device pushed, as the device
// writes it (the snapshot as JSON, the signed record in base64url), reads
// back at HQ as the domain's record the device holds; a row whose
// snapshot or signature does not decode still reads, without them.
func TestCertificateOf(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		d := e.enrol("OM-MA")
		w, p, a := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for i, r := range d.push(
			d.op("workshop", w, "title_en", "IoT basics", "governorate", "OM-MA"),
			d.op("person", p, "name_ar", "عائشة", "governorate", "OM-MA"),
			d.op("attendance", a, "workshop_id", w, "person_id", p, "hours", 2.5),
		) {
			if r.Status != protocol.Applied {
				t.Fatalf("setup op %d: %+v", i, r)
			}
		}
		_, key, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := certificate.Signer{DeviceID: d.id, Key: key}.Sign(certificate.Certificate{
			PersonNameAr: "عائشة", WorkshopTitleEn: "IoT basics", WilayatEn: "Bawshar", WilayatAr: "بوشر",
			Date: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), Hours: 2.5, ReissueOf: certificate.NewCode()})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := json.Marshal(signed.Certificate)
		if err != nil {
			t.Fatal(err)
		}
		want := safeer.Certificate{ID: uuid.NewString(), AttendanceID: a, Code: signed.Code,
			IssuedAt: signed.IssuedAt.Format(time.RFC3339), DeviceID: d.id, Snapshot: safeer.CertificateText(signed.Certificate),
			Payload: signed.Payload, RevokedAt: "2026-03-06T08:00:00Z", RevokedReason: safeer.ReplacedReason("ABCD"),
			ReissueOf: signed.ReissueOf}
		garbled := uuid.NewString()
		if r := d.push(
			d.op("certificate", want.ID, "attendance_id", a, "code", want.Code, "issued_at", want.IssuedAt,
				"device_id", d.id, "snapshot", string(snap), "signature", base64.RawURLEncoding.EncodeToString(signed.Payload),
				"revoked_at", want.RevokedAt, "revoked_reason", want.RevokedReason, "reissue_of", want.ReissueOf),
			d.op("certificate", garbled, "attendance_id", a, "code", certificate.NewCode(), "snapshot", "{not json",
				"signature", "not base64!"),
		); r[0].Status != protocol.Applied || r[1].Status != protocol.Applied {
			t.Fatalf("certificates pushed: %+v", r)
		}

		row, found, err := e.store.Row(ctx, "certificate", want.ID)
		if err != nil || !found {
			t.Fatalf("row: %v %v", found, err)
		}
		got, err := hq.CertificateOf(row)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CertificateOf\n got %+v\nwant %+v", got, want)
		}
		if by, ok := got.ReplacedBy(); !got.Revoked() || !ok || by != "ABCD" {
			t.Errorf("revoked %v, replaced by %q %v", got.Revoked(), by, ok)
		}

		row, _, err = e.store.Row(ctx, "certificate", garbled)
		if err != nil {
			t.Fatal(err)
		}
		got, err = hq.CertificateOf(row)
		if err != nil {
			t.Fatalf("a garbled snapshot makes the row unreadable: %v", err)
		}
		if got.Code == "" || got.Payload != nil || !reflect.DeepEqual(got.Snapshot, safeer.CertificateText{}) || got.Revoked() {
			t.Errorf("garbled row read as %+v", got)
		}
	})
}
