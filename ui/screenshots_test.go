package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// demoStore is a small programme: people in two governorates, workshops
// over the last months with attendance, certificates for some.
func demoStore(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	more := []data.Person{
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
	var last data.Workshop
	for i, ti := range titles {
		d := now.AddDate(0, -2*(len(titles)-1-i), -3)
		w := addWorkshop(t, s, data.Workshop{TitleAr: ti[0], TitleEn: ti[1], Date: d.Format("2006-01-02"),
			Hours: 3, MinHours: 2, Capacity: 25, Governorate: "OM-MA", Wilayat: wilayats[i], Status: data.WorkshopHeld,
			Venue: "Knowledge Oasis", Facilitator: "Dr. Huda"})
		for j, p := range people {
			if (i+j)%3 == 2 {
				continue
			}
			a := data.Attendance{WorkshopID: w.ID, PersonID: p.ID}
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
	addWorkshop(t, s, data.Workshop{TitleAr: "ورشة الذكاء الاصطناعي للشباب", TitleEn: "AI for young people",
		Date: now.Format("2006-01-02"), Hours: 2, Capacity: 20, Governorate: "OM-MA", Wilayat: "As Seeb"})
	return s
}

// TestScreenshots saves every screen in English and Arabic as PNGs when
// SAFEER_UI_CAPTURE names a folder (make screenshots).
func TestScreenshots(t *testing.T) {
	if os.Getenv("SAFEER_UI_CAPTURE") == "" {
		t.Skip("set SAFEER_UI_CAPTURE to a folder to save screenshots")
	}
	s := demoStore(t)
	for _, l := range []Lang{English, Arabic} {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(lightTheme{})
		a.Preferences().SetString(prefLanguage, string(l))
		a.Preferences().SetString(prefCertsDir, t.TempDir())
		w := test.NewTempWindow(t, nil)
		u := New(context.Background(), a, w, s, client.New(s))
		w.Resize(fyne.NewSize(1180, 760))
		settle(u)
		for _, id := range screenOrder {
			u.show(id)
			settle(u)
			switch id {
			case screenPeople:
				u.people.list.Select(0)
			case screenWorkshops:
				u.workshops.list.Select(1)
			case screenCheckIn:
				if l == English {
					for _, q := range []string{"maryam", "khalid", "aisha"} {
						u.checkin.search.SetText(q)
						u.checkin.checkInTop()
						settle(u)
					}
				}
				test.Type(u.checkin.search, "ال")
			case screenSync:
				u.syncScreen.hqURL.SetText("https://hq.smartcity.om")
			}
			settle(u)
			capture(t, u, fmt.Sprintf("%s-%s", id, l))
		}
		moreScreenshots(t, u, l)
		u.Close()
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
}

// moreScreenshots captures the states worth showing besides each screen as
// it opens: a walk-in who is already on the roster, a form with mistakes,
// certificates issued, the import wizard's check.
func moreScreenshots(t *testing.T, u *UI, l Lang) {
	u.show(screenCheckIn)
	settle(u)
	u.checkin.search.SetText("")
	u.checkin.walkIn.open()
	u.checkin.walkIn.name.SetText("Ahmad Balushi")
	u.checkin.walkIn.phone.SetText("9123 4567")
	eventually(t, "duplicate warning", func() bool { return u.checkin.walkIn.dups.visible() })
	capture(t, u, "checkin-walkin-"+string(l))
	u.checkin.walkIn.close()

	u.show(screenPeople)
	u.people.create()
	p := u.people.detail
	p.nameAr.SetText("Ahmed")
	p.phone.SetText("12")
	p.email.SetText("ahmed@")
	p.submit()
	eventually(t, "errors", func() bool { return p.errs["phone"].Visible() })
	capture(t, u, "person-errors-"+string(l))

	u.show(screenCertificates)
	c := u.certificates
	eventually(t, "workshops", func() bool { return len(c.workshops) > 0 })
	for i, w := range c.workshops {
		if w.Present > 0 && i > 0 {
			c.picker.SetSelectedIndex(i)
			break
		}
	}
	eventually(t, "eligibility", func() bool { return len(c.eligible) > 0 })
	c.issueAll()
	eventually(t, "issued", func() bool { return !c.running && len(c.issued) > 0 })
	// The temporary folder of the test is no one's business.
	c.folder.SetText(filepath.Join("Documents", "Safeer certificates"))
	c.message.SetText(strings.Split(c.message.Logical(), "\n")[0])
	capture(t, u, "certificates-issued-"+string(l))

	u.show(screenSync)
	u.syncScreen.showConflicts()
	eventually(t, "conflicts", func() bool { return len(u.syncScreen.conflicts.items) > 0 })
	u.syncScreen.conflicts.list.Select(0)
	capture(t, u, "sync-conflict-"+string(l))

	u.show(screenPeople)
	csv := filepath.Join(t.TempDir(), "roster.csv")
	os.WriteFile(csv, []byte("الاسم,Name,Mobile,Governorate,Wilayat\n"+
		"سعيد الشكيلي,Saeed Al Shukaili,99112233,Muscat,Bawshar\n"+
		"نورة الحبسية,Noura Al Habsi,12,Muscat,Muttrah\n"+
		"أحمد البلوشي,Ahmed Al Balushi,91234567,Muscat,Muscat\n"), 0o644)
	w := newImportWizard(u, nil)
	w.show()
	w.path.SetText(csv)
	w.load()
	eventually(t, "file read", func() bool { return w.table != nil })
	w.start(true)
	eventually(t, "checked", func() bool { return !w.busy && w.problems.Objects != nil })
	w.path.SetText(filepath.Join("Documents", "roster.csv"))
	capture(t, u, "import-"+string(l))
	w.dialog.Hide()
}
