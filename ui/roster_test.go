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

// uiQueue receives what background work hands to Fyne's goroutine; the
// test goroutine runs it (see do).
var uiQueue = make(chan func(), 100)

func init() { do = func(f func()) { uiQueue <- f } }

// eventually runs queued UI work on the test goroutine until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case f := <-uiQueue:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
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
	eventually(t, "one match", func() bool { res := r.snapshot(); return r.list.Length() == 1 && res[0].NameEn == "Ahmed Al Balushi" })
	if r.count.Text != "1" {
		t.Fatalf("count label %q", r.count.Text)
	}
	if dir := os.Getenv("SAFEER_UI_CAPTURE"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "roster.png"))
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	}
}
