package data

import (
	"context"
	"errors"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
)

// TestIssueToPrint: a workshop that would print blanks is refused with
// nothing issued; complete, every eligible attendee gets a signed
// certificate, in name order, and the second time the same ones come back
// as reprints.
func TestIssueToPrint(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	w := safeer.Workshop{TitleEn: "Smart Cities", Date: "2026-11-29", Hours: 3, Governorate: "OM-DA", Wilayat: "Nizwa"}
	if err := s.AddWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	zainab := mustAdd(t, s, safeer.Person{NameAr: "زينب الهنائية", NameEn: "Zainab Al Hinai", Governorate: "OM-DA"})
	ali := mustAdd(t, s, safeer.Person{NameAr: "علي العبري", Governorate: "OM-DA"})
	for _, p := range []safeer.Person{zainab, ali} {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := certificate.DefaultTemplate()
	tmpl.Vars["signatory_name_ar"], tmpl.Vars["signatory_name_en"] = "سالم الهنائي", "Salim Al Hinai"

	_, _, err := s.IssueToPrint(ctx, w.ID, tmpl) // no Arabic title
	var ie *IncompleteError
	if !errors.As(err, &ie) || len(ie.Gaps) != 1 || ie.Gaps[0].Field != "title_ar" {
		t.Fatalf("want the Arabic title missing, got %v", err)
	}
	if certs, err := s.WorkshopCertificates(ctx, w.ID); err != nil || len(certs) != 0 {
		t.Fatalf("refused, yet %d certificates issued (%v)", len(certs), err)
	}

	w.TitleAr = "المدن الذكية"
	if err := s.UpdateWorkshop(ctx, &w); err != nil {
		t.Fatal(err)
	}
	rep, signed, err := s.IssueToPrint(ctx, w.ID, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issued) != 2 || len(signed) != 2 {
		t.Fatalf("issued %d, signed %d", len(rep.Issued), len(signed))
	}
	for i, want := range []string{"زينب الهنائية", "علي العبري"} { // ز before ع
		if signed[i].PersonNameAr != want {
			t.Errorf("certificate %d is %s, want %s", i, signed[i].PersonNameAr, want)
		}
		if res := certificate.VerifyPayload(signed[i].Payload, nil, nil); res.Record.Code != signed[i].Code || res.Status == certificate.StatusTampered || res.Status == certificate.StatusMalformed {
			t.Errorf("certificate %d: %v", i, res.Status)
		}
	}
	rep, again, err := s.IssueToPrint(ctx, w.ID, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issued) != 0 || len(rep.Reprints) != 2 || len(again) != 2 || again[0].Code != signed[0].Code || again[1].Code != signed[1].Code {
		t.Fatalf("second issue: issued %d, reprints %d", len(rep.Issued), len(rep.Reprints))
	}
}
