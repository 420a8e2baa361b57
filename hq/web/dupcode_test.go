package web_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestVerifyShowsTheOriginal: HQ now refuses a second certificate with a
// code it holds (hq's TestCertificateCodeTaken), but a database may hold
// such a pair from before. The verification page must show the one created
// first, even after the original was written to later than the duplicate
// (here: revoked), which used to put the duplicate first.
func TestVerifyShowsTheOriginal(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{VerifyRate: -1})
		d := e.enrol("OM-MA")
		is := d.issue("OM-MA", "سالم", "Salim", "2025-03-01", 3)
		code := is.signed.Code

		// Pushed today, the twin is refused…
		twin, err := d.signer().Sign(certificate.Certificate{Code: code, PersonNameEn: "Someone else",
			WorkshopTitleEn: "Smart cities", Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Hours: 3})
		if err != nil {
			t.Fatal(err)
		}
		twinRow := uuid.NewString()
		snap, _ := json.Marshal(twin.Certificate)
		var pr protocol.PushResponse
		st := e.api(http.MethodPost, protocol.PathPush, d.token, protocol.PushRequest{Ops: []protocol.Op{d.op("certificate", twinRow,
			"attendance_id", is.attendance, "code", code, "snapshot", string(snap),
			"signature", base64.RawURLEncoding.EncodeToString(twin.Payload))}}, &pr)
		if st != 200 || len(pr.Results) != 1 || pr.Results[0].Status != protocol.Rejected || pr.Results[0].Code != protocol.CodeCodeTaken {
			t.Fatalf("the twin pushed: %d %+v, want %s", st, pr.Results, protocol.CodeCodeTaken)
		}
		// …so put it in the database as an older HQ would have.
		err = e.st.Write(ctx, func(tx hq.Tx) error {
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			cell := func(v string) string { b, _ := json.Marshal(v); return fmt.Sprintf(`{"v":%s,"h":"x","r":%d}`, b, seq) }
			data := fmt.Sprintf(`{"attendance_id":%s,"code":%s,"snapshot":%s,"signature":%s,"revoked_at":%s}`,
				cell(is.attendance), cell(code), cell(string(snap)), cell(base64.RawURLEncoding.EncodeToString(twin.Payload)), cell(""))
			return tx.PutRow(ctx, hq.Row{Table: "certificate", ID: twinRow, Scope: "OM-MA", Parent: is.attendance, Seq: seq, Data: []byte(data)})
		})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		if a := verifyJSON(t, b, "/verify.json?code="+code); a.Status != web.StatusValid || a.Certificate == nil || a.Certificate.NameEn != "Salim" {
			t.Fatalf("before the revocation: %+v, want the original, valid", a)
		}
		// The original is revoked: its latest write is now after the twin's.
		if r := d.push(d.op("certificate", is.row, "revoked_at", "2025-03-05T20:30:00Z", "revoked_reason", "issued by mistake")); r[0].Status != protocol.Applied {
			t.Fatalf("revoke: %+v", r[0])
		}
		a := verifyJSON(t, b, "/verify.json?code="+code)
		if a.Status != web.StatusRevoked || a.Certificate == nil || a.Certificate.NameEn != "Salim" {
			t.Fatalf("after the revocation: %+v, want the original, revoked", a)
		}
	})
}
