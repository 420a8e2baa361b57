package data

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/spreadsheet"
)

// Generated data at the size the issue sets: 100,000 people with Arabic
// names and 1,000,000 attendance rows. Run with `make bench`.

var (
	firstNames = []string{"محمد", "أحمد", "سالم", "خالد", "سعيد", "علي", "عبد الله", "ناصر", "يوسف", "حمد",
		"فاطمة", "مريم", "عائشة", "زينب", "خديجة", "شيماء", "أسماء", "هدى", "ليلى", "منى", "إبراهيم", "مصطفى",
		"عبد الرحمن", "طارق", "هلال", "بدر", "سلطان", "راشد", "ماجد", "هيثم", "نوال", "رحمة", "بشرى", "سمية"}
	fatherNames = []string{"سالم", "محمد", "علي", "سعيد", "حمود", "خلفان", "سيف", "راشد", "عبيد", "مبارك",
		"حمد", "ناصر", "سليمان", "جمعة", "خميس", "عامر", "هلال", "زاهر", "يعقوب", "منصور"}
	tribes = []string{"البلوشي", "الحارثي", "الزدجالي", "الكندي", "الهنائي", "الرواحي", "العبري", "المعمري",
		"البوسعيدي", "الشكيلي", "الغافري", "السيابي", "الحبسي", "العامري", "الكلباني", "المقبالي", "الفارسي",
		"اللواتي", "الجابري", "الوهيبي", "المحرزي", "الريامي", "الخروصي", "السعدي", "الشحي", "البادي"}
)

type genPerson struct {
	nameAr, phone, gov, wilayat, civil string
}

func generatePeople(s *Store, n int, seed uint64) []genPerson {
	r := rand.New(rand.NewPCG(seed, 1))
	places := s.Wilayats("")
	out := make([]genPerson, n)
	for i := range out {
		pl := places[r.IntN(len(places))]
		out[i] = genPerson{
			nameAr:  firstNames[r.IntN(len(firstNames))] + " بن " + fatherNames[r.IntN(len(fatherNames))] + " " + tribes[r.IntN(len(tribes))],
			phone:   fmt.Sprintf("+968%d%07d", []int{7, 9}[r.IntN(2)], i),
			gov:     pl.Governorate,
			wilayat: pl.WilayatEn,
			civil:   fmt.Sprintf("%08d", 10000000+i),
		}
	}
	return out
}

// benchDB builds (once per run) a database of 100,000 people and 1,000,000
// attendance rows through the store's own write path, and returns a copy's
// path so each benchmark starts from the same file.
var benchDBPath string

func benchDB(b *testing.B) string {
	b.Helper()
	if benchDBPath != "" {
		return benchDBPath
	}
	ctx := context.Background()
	// Building it takes a minute; keep it between runs of the same schema.
	path := filepath.Join(os.TempDir(), fmt.Sprintf("safeer-bench-v%d.db", SchemaVersion()))
	if _, err := os.Stat(path); err == nil {
		benchDBPath = path
		return path
	}
	tmp := path + ".building"
	os.Remove(tmp)
	s, err := Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	people := generatePeople(s, 100_000, 42)
	ids := make([]string, len(people))
	start := time.Now()
	err = s.write(ctx, func(t *tx) error {
		t.peopleBulk = true
		for i, g := range people {
			p := safeer.Person{NameAr: g.nameAr, Phone: g.phone, Governorate: g.gov, Wilayat: g.wilayat, CivilID: g.civil, Kind: safeer.KindAmbassador, Status: safeer.StatusActive}
			if err := t.addPerson(ctx, &p, ""); err != nil {
				return err
			}
			ids[i] = p.ID
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("100,000 people written in %v", time.Since(start))
	// 2,000 workshops of 500 attendees each.
	start = time.Now()
	r := rand.New(rand.NewPCG(7, 7))
	for batch := 0; batch < 10; batch++ {
		err = s.write(ctx, func(t *tx) error {
			for w := 0; w < 200; w++ {
				ws := safeer.Workshop{TitleAr: fmt.Sprintf("ورشة المدن الذكية رقم %d", batch*200+w), Date: "2026-01-01", Hours: 3,
					MinHours: 3, Governorate: "OM-MA", Status: safeer.WorkshopHeld}
				ws.ID = fmt.Sprintf("w-%05d", batch*200+w)
				if err := t.insert(ctx, "workshop", ws.ID, newFields(workshopRow(ws)), nil); err != nil {
					return err
				}
				for k := 0; k < 500; k++ {
					a := safeer.Attendance{WorkshopID: ws.ID, PersonID: ids[r.IntN(len(ids))], Hours: 3, Status: safeer.Present, CheckedInAt: "2026-01-01T08:00:00Z"}
					a.ID = AttendanceID(a.WorkshopID, a.PersonID+fmt.Sprint(k))
					if err := t.insert(ctx, "attendance", a.ID, newFields(attendanceRow(a)), nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("1,000,000 attendance rows written in %v", time.Since(start))
	// A synced device has an empty outbox: measure the file as it would be.
	if _, err := s.db.Exec(`DELETE FROM outbox`); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Exec(`VACUUM`); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	benchDBPath = path
	return path
}

// BenchmarkSearchTypeAhead types names one letter at a time, as a
// coordinator does, and reports the latency of each keystroke's search.
func BenchmarkSearchTypeAhead(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	if _, err := s.Search(ctx, "x", SearchOptions{Limit: 50}); err != nil {
		b.Fatal(err)
	}
	indexLoad := time.Since(start)
	queries := []string{"محمد بن سالم البلوشي", "فاطمه الحارثى", "عبدالله", "خالد الكندي", "9100123", "+968 7000 5555", "الهنائي", "مريم"}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range queries {
			typed := []rune(q)
			for n := 1; n <= len(typed); n++ {
				t0 := time.Now()
				if _, err := s.Search(ctx, string(typed[:n]), SearchOptions{Limit: 50}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(indexLoad.Milliseconds()), "index-load-ms") // after ResetTimer, which clears metrics
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(len(lat))/float64(b.N), "keystrokes/op")
}

// BenchmarkSearchIndexLoad builds the search index of 100,000 people from
// the file, as the first search after opening does.
func BenchmarkSearchIndexLoad(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		s.index.mu.Lock()
		s.index.gen = -1
		s.index.mu.Unlock()
		if _, err := s.Search(ctx, "x", SearchOptions{Limit: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDatabaseSize(b *testing.B) {
	path := benchDB(b)
	for i := 0; i < b.N; i++ {
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
		b.ReportMetric(float64(fi.Size())/1.1e6, "bytes/row")
	}
}

// BenchmarkImport100k imports a 100,000-row CSV through the store (parse,
// validate, duplicate check against the roster and the file, outbox) and,
// in the same run, inserts the same rows with a plain prepared INSERT loop
// in one transaction: the ratio is what the import's care costs.
//
// Each timed part starts after a garbage collection, so neither pays for
// collecting what the other left: the plain loop used to run in the
// collection of the import's garbage (10-20% slower), and how much moved
// with where a cycle happened to fall.
func BenchmarkImport100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	scratch, err := Open(ctx, filepath.Join(dir, "gen.db"))
	if err != nil {
		b.Fatal(err)
	}
	people := generatePeople(scratch, 100_000, 99)
	scratch.Close()
	var csvText strings.Builder
	csvText.WriteString("\uFEFFالاسم,رقم الهاتف,المحافظة,الولاية,الرقم المدني\r\n")
	for _, g := range people {
		fmt.Fprintf(&csvText, "%s,%s,%s,%s,%s\r\n", g.nameAr, g.phone, g.gov, g.wilayat, g.civil)
	}
	csvPath := filepath.Join(dir, "roster.csv")
	os.WriteFile(csvPath, []byte(csvText.String()), 0o600)

	var importDur, plainDur time.Duration
	for i := 0; i < b.N; i++ {
		s, err := Open(ctx, filepath.Join(dir, fmt.Sprintf("import-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		t0 := time.Now()
		tbl, err := spreadsheet.Open(csvPath)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := s.Import(ctx, tbl, ImportOptions{Source: "roster.csv"})
		if err != nil || rep.Imported != len(people) {
			b.Fatalf("import: %v (%d)", err, rep.Imported)
		}
		importDur += time.Since(t0)
		s.Close()

		plain, err := Open(ctx, filepath.Join(dir, fmt.Sprintf("plain-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		t0 = time.Now()
		if err := plainInsert(ctx, plain.db, people); err != nil {
			b.Fatal(err)
		}
		plainDur += time.Since(t0)
		plain.Close()
	}
	n := float64(len(people) * b.N)
	b.ReportMetric(n/importDur.Seconds(), "import-rows/s")
	b.ReportMetric(n/plainDur.Seconds(), "plain-insert-rows/s")
	b.ReportMetric(plainDur.Seconds()/importDur.Seconds(), "import/plain")
}

func plainInsert(ctx context.Context, db *sql.DB, people []genPerson) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The same rows the import stores, column for column.
	st, err := tx.PrepareContext(ctx, `INSERT INTO person (id, hlc, kind, status, name_ar, phone, governorate, wilayat, civil_id, import_batch)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	stamp := "019ad1b2c3d4-000000-01a22718-2372-749e-82e4-77d9fba3e517"
	for i, g := range people {
		if _, err := st.ExecContext(ctx, fmt.Sprintf("01a22718-2372-749e-82e4-%012d", i), stamp, safeer.KindAmbassador, safeer.StatusActive,
			g.nameAr, g.phone, g.gov, g.wilayat, g.civil, "01a22718-2372-749e-82e4-77d9fba3e517"); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkDuplicatePairs100k finds every pair of look-alikes in a roster
// of 100,000 people, as the duplicates screen and its counts on the roster
// and the dashboard do (the index is loaded first, untimed).
func BenchmarkDuplicatePairs100k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Search(ctx, "x", SearchOptions{Limit: 1}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		pairs, err := s.DuplicatePairs(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		n = len(pairs)
	}
	b.ReportMetric(float64(n), "pairs")
}

// BenchmarkRosterVersion100k reads the roster version, which is all the
// duplicate count on the roster and the dashboard costs while the roster
// has not changed (compare BenchmarkDuplicatePairs100k, the scan it
// saves).
func BenchmarkRosterVersion100k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.RosterVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
