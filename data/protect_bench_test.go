package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/oman-sca/safeer/vault"
)

// Encryption at rest, clear and protected in the same run (issue 14):
// go test -run '^$' -bench Protected ./data/. SAFEER_BENCH_PEOPLE sets
// the roster's size (10,000 by default). The key is wrapped with
// parameters calibrated on this machine (~0.5 s), as Protect does.

func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("SAFEER_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

var benchKDF = struct {
	p    vault.Params
	done bool
}{}

func calibratedKDF() vault.Params {
	if !benchKDF.done {
		benchKDF.p, benchKDF.done = vault.Calibrate(vault.DefaultTarget), true
	}
	return benchKDF.p
}

// benchRosterCSV writes a roster of n people (names, phones, civil IDs) as CSV.
func benchRosterCSV(b *testing.B, dir string, n int) string {
	b.Helper()
	scratch, err := Open(context.Background(), filepath.Join(dir, "gen.db"))
	if err != nil {
		b.Fatal(err)
	}
	people := generatePeople(scratch, n, 99)
	scratch.Close()
	var csv strings.Builder
	csv.WriteString("\uFEFFالاسم,رقم الهاتف,المحافظة,الولاية,الرقم المدني,email\r\n")
	for i, g := range people {
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%s,p%d@example.om\r\n", g.nameAr, g.phone, g.gov, g.wilayat, g.civil, i)
	}
	path := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func importCSV(b *testing.B, s *Store, csvPath string) {
	b.Helper()
	tbl, err := spreadsheet.Open(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Import(context.Background(), tbl, ImportOptions{Source: "roster.csv"}); err != nil {
		b.Fatal(err)
	}
}

// benchStore makes a database of the roster, clear or protected (empty
// protect on a new file, then the import), closed; it returns its path.
func benchStore(b *testing.B, dir, csvPath string, protected bool) string {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, fmt.Sprintf("roster-%t.db", protected))
	s, err := Open(ctx, path, WithKDF(calibratedKDF()))
	if err != nil {
		b.Fatal(err)
	}
	if protected {
		if err := s.Protect(ctx, "a bench passphrase", nil); err != nil {
			b.Fatal(err)
		}
	}
	importCSV(b, s, csvPath)
	s.Close()
	return path
}

// The benchmarks below alternate clear and protected in every iteration,
// so a machine whose load drifts during the run (other work on it) slows
// both alike, and report both and their ratio.

// BenchmarkProtectedImport imports the roster into a new database, clear
// then protected.
func BenchmarkProtectedImport(b *testing.B) {
	dir := b.TempDir()
	csvPath := benchRosterCSV(b, dir, benchPeople())
	ctx := context.Background()
	var d [2]time.Duration
	var size [2]int64
	var cpu [2]time.Duration
	for i := 0; i < b.N; i++ {
		for m, protected := range []bool{false, true} {
			path := filepath.Join(b.TempDir(), "i.db")
			s, err := Open(ctx, path, WithKDF(vault.Params{Time: 1, MemoryKiB: 64, Threads: 1}))
			if err != nil {
				b.Fatal(err)
			}
			if protected {
				if err := s.Protect(ctx, "a bench passphrase", nil); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			c0 := cpuTime()
			t0 := time.Now()
			// Labelled, for a CPU profile of one mode (go tool pprof
			// -tagfocus mode=protected).
			pprof.Do(ctx, pprof.Labels("mode", map[bool]string{false: "clear", true: "protected"}[protected]), func(context.Context) {
				importCSV(b, s, csvPath)
			})
			d[m] += time.Since(t0)
			cpu[m] += cpuTime() - c0
			s.Close()
			if fi, err := os.Stat(path); err == nil {
				size[m] = fi.Size()
			}
		}
	}
	n := float64(benchPeople() * b.N)
	b.ReportMetric(float64(size[0])/float64(benchPeople()), "clear-file-bytes/person")
	b.ReportMetric(float64(size[1])/float64(benchPeople()), "protected-file-bytes/person")
	b.ReportMetric(n/d[0].Seconds(), "clear-rows/s")
	b.ReportMetric(n/d[1].Seconds(), "protected-rows/s")
	b.ReportMetric(d[1].Seconds()/d[0].Seconds(), "protected/clear")
	// CPU time (every core, this process's): the import's work, whatever
	// else the machine runs.
	b.ReportMetric(n/cpu[0].Seconds(), "clear-rows/cpu-s")
	b.ReportMetric(n/cpu[1].Seconds(), "protected-rows/cpu-s")
	b.ReportMetric(cpu[1].Seconds()/cpu[0].Seconds(), "protected/clear-cpu")
}

// BenchmarkProtectedOpen opens the database and (protected) unlocks it with
// the calibrated passphrase cost, then paints the roster's first page (the
// empty query from SQL, before the index) and builds the index as the first
// search does.
func BenchmarkProtectedOpen(b *testing.B) {
	dir := b.TempDir()
	csvPath := benchRosterCSV(b, dir, benchPeople())
	paths := [2]string{benchStore(b, dir, csvPath, false), benchStore(b, dir, csvPath, true)}
	ctx := context.Background()
	var open, unlock, paint, index [2]time.Duration
	for i := 0; i < b.N; i++ {
		for m := range paths {
			t0 := time.Now()
			s, err := Open(ctx, paths[m])
			if err != nil {
				b.Fatal(err)
			}
			open[m] += time.Since(t0)
			if m == 1 {
				t0 = time.Now()
				if err := s.Unlock(ctx, "a bench passphrase"); err != nil {
					b.Fatal(err)
				}
				unlock[m] += time.Since(t0)
			}
			t0 = time.Now()
			if pg, err := s.SearchPage(ctx, "", SearchOptions{Limit: 50}); err != nil || len(pg.Results) != 50 {
				b.Fatalf("first page: %d, %v", len(pg.Results), err)
			}
			paint[m] += time.Since(t0)
			t0 = time.Now()
			if err := s.LoadSearchIndex(ctx); err != nil {
				b.Fatal(err)
			}
			index[m] += time.Since(t0)
			s.Close()
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	for m, name := range []string{"clear", "protected"} {
		b.ReportMetric(ms(open[m]), name+"-open-ms")
		b.ReportMetric(ms(paint[m]), name+"-first-page-ms")
		b.ReportMetric(ms(index[m]), name+"-index-load-ms")
	}
	b.ReportMetric(ms(unlock[1]), "protected-unlock-ms")
}

// BenchmarkProtectedSearch types queries a keystroke at a time after
// unlock, alternating the two stores (the index holds opened values: the
// same work either way).
func BenchmarkProtectedSearch(b *testing.B) {
	dir := b.TempDir()
	csvPath := benchRosterCSV(b, dir, benchPeople())
	paths := [2]string{benchStore(b, dir, csvPath, false), benchStore(b, dir, csvPath, true)}
	ctx := context.Background()
	var stores [2]*Store
	for m := range paths {
		s, err := Open(ctx, paths[m])
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if m == 1 {
			if err := s.Unlock(ctx, "a bench passphrase"); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.LoadSearchIndex(ctx); err != nil {
			b.Fatal(err)
		}
		stores[m] = s
	}
	queries := []string{"محمد بن سالم البلوشي", "فاطمه الحارثى", "9100123", "+968 7000 5555", "p123@example", "10000123"}
	var lat [2][]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range queries {
			typed := []rune(q)
			for n := 1; n <= len(typed); n++ {
				for m, s := range stores {
					t0 := time.Now()
					if _, err := s.Search(ctx, string(typed[:n]), SearchOptions{Limit: 50}); err != nil {
						b.Fatal(err)
					}
					lat[m] = append(lat[m], time.Since(t0))
				}
			}
		}
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for m, name := range []string{"clear", "protected"} {
		slices.Sort(lat[m])
		b.ReportMetric(ms(lat[m][len(lat[m])/2]), name+"-p50-ms")
		b.ReportMetric(ms(lat[m][len(lat[m])*95/100]), name+"-p95-ms")
	}
}

// benchSerial numbers the people BenchmarkProtectedWrite adds, across runs.
var benchSerial int

// BenchmarkProtectedWrite adds a person and finds them by phone (the
// keyed hash on a protected database, the column on a clear one), on a
// roster of the bench's size, alternating the two stores.
func BenchmarkProtectedWrite(b *testing.B) {
	dir := b.TempDir()
	csvPath := benchRosterCSV(b, dir, benchPeople())
	paths := [2]string{benchStore(b, dir, csvPath, false), benchStore(b, dir, csvPath, true)}
	ctx := context.Background()
	var stores [2]*Store
	for m := range paths {
		s, err := Open(ctx, paths[m])
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if m == 1 {
			if err := s.Unlock(ctx, "a bench passphrase"); err != nil {
				b.Fatal(err)
			}
		}
		stores[m] = s
	}
	var d [2]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchSerial++
		for m, s := range stores {
			t0 := time.Now()
			p := safeer.Person{NameAr: "مريم بنت سالم الهنائية", Gender: "female", Governorate: "OM-MA",
				Phone: fmt.Sprintf("+9689%07d", 5_000_000+benchSerial), CivilID: fmt.Sprintf("%08d", 70_000_000+benchSerial),
				Email: fmt.Sprintf("w%d@example.om", benchSerial), Notes: "a note"}
			if err := s.AddPerson(ctx, &p); err != nil {
				b.Fatal(err)
			}
			if got, err := s.PeopleWith(ctx, "phone", p.Phone); err != nil || len(got) != 1 {
				b.Fatalf("look-up: %v %v", got, err)
			}
			d[m] += time.Since(t0)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(d[0].Microseconds())/1000/float64(b.N), "clear-ms/op")
	b.ReportMetric(float64(d[1].Microseconds())/1000/float64(b.N), "protected-ms/op")
}

// BenchmarkProtectRoster is the upgrade: Protect on a clear database of
// the roster (backup, sealing, VACUUM, backup encrypted), KDF aside.
func BenchmarkProtectRoster(b *testing.B) {
	dir := b.TempDir()
	csvPath := benchRosterCSV(b, dir, benchPeople())
	clearDB := benchStore(b, dir, csvPath, false)
	raw, err := os.ReadFile(clearDB)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var d time.Duration
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "p.db")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			b.Fatal(err)
		}
		s, err := Open(ctx, path, WithKDF(vault.Params{Time: 1, MemoryKiB: 64, Threads: 1}))
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := s.Protect(ctx, "a bench passphrase", nil); err != nil {
			b.Fatal(err)
		}
		d += time.Since(t0)
		s.Close()
	}
	b.ReportMetric(d.Seconds()/float64(b.N), "s/protect")
}
