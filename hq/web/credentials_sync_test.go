package web_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/sync/client"
)

// newIssuingHQ is HQ as safeer-hq serve --public-url builds it: the
// server writes through the credentials' store, the site serves the DID
// document, the revocation list and the credentials it issued, over HTTPS
// by the name example.com.
func newIssuingHQ(t *testing.T) (*credHQ, *hq.Credentials, hq.Store) {
	t.Helper()
	c := &credHQ{}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	c.http = httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(c.http.Listener.Addr().String())
	c.host = "example.com:" + port
	var err error
	if c.issuer, err = web.NewIssuer("https://"+c.host, key); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	raw := sqliteStore(t)
	start := time.Now()
	creds, err := hq.NewCredentials(raw, c.issuer, hq.CredentialOptions{Logger: log, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := hq.NewServer(ctx, creds.Store(), key, hq.Options{Logger: log, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	site, err := web.New(web.Config{Server: srv, Credentials: c.issuer, Issued: creds})
	if err != nil {
		t.Fatal(err)
	}
	c.http.Config.Handler = site.Handler()
	c.http.StartTLS()
	t.Cleanup(c.http.Close)
	return c, creds, raw
}

// issuingDevice is a real device (package data, the sync client) enrolled
// with c for Muscat, holding a workshop with one ambassador present and
// their certificate, synced.
func issuingDevice(t *testing.T, c *credHQ, st hq.Store) (*data.Store, *client.Client, data.CertificateRow) {
	t.Helper()
	dev, err := data.Open(ctx, filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	cl := client.New(dev, client.WithHTTPClient(c.client()), client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	code, _, err := hq.CreateEnrolment(ctx, st, []string{"OM-MA"}, "test device", hq.CLI, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Enrol(ctx, "https://"+c.host, code); err != nil {
		t.Fatal(err)
	}
	w := safeer.Workshop{TitleAr: "مقدمة في المدن الذكية", TitleEn: "Introduction to smart cities", Date: "2026-11-02",
		Hours: 3, Capacity: 30, Governorate: "OM-MA", Wilayat: "Muttrah"}
	if err := dev.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	p := safeer.Person{NameAr: "سالم بن علي الهنائي", NameEn: "Salim Ali Al Hinai", Governorate: "OM-MA", Wilayat: "Muttrah", Phone: "91234567", Gender: "male"}
	if err := dev.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := dev.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
		t.Fatal(err)
	}
	signer, err := dev.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := dev.IssueCertificates(ctx, w.ID, signer)
	if err != nil || len(rep.Issued) != 1 {
		t.Fatalf("issue: %+v %v", rep, err)
	}
	syncDevice(t, cl)
	return dev, cl, rep.Issued[0]
}

func syncDevice(t *testing.T, cl *client.Client) {
	t.Helper()
	if _, err := cl.Sync(context.WithoutCancel(ctx)); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

// The issue's check: the independent implementation (Node.js, jose, ajv)
// verifies the credential HQ issued for a certificate a device synced,
// with HQ's DID document and revocation list as this HQ serves them, and
// reads the certificate's bit before and after the device revokes the
// certificate and syncs.
func TestNodeChecksCredentialAcrossDeviceRevocation(t *testing.T) {
	c, creds, st := newIssuingHQ(t)
	dev, cl, cert := issuingDevice(t, c, st)
	stored, found, err := creds.Of(ctx, cert.ID)
	if err != nil || !found {
		t.Fatalf("HQ issued no credential for the synced certificate: %v", err)
	}
	if revoked, set := nodeCheck(t, c, stored.JWT); revoked || len(set) != 0 {
		t.Fatalf("before the revocation: revoked %v, bits %v", revoked, set)
	}
	// The device pulls it at its next sync (HQ issued it after the push),
	// for safeer certificates export --open-badges.
	syncDevice(t, cl)
	if badges, err := dev.OpenBadges(ctx, ""); err != nil || len(badges) != 1 || badges[0].JWT != stored.JWT || badges[0].Code != cert.Code {
		t.Fatalf("the device holds %+v (%v)", badges, err)
	}
	if _, err := dev.RevokeCertificate(ctx, cert.Code, "attendance recorded in error"); err != nil {
		t.Fatal(err)
	}
	// Revoked on the device only: HQ does not know yet.
	if revoked, _ := nodeCheck(t, c, stored.JWT); revoked {
		t.Fatal("revoked before the device synced")
	}
	syncDevice(t, cl)
	if revoked, set := nodeCheck(t, c, stored.JWT); !revoked || !slices.Equal(set, []int{stored.StatusIndex}) {
		t.Fatalf("after the revocation and a sync: revoked %v, bits %v (the credential's is %d)", revoked, set, stored.StatusIndex)
	}
	if badges, err := dev.OpenBadges(ctx, ""); err != nil || len(badges) != 0 {
		t.Fatalf("the device still hands out %+v (%v)", badges, err)
	}
}
