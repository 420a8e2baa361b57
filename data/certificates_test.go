package data

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
)

func TestIssueCertificates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	w := safeer.Workshop{TitleAr: "مقدمة في المدن الذكية", TitleEn: "Introduction to Smart Cities", Date: "2026-11-20",
		Hours: 3, MinHours: 2, Governorate: "OM-DA", Wilayat: "Nizwa"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	zainab := mustAdd(t, s, safeer.Person{NameAr: "زينب الهنائية", NameEn: "Zainab Al Hinai", Governorate: "OM-DA"})
	ali := mustAdd(t, s, safeer.Person{NameAr: "علي العبري", Governorate: "OM-DA"})
	late := mustAdd(t, s, safeer.Person{NameAr: "سعيد المعمري", Governorate: "OM-DA"})
	away := mustAdd(t, s, safeer.Person{NameAr: "أسماء الريامية", Governorate: "OM-DA"})
	for _, a := range []safeer.Attendance{
		{WorkshopID: w.ID, PersonID: zainab.ID},
		{WorkshopID: w.ID, PersonID: ali.ID, Hours: 2},
		{WorkshopID: w.ID, PersonID: late.ID, Hours: 1},
		{WorkshopID: w.ID, PersonID: away.ID, Status: safeer.Absent},
	} {
		if err := s.Attend(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.KeyPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", fi, err)
	}
	// Enrolled: HQ has endorsed the device's key.
	hqPub, hqPriv, _ := ed25519.GenerateKey(nil)
	signer.Endorsement = certificate.Endorse(hqPriv, signer.DeviceID, signer.Key.Public().(ed25519.PublicKey))
	rep, err := s.IssueCertificates(ctx, w.ID, signer)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issued) != 2 || len(rep.Skipped) != 2 || len(rep.Reprints) != 0 {
		t.Fatalf("issued %d, skipped %+v", len(rep.Issued), rep.Skipped)
	}
	reasons := map[string]string{}
	for _, sk := range rep.Skipped {
		reasons[sk.PersonID] = sk.Reason
		if sk.En == "" || sk.Ar == "" {
			t.Errorf("skip without words: %+v", sk)
		}
	}
	if reasons[late.ID] != SkipTooFewHours || reasons[away.ID] != SkipNotPresent {
		t.Fatalf("skip reasons %v", reasons)
	}
	// Sorted by name: زينب before علي.
	certs := rep.Certificates()
	if certs[0].Snapshot.PersonNameAr != zainab.NameAr || certs[1].Snapshot.PersonNameAr != ali.NameAr {
		t.Fatalf("order: %s, %s", certs[0].Snapshot.PersonNameAr, certs[1].Snapshot.PersonNameAr)
	}
	if certs[0].Snapshot.WilayatAr != "نزوى" {
		t.Fatalf("snapshot %+v", certs[0].Snapshot)
	}
	// What was issued verifies offline with HQ's public key.
	res := certificate.VerifyPayload(certs[0].Payload, hqPub, s.Revoked(ctx))
	if res.Status != certificate.StatusValid || res.Record.PersonNameEn != "Zainab Al Hinai" {
		t.Fatalf("verify: %s %v", res.Status, res.Err)
	}

	// Issuing again reprints; nothing new is recorded.
	before := len(outbox(t, s))
	rep2, err := s.IssueCertificates(ctx, w.ID, signer)
	if err != nil || len(rep2.Issued) != 0 || len(rep2.Reprints) != 2 {
		t.Fatalf("second issue: %+v %v", rep2, err)
	}
	if len(outbox(t, s)) != before {
		t.Fatal("a reprint recorded changes")
	}

	// A name correction makes a new certificate that names the old one,
	// which is revoked.
	ali.NameAr = "علي بن حمد العبري"
	if err := s.UpdatePerson(ctx, &ali); err != nil {
		t.Fatal(err)
	}
	rep3, err := s.IssueCertificates(ctx, w.ID, signer)
	if err != nil || len(rep3.Issued) != 1 || len(rep3.Reprints) != 1 {
		t.Fatalf("after correction: %+v %v", rep3, err)
	}
	old := certs[1]
	if rep3.Issued[0].ReissueOf != old.Code {
		t.Fatalf("reissue_of %q, want %q", rep3.Issued[0].ReissueOf, old.Code)
	}
	got, _ := s.CertificateByCode(ctx, old.Code)
	if got.RevokedAt == "" {
		t.Fatal("replaced certificate not revoked")
	}
	if res := certificate.VerifyPayload(old.Payload, hqPub, s.Revoked(ctx)); res.Status != certificate.StatusRevoked {
		t.Fatalf("old certificate verifies as %s", res.Status)
	}

	// Revocation by code, in any spelling; twice is an error; a reason is needed.
	z := certs[0].Code
	if _, err := s.RevokeCertificate(ctx, z, ""); err == nil {
		t.Fatal("revoked without a reason")
	}
	if _, err := s.RevokeCertificate(ctx, certificate.FormatCode(z), "issued by mistake"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeCertificate(ctx, z, "again"); !errors.Is(err, ErrAlreadyRevoked) {
		t.Fatalf("second revoke: %v", err)
	}
	ops := outbox(t, s)
	if last := ops[len(ops)-1].Op; last.Table != "certificate" || last.Fields["revoked_reason"].Value != "issued by mistake" {
		t.Fatalf("revocation op %+v", last)
	}
}
