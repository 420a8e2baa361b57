package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// TestConsoleListsCredentials: the roster links each person's
// credentials; the list shows each with its status, and the zip holds the
// valid ones' JWTs, its download in the audit log; a revoked one is shown
// revoked and left out of the zip.
func TestConsoleListsCredentials(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		st := open(t)
		is, err := web.NewIssuer("https://hq.example.om", ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32)))
		if err != nil {
			t.Fatal(err)
		}
		var e *env
		creds, err := hq.NewCredentials(st, is, hq.CredentialOptions{Now: func() time.Time { return e.clock() }})
		if err != nil {
			t.Fatal(err)
		}
		e = newEnv(t, creds.Store(), web.Config{Credentials: is, Issued: creds})
		d := e.enrol("OM-MA")
		first := d.issue("OM-MA", "عائشة الحارثية", "Aisha Al Harthy", "2025-03-01", 3)
		stored, found, err := creds.Of(ctx, first.row)
		if err != nil || !found {
			t.Fatalf("no credential: %v", err)
		}
		code := certificate.FormatCode(first.signed.Code)

		if r := e.browser().get("/admin/credentials?person=" + first.person); r.status != http.StatusSeeOther {
			t.Fatalf("signed out: %d", r.status)
		}
		b := e.signIn("amal")
		r := b.get("/admin/roster")
		mustContain(t, "roster", r.body, `/admin/credentials?person=`+first.person)
		r = b.get("/admin/credentials?person=" + first.person)
		if r.status != 200 {
			t.Fatalf("list: %d", r.status)
		}
		mustContain(t, "list", r.body, "Aisha Al Harthy", code, "Smart cities", "1 valid", "/admin/credentials.zip?person="+first.person)
		if r := b.get("/admin/credentials?person=nobody"); r.status != http.StatusNotFound {
			t.Fatalf("an unknown person: %d", r.status)
		}

		files := func() map[string]string {
			t.Helper()
			r := b.get("/admin/credentials.zip?person=" + first.person)
			if r.status != 200 || r.header.Get("Content-Type") != "application/zip" {
				t.Fatalf("zip: %d %v", r.status, r.header)
			}
			zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				out[f.Name] = string(b)
			}
			return out
		}
		if got := files(); len(got) != 1 || got["safeer-"+code+".jwt"] != stored.JWT {
			t.Fatalf("zip files %v", got)
		}
		if !slices.Contains(auditActions(t, e.st), "amal:credentials.download:"+first.person) {
			t.Fatalf("audit %v", auditActions(t, e.st))
		}

		// Revoked in the console: shown revoked, left out of the zip.
		if err := e.srv.Edit(ctx, func(tx *hq.EditTx) error {
			_, err := tx.Set("certificate", first.row, map[string]any{"revoked_at": "2025-03-11T08:00:00Z", "revoked_reason": "error"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r = b.get("/admin/credentials?person=" + first.person)
		mustContain(t, "list after revocation", r.body, "revoked", "0 valid")
		mustNotContain(t, "list after revocation", r.body, "credentials.zip")
		if got := files(); len(got) != 0 {
			t.Fatalf("zip after revocation %v", got)
		}

		// Merged into another record: the kept person's list holds the
		// credential, issued under the merged record's id; the merged
		// record's page says where it went.
		kept := d.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "عائشة الحارثي", nameEn: "Aisha Al Harthi", phone: "+96899887766"})
		if _, err := e.srv.MergePeople(ctx, kept, first.person, nil, hq.Actor{Admin: "amal"}); err != nil {
			t.Fatal(err)
		}
		r = b.get("/admin/credentials?person=" + kept)
		mustContain(t, "the kept person's list", r.body, "Aisha Al Harthi", code, "1 credential,")
		r = b.get("/admin/credentials?person=" + first.person)
		mustContain(t, "the merged record's list", r.body, "merged into", "/admin/credentials?person="+kept)
	})
}
