package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
)

// TestIssueCertificatesShowsProgress issues a workshop's certificates from
// the screen: the eligible and the not eligible (with why) are listed, the
// progress bar runs to the end, the PDF is written and can be opened.
func TestIssueCertificatesShowsProgress(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := addWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data",
		Date: time.Now().AddDate(0, 0, -1).Format("2006-01-02"), Hours: 3, MinHours: 2, Governorate: "OM-MA", Wilayat: "Muscat"})
	for i, p := range people {
		a := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID, Hours: []float64{3, 2.5, 1}[i]}
		if err := s.Attend(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	u := newTestUI(t, s, English)
	dir := t.TempDir()
	u.app.Preferences().SetString(prefCertsDir, dir)
	u.saveSignatory("هدى الرواحية", "Huda Al Rawahi")
	u.show(screenCertificates)
	c := u.certificates
	eventually(t, "eligibility", func() bool { return len(c.eligible) == 2 && len(c.skipped) == 1 })
	if c.eligibleN.Text != "Eligible (2)" || c.skippedN.Text != "Not eligible (1)" {
		t.Fatalf("headings %q %q", c.eligibleN.Text, c.skippedN.Text)
	}
	if why := c.skipped[0]; why.PersonID != people[2].ID || why.En == "" {
		t.Fatalf("skipped %+v", why)
	}
	if !strings.Contains(allText(c.skippedBox), "Salim Al Harthy") {
		t.Fatalf("not eligible list shows %q", allText(c.skippedBox))
	}

	var seen []float64
	c.issueAll()
	if !c.progress.Visible() || c.issue.Disabled() == false {
		t.Fatal("no progress while issuing")
	}
	eventually(t, "issued", func() bool {
		seen = append(seen, c.progress.Value)
		return !c.running
	})
	if c.progress.Value != 1 {
		t.Fatalf("progress ended at %v (saw %v)", c.progress.Value, seen)
	}
	if !strings.Contains(c.message.Text, "Issued: 2.") || !c.open.Visible() {
		t.Fatalf("message %q", c.message.Text)
	}
	pdf, err := os.ReadFile(c.lastPDF)
	if err != nil || filepath.Dir(c.lastPDF) != dir {
		t.Fatalf("PDF %s: %v", c.lastPDF, err)
	}
	if n := len(certificate.RecordsInPDF(pdf)); n != 2 {
		t.Fatalf("%d certificates in the PDF", n)
	}
	eventually(t, "issued list", func() bool { return len(c.issued) == 2 })
	capture(t, u, "certificates-issued-en")

	// Revoke one with a reason.
	code := c.issued[0].Code
	background(u, func(ctx context.Context) (data.CertificateRow, error) {
		return s.RevokeCertificate(ctx, code, "name misspelt")
	}, func(data.CertificateRow, error) { c.load() })
	eventually(t, "revoked", func() bool { return c.issued[0].RevokedAt != "" })
}

// TestCertificateTexts: the texts set in Settings go into the template the
// certificates are printed with.
func TestCertificateTexts(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, Arabic)
	u.show(screenSettings)
	if got := u.settings.vars["signatory_title_ar"].Text; got != "مدير البرنامج" {
		t.Fatalf("default title %q", got)
	}
	u.settings.vars["signatory_name_en"].SetText("Dr. Huda Al Said")
	u.settings.vars["signatory_title_ar"].SetText("")
	u.settings.saveTemplate()
	tmpl := u.template()
	if tmpl.Vars["signatory_name_en"] != "Dr. Huda Al Said" || tmpl.Vars["signatory_title_ar"] != "" ||
		tmpl.Vars["programme_en"] != "Smart City Ambassadors" {
		t.Fatalf("vars %v", tmpl.Vars)
	}
	capture(t, u, "settings-texts-ar")
}
