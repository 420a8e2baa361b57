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
	"github.com/oman-sca/safeer/data/sheet"
	"github.com/oman-sca/safeer/sync/client"
)

// BenchmarkRoster100k: from opening the window to the roster listing
// 100,000 people, then one keystroke of type-ahead search (go test -bench
// Roster -benchtime 1x ./ui/).
func BenchmarkRoster100k(b *testing.B) {
	ctx := context.Background()
	s := testStore(b)
	tbl := &sheet.Table{Header: []string{"name_ar", "name_en", "phone", "governorate"}}
	first := []string{"أحمد", "فاطمة", "سالم", "مريم", "خالد", "عائشة", "يوسف", "نورة", "سعيد", "شيخة"}
	last := []string{"البلوشي", "الزدجالي", "الحارثي", "الهنائي", "الراشدي", "الكندي", "المعمري", "الحبسي", "الشكيلي", "العبري"}
	for i := range 100_000 {
		tbl.Rows = append(tbl.Rows, sheet.Row{Number: i + 2, Cells: []string{
			first[i%10] + " " + last[(i/10)%10] + fmt.Sprintf(" %d", i), fmt.Sprintf("Person %d", i),
			fmt.Sprintf("9%07d", i), "OM-MA"}})
	}
	if _, err := s.Import(ctx, tbl, data.ImportOptions{Source: "bench"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		a := test.NewTempApp(b)
		a.Preferences().SetString(prefScreen, screenPeople)
		w := test.NewTempWindow(b, nil)
		start := time.Now()
		u := New(ctx, a, w, s, client.New(s))
		w.Resize(fyne.NewSize(1180, 760))
		for u.people.list.Length() == 0 {
			pump()
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-first-rows")
		for u.people.list.Length() < 100_000 {
			pump()
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-all-rows")
		start = time.Now()
		u.people.search.SetText("مريم الهنائي")
		for u.people.list.Length() == 100_000 {
			pump()
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-per-search")
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "MB-heap")
		u.Close()
	}
}
