package hq_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestCertificateCodeTaken: HQ refuses a certificate whose verification
// code another certificate row already holds, from any device, in any
// spelling, in the same batch or a later one, as a new row or as an edit
// of an existing one; the original keeps its code and can still be edited.
func TestCertificateCodeTaken(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		// A workshop, a person and two check-ins in each governorate.
		atts := map[*device][]string{}
		for d, gov := range map[*device]string{ma: "OM-MA", da: "OM-DA"} {
			w, p1, p2 := uuid.NewString(), uuid.NewString(), uuid.NewString()
			a1, a2 := uuid.NewString(), uuid.NewString()
			for i, r := range d.push(
				d.op("workshop", w, "title_en", "IoT basics", "governorate", gov),
				d.op("person", p1, "name_en", "Aisha", "governorate", gov),
				d.op("person", p2, "name_en", "Salim", "governorate", gov),
				d.op("attendance", a1, "workshop_id", w, "person_id", p1, "hours", 3.0),
				d.op("attendance", a2, "workshop_id", w, "person_id", p2, "hours", 3.0),
			) {
				if r.Status != protocol.Applied {
					t.Fatalf("%s setup op %d: %+v", gov, i, r)
				}
			}
			atts[d] = []string{a1, a2}
		}
		code := certificate.NewCode()
		original := uuid.NewString()
		if r := ma.push(ma.op("certificate", original, "attendance_id", atts[ma][0], "code", code)); r[0].Status != protocol.Applied {
			t.Fatalf("the original: %+v", r[0])
		}

		taken := func(name string, r protocol.OpResult) {
			t.Helper()
			if r.Status != protocol.Rejected || r.Code != protocol.CodeCodeTaken || !strings.Contains(r.Message, certificate.FormatCode(code)) {
				t.Errorf("%s: %+v, want rejected %s naming the code", name, r, protocol.CodeCodeTaken)
			}
		}
		other := uuid.NewString()
		taken("the same device, another row", ma.push(ma.op("certificate", other, "attendance_id", atts[ma][1], "code", code))[0])
		taken("another device and governorate", da.push(da.op("certificate", uuid.NewString(), "attendance_id", atts[da][0], "code", code))[0])
		taken("the code with a dash", ma.push(ma.op("certificate", uuid.NewString(), "attendance_id", atts[ma][1], "code", certificate.FormatCode(code)))[0])
		for _, id := range []string{other} {
			if _, found, err := e.store.Row(ctx, "certificate", id); found || err != nil {
				t.Errorf("a refused certificate was stored: %v %v", found, err)
			}
		}

		// An existing certificate cannot take the code either.
		second := uuid.NewString()
		if r := ma.push(ma.op("certificate", second, "attendance_id", atts[ma][1], "code", certificate.NewCode())); r[0].Status != protocol.Applied {
			t.Fatalf("a second certificate with its own code: %+v", r[0])
		}
		taken("an existing row changing its code", ma.push(ma.op("certificate", second, "code", code))[0])

		// Two new rows with one fresh code in one batch: the first wins.
		fresh := certificate.NewCode()
		a, b := uuid.NewString(), uuid.NewString()
		r := da.push(da.op("certificate", a, "attendance_id", atts[da][0], "code", fresh),
			da.op("certificate", b, "attendance_id", atts[da][1], "code", fresh))
		if r[0].Status != protocol.Applied || r[1].Status != protocol.Rejected || r[1].Code != protocol.CodeCodeTaken {
			t.Errorf("one code twice in a batch: %+v", r)
		}

		// The original re-asserting its own code, or being revoked, is fine.
		if r := ma.push(ma.op("certificate", original, "code", code, "revoked_at", "2025-03-02T10:00:00Z")); r[0].Status != protocol.Applied {
			t.Errorf("the original edited: %+v", r[0])
		}
		rows, err := e.store.CertificatesByCode(ctx, code)
		if err != nil || len(rows) != 1 || rows[0].ID != original {
			t.Fatalf("certificates with the code: %+v %v, want the original only", rows, err)
		}
	})
}
