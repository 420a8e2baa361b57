package ui

import (
	"context"
	"fmt"
	"fyne.io/fyne/v2/test"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// demoStore is a small programme: people in two governorates, workshops
// over the last months with attendance, certificates for some.
func demoStore(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	more := []safeer.Person{
		{NameAr: "مريم الهنائية", NameEn: "Maryam Al Hinai", Governorate: "OM-MA", Wilayat: "Bawshar", Phone: "99887766", Gender: "female"},
		{NameAr: "خالد الراشدي", NameEn: "Khalid Al Rashdi", Governorate: "OM-MA", Wilayat: "Muttrah", Phone: "95554444", Gender: "male"},
		{NameAr: "عائشة الكندية", NameEn: "Aisha Al Kindi", Governorate: "OM-MA", Wilayat: "As Seeb", Gender: "female"},
		{NameAr: "يوسف المعمري", NameEn: "Yousuf Al Maamari", Governorate: "OM-MA", Wilayat: "Muscat", Phone: "96667777"},
		{NameAr: "شيخة العبرية", NameEn: "", Governorate: "OM-MA", Wilayat: "Bawshar"},
		{NameAr: "", NameEn: "Sara Johnson", Governorate: "OM-MA", Wilayat: "Muscat", Kind: "guest"},
	}
	people = append(people, addPeople(t, s, more...)...)
	now := time.Now()
	titles := [][2]string{
		{"أساسيات المدن الذكية", "Smart city basics"},
		{"البيانات المفتوحة", "Open data"},
		{"التنقل الذكي", "Smart mobility"},
		{"الطاقة المتجددة في الأحياء", "Renewable energy in neighbourhoods"},
		{"السلامة الرقمية", "Digital safety"},
	}
	wilayats := []string{"Muscat", "As Seeb", "Bawshar", "Muttrah", "Muscat"}
	var last safeer.Workshop
	for i, ti := range titles {
		d := now.AddDate(0, -2*(len(titles)-1-i), -3)
		w := addWorkshop(t, s, safeer.Workshop{TitleAr: ti[0], TitleEn: ti[1], Date: d.Format("2006-01-02"),
			Hours: 3, MinHours: 2, Capacity: 25, Governorate: "OM-MA", Wilayat: wilayats[i], Status: safeer.WorkshopHeld,
			Venue: "Knowledge Oasis", Facilitator: "Dr. Huda"})
		for j, p := range people {
			if (i+j)%3 == 2 {
				continue
			}
			a := safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}
			if j == 4 {
				a.Hours = 1
			}
			if err := s.Attend(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		if i < 2 {
			signer, err := s.Signer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.IssueCertificates(ctx, w.ID, signer); err != nil {
				t.Fatal(err)
			}
		}
		last = w
	}
	_ = last
	addConflict(t, s, people[1], "+96892223334", "+96892223335")
	addWorkshop(t, s, safeer.Workshop{TitleAr: "ورشة الذكاء الاصطناعي للشباب", TitleEn: "AI for young people",
		Date: now.Format("2006-01-02"), Hours: 2, Capacity: 20, Governorate: "OM-MA", Wilayat: "As Seeb"})
	return s
}

// TestScreenshots saves every screen and dialog of the tour in English and
// Arabic as PNGs when SAFEER_UI_CAPTURE names a folder (make screenshots):
// NAME-LANG.png at 1366×768, NAME-LANG-1024x600.png at 1024×600.
func TestScreenshots(t *testing.T) {
	if os.Getenv("SAFEER_UI_CAPTURE") == "" {
		t.Skip("set SAFEER_UI_CAPTURE to a folder to save screenshots")
	}
	for _, l := range []Lang{English, Arabic} {
		for i, size := range layoutSizes {
			suffix := "-" + string(l)
			if i > 0 {
				suffix += fmt.Sprintf("-%.0fx%.0f", size.Width, size.Height)
			}
			u := openUI(t, longStore(t), l, size)
			tour(t, u, l, func(name string) { capture(t, u, name+suffix) })
			u.Close()
			u = openUI(t, testStore(t), l, size)
			firstStartTour(t, u, func(name string) { capture(t, u, name+suffix) })
			u.Close()
			lockTour(t, l, size, func(u *UI, name string) { capture(t, u, name+suffix) })
			refusedScreen(t, l, size, func(u *UI) { capture(t, u, "sync-refused"+suffix) })
		}
	}
	// The question Enter asks about namesakes, on a store of its own so
	// the demo roster stays as it is.
	for _, l := range []Lang{English, Arabic} {
		s, _, w := namesakeStore(t)
		u := newTestUI(t, s, l)
		u.show(screenCheckIn)
		enterNamesakes(t, u, w)
		capture(t, u, "checkin-namesakes-"+string(l))
	}
	// The first issue's question about the signatory, and an issue refused
	// for a workshop with no Arabic title and no wilayat.
	for _, l := range []Lang{English, Arabic} {
		s := testStore(t)
		attendedWorkshop(t, s, safeer.Workshop{TitleEn: "Open data", Governorate: "OM-MA"})
		u := newTestUI(t, s, l)
		u.app.Preferences().SetString(prefCertsDir, t.TempDir())
		u.show(screenCertificates)
		c := u.certificates
		eventually(t, "eligibility", func() bool { return len(c.eligible) == 1 })
		// The temporary folder of the test is no one's business.
		c.folder.SetText(filepath.Join("Documents", "Safeer certificates"))
		c.issueAll()
		capture(t, u, "certificates-signatory-"+string(l))
		entries := overlayEntries(t, u)
		entries[0].SetText("هدى بنت سالم الرواحية")
		entries[1].SetText("Dr. Huda bint Salim Al Rawahi")
		tapDialogButton(t, u, l.pick("Save and issue", "حفظ وإصدار"))
		eventually(t, "refused", func() bool { return !c.running && c.fixWorkshop.Visible() })
		capture(t, u, "certificates-refused-"+string(l))
	}
	// Mixed Arabic text typed in the workshop form's fields (issue 11,
	// point 7): drawn in reading order, right-aligned in Arabic, the caret
	// where the text is being typed; and the file chooser in Arabic.
	for _, l := range []Lang{English, Arabic} {
		u := newTestUI(t, testStore(t), l)
		u.show(screenWorkshops)
		u.workshops.create()
		f := u.workshops.form
		f.titleAr.SetText("ورشة IoT للمبتدئين")
		f.titleEn.SetText("IoT for beginners")
		f.topic.SetText("الهاتف (968) 9123 4567")
		f.facilitator.SetText("مريم — Maryam")
		f.venue.SetText("")
		u.focus(f.venue)
		test.Type(f.venue, "جامعة نزوى - القاعة 4")
		settle(u)
		capture(t, u, "workshop-entries-"+string(l))
	}
	u := newTestUI(t, testStore(t), Arabic)
	u.show(screenPeople)
	w := newImportWizard(u, nil)
	w.show()
	w.browse()
	settle(u)
	capture(t, u, "file-chooser-ar")
}
