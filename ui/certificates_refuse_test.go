package ui

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// attendedWorkshop adds w and checks the first test person in.
func attendedWorkshop(t *testing.T, s *data.Store, w safeer.Workshop) safeer.Workshop {
	t.Helper()
	people := addPeople(t, s, testPeople[0])
	w.Date = time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	w.Hours = 2
	w = addWorkshop(t, s, w)
	if err := s.Attend(context.Background(), &safeer.Attendance{WorkshopID: w.ID, PersonID: people[0].ID}); err != nil {
		t.Fatal(err)
	}
	return w
}

func certsOf(t *testing.T, s *data.Store, w safeer.Workshop) int {
	t.Helper()
	rows, err := s.WorkshopCertificates(context.Background(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// TestIssueRefusedNamesField: a workshop with no Arabic title and no
// wilayat is not issued; the screen names both fields in the user's
// language and its button opens the workshop's form.
func TestIssueRefusedNamesField(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			s := testStore(t)
			w := attendedWorkshop(t, s, safeer.Workshop{TitleEn: "Open data", Governorate: "OM-MA"})
			u := newTestUI(t, s, l)
			u.app.Preferences().SetString(prefCertsDir, t.TempDir())
			u.saveSignatory("هدى الرواحية", "Huda Al Rawahi")
			u.show(screenCertificates)
			c := u.certificates
			eventually(t, "eligibility", func() bool { return len(c.eligible) == 1 })
			c.issueAll()
			eventually(t, "refused", func() bool { return !c.running && c.fixWorkshop.Visible() })
			for _, want := range map[Lang][]string{
				English: {"the workshop's Arabic title", "the workshop's wilayat"},
				Arabic:  {"عنوان الورشة بالعربية", "ولاية الورشة"},
			}[l] {
				if !strings.Contains(c.message.Logical(), want) {
					t.Errorf("message %q lacks %q", c.message.Logical(), want)
				}
			}
			if strings.Contains(c.message.Logical(), l.pick("signatory", "الموقّع")) || c.fixSettings.Visible() {
				t.Errorf("the signatory is set, yet: %q", c.message.Logical())
			}
			if n := certsOf(t, s, w); n != 0 || c.lastPDF != "" {
				t.Fatalf("%d certificates issued, PDF %q", n, c.lastPDF)
			}
			test.Tap(c.fixWorkshop)
			settle(u)
			if u.current != screenWorkshops || u.workshops.form.w.ID != w.ID || u.workshops.form.titleEn.Text != "Open data" {
				t.Fatalf("fix opened %s, form on %q", u.current, u.workshops.form.w.ID)
			}
		})
	}
}

// overlayEntries are the entries of the window's top overlay, in order.
func overlayEntries(t *testing.T, u *UI) []*entry {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	var out []*entry
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *entry:
			out = append(out, x)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	return out
}

// TestSignatoryAskedOnce: the first issue asks who signs, in both
// languages, keeps the answer with the certificate's texts and issues; the
// next issue does not ask; a signatory emptied later is refused by name
// with a way to the settings, not asked again.
func TestSignatoryAskedOnce(t *testing.T) {
	s := testStore(t)
	w := attendedWorkshop(t, s, safeer.Workshop{TitleAr: "البيانات المفتوحة", TitleEn: "Open data", Governorate: "OM-MA", Wilayat: "Muscat"})
	u := newTestUI(t, s, English)
	u.app.Preferences().SetString(prefCertsDir, t.TempDir())
	u.show(screenCertificates)
	c := u.certificates
	eventually(t, "eligibility", func() bool { return len(c.eligible) == 1 })
	c.issueAll()
	entries := overlayEntries(t, u)
	if len(entries) != 2 || c.running {
		t.Fatalf("%d entries in the dialog, running %v", len(entries), c.running)
	}
	entries[0].SetText("هدى الرواحية")
	entries[1].SetText("Huda Al Rawahi")
	tapDialogButton(t, u, "Save and issue")
	eventually(t, "issued", func() bool { return !c.running && c.lastPDF != "" })
	if n := certsOf(t, s, w); n != 1 {
		t.Fatalf("%d certificates", n)
	}
	tmpl := u.template()
	if tmpl.Vars["signatory_name_ar"] != "هدى الرواحية" || tmpl.Vars["signatory_name_en"] != "Huda Al Rawahi" ||
		u.settings.vars["signatory_name_en"].Text != "Huda Al Rawahi" {
		t.Fatalf("signatory kept as %q %q", tmpl.Vars["signatory_name_ar"], tmpl.Vars["signatory_name_en"])
	}

	c.issueAll() // a reprint: no question this time
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		t.Fatal("asked for the signatory a second time")
	}
	eventually(t, "reprinted", func() bool { return !c.running })

	u.saveSignatory("", "Huda Al Rawahi")
	c.issueAll()
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		t.Fatal("asked again for an emptied signatory")
	}
	eventually(t, "refused", func() bool { return !c.running && c.fixSettings.Visible() })
	if !strings.Contains(c.message.Logical(), "the signatory's name in Arabic") || c.fixWorkshop.Visible() {
		t.Fatalf("message %q", c.message.Logical())
	}
	test.Tap(c.fixSettings)
	if u.current != screenSettings {
		t.Fatalf("fix opened %s", u.current)
	}
}

// TestOpenPDFWithoutViewer: when nothing can open the PDF, the screen says
// so with the file's name and offers its folder, which it opens.
func TestOpenPDFWithoutViewer(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	c := u.certificates
	var opened []string
	c.openURL = func(l *url.URL) error {
		opened = append(opened, l.String())
		if strings.HasSuffix(l.Path, ".pdf") {
			return errors.New(`exec: "xdg-open": executable file not found in $PATH`)
		}
		return nil
	}
	u.show(screenCertificates)
	pdf := filepath.Join(t.TempDir(), "Open data 2026-11-29.pdf")
	c.lastPDF = pdf
	c.open.Show()
	test.Tap(c.open)
	if !strings.Contains(c.message.Logical(), "No program to open PDFs") || !strings.Contains(c.message.Logical(), pdf) || !c.showFolder.Visible() {
		t.Fatalf("message %q, folder button %v", c.message.Logical(), c.showFolder.Visible())
	}
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		t.Fatal("an error dialog instead of words in the window")
	}
	test.Tap(c.showFolder)
	if len(opened) != 2 || !strings.HasPrefix(opened[1], "file://") || strings.HasSuffix(opened[1], ".pdf") ||
		!strings.Contains(opened[1], filepath.Base(filepath.Dir(pdf))) {
		t.Fatalf("opened %v", opened)
	}
}
