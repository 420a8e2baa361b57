package ui

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/oman-sca/safeer/sync/client"
)

// BenchmarkRoster100k: from opening the window to the roster listing
// 100,000 people, then type-ahead search (go test -bench Roster -benchtime
// 1x ./ui/). ms-to-first-rows is the first page on screen (the store reads
// it from SQL while its search index is built); the list counts everyone
// from that page on, so ms-to-all-rows is the moment every row can be
// scrolled to (its page is fetched when it comes into view).
// ms-to-first-search is from opening to the answer of a search typed as
// soon as the roster shows (it waits for the index); ms-per-search is a
// later search.
func BenchmarkRoster100k(b *testing.B) {
	ctx := context.Background()
	s := testStore(b)
	tbl := &spreadsheet.Table{Header: []string{"name_ar", "name_en", "phone", "governorate"}}
	first := []string{"أحمد", "فاطمة", "سالم", "مريم", "خالد", "عائشة", "يوسف", "نورة", "سعيد", "شيخة"}
	last := []string{"البلوشي", "الزدجالي", "الحارثي", "الهنائي", "الراشدي", "الكندي", "المعمري", "الحبسي", "الشكيلي", "العبري"}
	for i := range 100_000 {
		tbl.Rows = append(tbl.Rows, spreadsheet.Row{Number: i + 2, Cells: []string{
			first[i%10] + " " + last[(i/10)%10] + fmt.Sprintf(" %d", i), fmt.Sprintf("Person %d", i),
			fmt.Sprintf("9%07d", i), "OM-MA"}})
	}
	if _, err := s.Import(ctx, tbl, data.ImportOptions{Source: "bench"}); err != nil {
		b.Fatal(err)
	}
	// until pumps Fyne's queue until cond holds.
	until := func(cond func() bool) {
		for !cond() {
			pump()
			time.Sleep(time.Millisecond)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for b.Loop() {
		// Each round starts as the app does: a store whose index is not built.
		s.Close()
		s2, err := data.Open(ctx, s.Path())
		if err != nil {
			b.Fatal(err)
		}
		s = s2
		a := test.NewTempApp(b)
		a.Preferences().SetString(prefScreen, screenPeople)
		w := test.NewTempWindow(b, nil)
		start := time.Now()
		u := New(ctx, a, w, s, client.New(s))
		w.Resize(fyne.NewSize(1180, 760))
		p := u.people
		until(func() bool { _, ok := p.row(0); return ok })
		b.ReportMetric(ms(time.Since(start)), "ms-to-first-rows")
		until(func() bool { return p.list.Length() == 100_000 })
		b.ReportMetric(ms(time.Since(start)), "ms-to-all-rows")
		searched := func(q string) func() bool {
			return func() bool { return p.onScreen != nil && p.onScreen.query == q }
		}
		p.search.SetText("مريم الهنائي")
		until(searched("مريم الهنائي"))
		b.ReportMetric(ms(time.Since(start)), "ms-to-first-search")
		if n := p.list.Length(); n != 1000 {
			b.Fatalf("%d found", n)
		}
		t0 := time.Now()
		p.search.SetText("سالم الحارثي")
		until(searched("سالم الحارثي"))
		b.ReportMetric(ms(time.Since(t0)), "ms-per-search")
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "MB-heap")
		u.Close()
	}
	s.Close()
}
