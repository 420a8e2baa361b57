//go:build unix

package ui

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
)

// TestCertificatePDFsPrivate issues and reprints certificates from the
// screen under umask 0, into a certificates folder that does not exist yet:
// the folder must be made 0700 and each PDF 0600.
func TestCertificatePDFsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := addWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data",
		Date: time.Now().AddDate(0, 0, -1).Format("2006-01-02"), Hours: 3, Governorate: "OM-MA", Wilayat: "Muscat"})
	a := safeer.Attendance{WorkshopID: w.ID, PersonID: people[0].ID, Hours: 3}
	if err := s.Attend(ctx, &a); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, English)
	root := t.TempDir()
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "Safeer certificates")
	u.app.Preferences().SetString(prefCertsDir, dir)
	u.saveSignatory("هدى الرواحية", "Huda Al Rawahi")
	u.show(screenCertificates)
	c := u.certificates
	eventually(t, "eligibility", func() bool { return len(c.eligible) == 1 })
	c.issueAll()
	eventually(t, "issued", func() bool { return !c.running && c.lastPDF != "" })
	eventually(t, "issued list", func() bool { return len(c.issued) == 1 })
	issued := c.lastPDF
	c.reprint(c.issued[0])
	eventually(t, "reprinted", func() bool { return c.lastPDF != issued })

	for _, f := range []string{issued, c.lastPDF} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, m)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("certificates folder: %v %v, want 0700", fi.Mode().Perm(), err)
	}
}
