package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestCertificatesExportOpenBadges: the credentials a device pulled are
// written one .jwt file each (0600), a workshop's only when asked; a
// certificate revoked on the device, or a credential HQ revoked, is left
// out; without --open-badges it is a usage error.
func TestCertificatesExportOpenBadges(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "safeer.db")
	s := openDB(t, db)
	signer, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two workshops, one person each, one certificate each.
	var certs []data.CertificateRow
	var workshops []string
	for i, name := range []string{"Aisha Al Harthy", "Salim Al Hinai"} {
		w := safeer.Workshop{TitleAr: "ورشة", TitleEn: "Workshop " + name, Date: "2026-11-0" + string(rune('1'+i)), Hours: 2, Capacity: 10,
			Governorate: "OM-MA", Wilayat: "Muscat"}
		if err := s.AddWorkshop(ctx, &w); err != nil {
			t.Fatal(err)
		}
		p := safeer.Person{NameAr: "اسم", NameEn: name, Governorate: "OM-MA", Wilayat: "Muscat", Phone: "9123456" + string(rune('0'+i)), Gender: "female"}
		if err := s.AddPerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.IssueCertificates(ctx, w.ID, signer)
		if err != nil || len(rep.Issued) != 1 {
			t.Fatalf("issue: %v", err)
		}
		certs, workshops = append(certs, rep.Issued[0]), append(workshops, w.ID)
	}
	// HQ's credentials for them, as a pull delivers them.
	hqClock := protocol.NewClock(protocol.HQDevice, protocol.HLC{}, time.Now)
	var changes []protocol.Change
	for i, c := range certs {
		stamp := hqClock.Now().String()
		changes = append(changes, protocol.Change{Seq: int64(100 + i), Table: "credential", RowID: c.ID, Fields: map[string]protocol.Field{
			"certificate_id": {Value: c.ID, HLC: stamp}, "code": {Value: c.Code, HLC: stamp},
			"jwt": {Value: "eyJhbGciOiJFZERTQSJ9.token-" + c.Code + ".sig", HLC: stamp}, "revoked_at": {Value: "", HLC: stamp}}})
	}
	if err := s.ApplyChanges(ctx, changes, "", hqClock.Now().String()); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if code, _, _ := run(t, db, "certificates", "export"); code != 2 {
		t.Fatalf("without --open-badges: exit %d", code)
	}
	dir := filepath.Join(t.TempDir(), "badges")
	out := mustRun(t, db, "certificates", "export", "--open-badges", dir)
	if !strings.Contains(out, "2 credentials written") {
		t.Fatalf("output %q", out)
	}
	for _, c := range certs {
		path := filepath.Join(dir, "safeer-"+certificate.FormatCode(c.Code)+".jwt")
		b, err := os.ReadFile(path)
		if err != nil || string(b) != "eyJhbGciOiJFZERTQSJ9.token-"+c.Code+".sig" {
			t.Fatalf("%s: %q %v", path, b, err)
		}
		if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s is %v", path, fi.Mode().Perm())
		}
		img, err := os.ReadFile(strings.TrimSuffix(path, ".jwt") + ".png")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Fatalf("the badge is no PNG: %v", err)
		}
		if tok, ok, err := credential.FromPNG(img); err != nil || !ok || tok != string(b) {
			t.Fatalf("the badge holds %q %v %v", tok, ok, err)
		}
	}
	one := filepath.Join(t.TempDir(), "one")
	mustRun(t, db, "certificates", "export", "--open-badges", one, "--workshop", workshops[1])
	if entries, _ := os.ReadDir(one); len(entries) != 2 || entries[0].Name() != "safeer-"+certificate.FormatCode(certs[1].Code)+".jwt" {
		t.Fatalf("one workshop's: %v", entries)
	}
	// Revoked on the device: left out at once.
	mustRun(t, db, "certificates", "revoke", certs[0].Code, "--reason", "attendance recorded in error")
	var got struct {
		Credentials int      `json:"credentials"`
		Files       []string `json:"files"`
	}
	jsonOut(t, mustRun(t, db, "--json", "certificates", "export", "--open-badges", filepath.Join(t.TempDir(), "after")), &got)
	if got.Credentials != 1 || len(got.Files) != 2 || !strings.HasSuffix(got.Files[0], certificate.FormatCode(certs[1].Code)+".jwt") {
		t.Fatalf("after a revocation: %+v", got)
	}
	// Revoked at HQ, as the next pull says: left out too.
	s = openDB(t, db)
	stamp := hqClock.Now().String()
	if err := s.ApplyChanges(ctx, []protocol.Change{{Seq: 200, Table: "credential", RowID: certs[1].ID,
		Fields: map[string]protocol.Field{"revoked_at": {Value: "2026-12-01T10:00:00Z", HLC: stamp}}}}, "", stamp); err != nil {
		t.Fatal(err)
	}
	s.Close()
	jsonOut(t, mustRun(t, db, "--json", "certificates", "export", "--open-badges", filepath.Join(t.TempDir(), "none")), &got)
	if got.Credentials != 0 {
		t.Fatalf("after HQ's revocation: %+v", got)
	}
}
