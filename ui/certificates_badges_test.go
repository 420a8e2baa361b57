package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/protocol"
)

// issuedWorkshop adds a workshop two test people attended and issues their
// certificates.
func issuedWorkshop(t *testing.T, s *data.Store) (safeer.Workshop, []data.CertificateRow) {
	t.Helper()
	ctx := context.Background()
	people := addPeople(t, s, testPeople[0], testPeople[1])
	w := addWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data",
		Date: time.Now().AddDate(0, 0, -1).Format("2006-01-02"), Hours: 2, Governorate: "OM-MA", Wilayat: "Muscat"})
	for _, p := range people {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.IssueCertificates(ctx, w.ID, signer)
	if err != nil || len(rep.Issued) != 2 {
		t.Fatalf("issue: %v", err)
	}
	return w, rep.Issued
}

// pullCredentials stores HQ's credentials for certs as a pull delivers
// them, and returns their tokens.
func pullCredentials(t *testing.T, s *data.Store, certs ...data.CertificateRow) []string {
	t.Helper()
	clock := protocol.NewClock(protocol.HQDevice, protocol.HLC{}, time.Now)
	var changes []protocol.Change
	var tokens []string
	for i, c := range certs {
		stamp := clock.Now().String()
		token := "eyJhbGciOiJFZERTQSJ9.token-" + c.Code + ".sig"
		tokens = append(tokens, token)
		changes = append(changes, protocol.Change{Seq: int64(100 + i), Table: "credential", RowID: c.ID, Fields: map[string]protocol.Field{
			"certificate_id": {Value: c.ID, HLC: stamp}, "code": {Value: c.Code, HLC: stamp},
			"jwt": {Value: token, HLC: stamp}, "revoked_at": {Value: "", HLC: stamp}}})
	}
	if err := s.ApplyChanges(context.Background(), changes, "", clock.Now().String()); err != nil {
		t.Fatal(err)
	}
	return tokens
}

// TestSaveOpenBadges: before HQ's credentials arrive the screen says, in
// the user's language, that HQ issues them once the certificates reach it
// and nothing is written; once pulled, "Save Open Badges credentials…"
// writes a .jwt and a baked badge per certificate (0600), and a
// certificate's own save says when its credential has not arrived, and
// writes that one alone once it has.
func TestSaveOpenBadges(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			s := testStore(t)
			w, certs := issuedWorkshop(t, s)
			u := newTestUI(t, s, l)
			u.app.Preferences().SetString(prefCertsDir, t.TempDir())
			u.certificates.setWorkshop(w.ID)
			u.show(screenCertificates)
			c := u.certificates
			eventually(t, "issued list", func() bool { return len(c.issued) == 2 })

			// The workshop's button and a certificate's ask for a folder.
			for _, b := range []*widget.Button{c.badges, findButton(c.issuedBox, u.T("certs.badge"))} {
				if b == nil {
					t.Fatal("no button for a certificate's credential")
				}
				test.Tap(b)
				top := u.win.Canvas().Overlays().Top()
				if top == nil {
					t.Fatalf("%q shows no folder chooser", b.Text)
				}
				u.win.Canvas().Overlays().Remove(top)
			}

			none := filepath.Join(t.TempDir(), "none")
			c.writeBadges(none, nil)
			if !c.progress.Visible() || !c.badges.Disabled() {
				t.Fatal("no progress while saving")
			}
			eventually(t, "saved", func() bool { return !c.savingBadges })
			want := l.pick("HQ issues the digital credentials after the certificates reach it; sync, then try again.",
				"يُصدر المقر الشهادات الرقمية بعد وصول الشهادات إليه؛ زامِن ثم حاول مرة أخرى.")
			if !strings.Contains(c.message.Logical(), want) {
				t.Fatalf("without credentials: %q", c.message.Logical())
			}
			if _, err := os.Stat(none); !os.IsNotExist(err) {
				t.Fatalf("a folder was made without credentials: %v", err)
			}

			// HQ's credential for the first certificate arrives.
			tokens := pullCredentials(t, s, certs[0])
			dir := filepath.Join(t.TempDir(), "badges")
			c.writeBadges(dir, nil)
			eventually(t, "saved", func() bool { return !c.savingBadges })
			if c.progress.Value != 1 {
				t.Fatalf("progress ended at %v", c.progress.Value)
			}
			want = l.pick("1 digital credential saved, as a JWT file and a PNG badge.", "حُفظت شهادة رقمية واحدة، في ملف JWT وصورة شارة PNG.")
			if !strings.Contains(c.message.Logical(), want) || !strings.Contains(c.message.Logical(), dir) {
				t.Fatalf("after saving: %q", c.message.Logical())
			}
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) != 2 {
				t.Fatalf("the folder holds %v (%v)", entries, err)
			}
			base := filepath.Join(dir, "safeer-"+certificate.FormatCode(certs[0].Code))
			jwt, err := os.ReadFile(base + ".jwt")
			if err != nil || string(jwt) != tokens[0] {
				t.Fatalf("%s.jwt: %q %v", base, jwt, err)
			}
			img, err := os.ReadFile(base + ".png")
			if err != nil {
				t.Fatal(err)
			}
			if tok, ok, err := credential.FromPNG(img); err != nil || !ok || tok != tokens[0] {
				t.Fatalf("the badge holds %q %v %v", tok, ok, err)
			}
			for _, e := range entries {
				if fi, _ := e.Info(); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
					t.Fatalf("%s is %v", e.Name(), fi.Mode().Perm())
				}
			}

			// The second certificate's own: not arrived yet, named by code.
			other := filepath.Join(t.TempDir(), "other")
			row := certs[1]
			c.writeBadges(other, &row)
			eventually(t, "saved", func() bool { return !c.savingBadges })
			code := certificate.FormatCode(certs[1].Code)
			if !strings.Contains(c.message.Logical(), code) || !strings.Contains(c.message.Logical(), l.pick("has not arrived yet", "لم تصل بعد")) {
				t.Fatalf("one certificate without a credential: %q", c.message.Logical())
			}
			if _, err := os.Stat(other); !os.IsNotExist(err) {
				t.Fatalf("a folder was made without a credential: %v", err)
			}

			// Once it arrives, that certificate's own save writes it alone.
			pullCredentials(t, s, certs[1])
			c.writeBadges(other, &row)
			eventually(t, "saved", func() bool { return !c.savingBadges })
			entries, err = os.ReadDir(other)
			if err != nil || len(entries) != 2 || entries[0].Name() != "safeer-"+code+".jwt" || entries[1].Name() != "safeer-"+code+".png" {
				t.Fatalf("one certificate's folder holds %v (%v)", entries, err)
			}
		})
	}
}
