package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer/data"
)

func testStore(t *testing.T) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "ui.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, p := range []data.Person{
		{NameAr: "أحمد البلوشي", NameEn: "Ahmed Al Balushi", Governorate: "OM-MA", Phone: "91234567"},
		{NameAr: "فاطمة الزدجالية", NameEn: "Fatima Al Zadjali", Governorate: "OM-MA"},
		{NameAr: "سالم الحارثي", NameEn: "Salim Al Harthy", Governorate: "OM-SS"},
	} {
		if err := s.AddPerson(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// eventually waits for cond, checked on Fyne's goroutine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestRosterSearchNarrowsTheList(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	s := testStore(t)
	r := newRosterScreen(context.Background(), s)
	w := test.NewWindow(r.content())
	defer w.Close()
	w.Resize(fyne.NewSize(800, 400))
	r.refresh()
	eventually(t, "three people listed", func() bool { return r.list.Length() == 3 })

	test.Type(r.search, "احمد") // no hamza: still finds أحمد
	eventually(t, "one match", func() bool { return r.list.Length() == 1 && r.results[0].NameEn == "Ahmed Al Balushi" })
	if r.count.Text != "1" {
		t.Fatalf("count label %q", r.count.Text)
	}
	if dir := os.Getenv("SAFEER_UI_CAPTURE"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "roster.png"))
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	}
}
