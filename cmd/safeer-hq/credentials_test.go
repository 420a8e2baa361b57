package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/hq/web"
)

// TestVerifyCredential: safeer-hq verify-credential says valid (exit 0)
// for a credential this HQ issued, as a token or baked in a badge, and
// revoked once the certificate is, not ours for another issuer's, invalid
// for garbage (exit 1 for each); it needs the public address.
func TestVerifyCredential(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "hq.db")
	keyPath, err := hq.DefaultKeyPath(db)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hq.LoadOrCreateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	is, err := web.NewIssuer("https://hq.example.om", key)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := hq.NewCredentials(st, is, hq.CredentialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := hq.NewServer(ctx, creds.Store(), key, hq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	certID := uuid.NewString()
	c := certificate.Certificate{Code: certificate.NewCode(), PersonNameEn: "Aisha", WorkshopTitleEn: "Drones",
		Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Hours: 2, IssuedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
	snap, _ := json.Marshal(c)
	set := func(table, id string, v map[string]any) {
		t.Helper()
		if err := srv.Edit(ctx, func(tx *hq.EditTx) error { _, err := tx.Set(table, id, v); return err }); err != nil {
			t.Fatal(err)
		}
	}
	w, p, a := uuid.NewString(), uuid.NewString(), uuid.NewString()
	set("workshop", w, map[string]any{"title_en": "Drones", "governorate": "OM-MA", "date": "2026-10-01"})
	set("person", p, map[string]any{"name_en": "Aisha", "governorate": "OM-MA"})
	set("attendance", a, map[string]any{"workshop_id": w, "person_id": p, "hours": 2.0})
	set("certificate", certID, map[string]any{"attendance_id": a, "code": c.Code, "snapshot": string(snap)})
	stored, found, err := creds.Of(ctx, certID)
	if err != nil || !found {
		t.Fatalf("no credential: %v", err)
	}
	jwtFile := filepath.Join(dir, "c.jwt")
	os.WriteFile(jwtFile, []byte(stored.JWT+"\n"), 0o600)
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2)))
	baked, err := credential.BakePNG(img.Bytes(), stored.JWT)
	if err != nil {
		t.Fatal(err)
	}
	pngFile := filepath.Join(dir, "badge.png")
	os.WriteFile(pngFile, baked, 0o600)

	verify := func(file string, wantCode int, want string) {
		t.Helper()
		code, out, errOut := run(t, "verify-credential", file, "--public-url", "https://hq.example.om", "--db", db)
		if code != wantCode || !strings.HasPrefix(out, want) {
			t.Fatalf("verify-credential %s: exit %d, %q %q; want %d, %s", filepath.Base(file), code, out, errOut, wantCode, want)
		}
	}
	verify(jwtFile, exitOK, "valid")
	verify(pngFile, exitOK, "valid")
	if code, _, _ := run(t, "verify-credential", jwtFile, "--db", db); code != exitUsage {
		t.Fatalf("without --public-url: exit %d", code)
	}

	other, _ := credential.NewIssuer("https://badges.example.org", "", "Other", ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)))
	foreign, _ := other.Issue(credential.Certificate{ID: "x", PersonID: "y", WorkshopID: "z", NameEn: "Someone", TitleEn: "Welding", Date: "2026-01-01"})
	foreignFile := filepath.Join(dir, "foreign.jwt")
	os.WriteFile(foreignFile, []byte(foreign), 0o600)
	verify(foreignFile, exitFail, "not_ours")
	junk := filepath.Join(dir, "junk.jwt")
	os.WriteFile(junk, []byte("hello"), 0o600)
	verify(junk, exitFail, "invalid")

	set("certificate", certID, map[string]any{"revoked_at": "2026-10-02T08:00:00Z", "revoked_reason": "error"})
	st.Close()
	verify(jwtFile, exitFail, "revoked")
}
