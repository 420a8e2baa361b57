package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Two processes on one database (the app and a CLI command) hand out
// stamps from one clock: an op's id is its stamp, so a repeat would make
// HQ refuse the second op as a reused id. A frozen wall clock makes
// repeats as likely as they can be.
func TestTwoProcessesNeverRepeatAStamp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	frozen := func() time.Time { return time.UnixMilli(1_800_000_000_000) }
	a, err := Open(ctx, path, WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path, WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 20 {
		s := a
		if i%3 != 0 {
			s = b
		}
		mustAdd(t, s, safeer.Person{NameEn: fmt.Sprintf("Person %d", i), Governorate: "OM-MA"})
	}
	ops := outbox(t, a)
	if len(ops) != 20 {
		t.Fatalf("%d ops", len(ops))
	}
	for i, o := range ops {
		if o.Op.ID != o.Stamp {
			t.Errorf("op %d: id %s is not its stamp %s", i, o.Op.ID, o.Stamp)
		}
		if i > 0 && o.Stamp <= ops[i-1].Stamp {
			t.Errorf("op %d: stamp %s does not follow %s", i, o.Stamp, ops[i-1].Stamp)
		}
	}
}

// The clock floor survives closing and reopening the store: after the
// device saw HQ's time (a Date header) and after it merely ran with the
// right time, a restart with the wall clock three days back stamps after
// both. A database of an older Safeer (no floor saved) has its file times.
func TestClockFloorSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	real := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	wall := real
	now := func() time.Time { return wall }
	reopen := func(s *Store) *Store {
		t.Helper()
		if s != nil {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Open(ctx, path, WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	stampOf := func(s *Store, name string) time.Time {
		t.Helper()
		mustAdd(t, s, safeer.Person{NameEn: name, Governorate: "OM-MA"})
		ops := outbox(t, s)
		h, err := protocol.ParseHLC(ops[len(ops)-1].Stamp)
		if err != nil {
			t.Fatal(err)
		}
		return h.Time()
	}
	s := reopen(nil)
	// HQ's Date header, an hour ahead of this computer's (right) clock.
	hqTime := real.Add(time.Hour)
	if err := s.SeeTime(ctx, hqTime); err != nil {
		t.Fatal(err)
	}
	wall = real.Add(-72 * time.Hour) // the clock falls three days behind
	s = reopen(s)
	if got := stampOf(s, "After HQ's time"); got.Before(hqTime) {
		t.Fatalf("stamp %v after a restart, below HQ's time seen %v", got, hqTime)
	}

	// The application runs at T+3h with the right time and quits: no edit.
	wall = real.Add(3 * time.Hour)
	s = reopen(s)
	wall = real.Add(-72 * time.Hour)
	s = reopen(s)
	if got := stampOf(s, "After the last run"); got.Before(real.Add(3 * time.Hour)) {
		t.Fatalf("stamp %v, below the last time the application ran (%v)", got, real.Add(3*time.Hour))
	}

	// An older Safeer's database: no floor saved, but written at T+5h.
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM meta WHERE key = 'wall_seen'`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Close(); err != nil { // not s.Close: it would save a floor
		t.Fatal(err)
	}
	written := real.Add(5 * time.Hour)
	for _, name := range []string{path, path + "-wal"} {
		if err := os.Chtimes(name, written, written); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, path, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := stampOf(s, "After the file was written"); got.Before(written) {
		t.Fatalf("stamp %v, below the database's file time %v", got, written)
	}
	if f := s.ClockFloor(); f.Before(written) || f.After(written.Add(time.Minute)) {
		t.Fatalf("floor %v, want the file time %v", f, written)
	}
}

// A floor raised ahead of the real time (a clock that ran ahead and was
// set right, a database file copied with a future time) would stamp edits
// in the future that HQ refuses: RestampAhead, before a push, lowers it to
// the corrected clock even when no queued edit was stamped ahead yet.
func TestRestampAheadLowersAFloorAhead(t *testing.T) {
	ctx := context.Background()
	real := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "safeer.db"), WithClock(func() time.Time { return real }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SeeTime(ctx, real.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RestampAhead(ctx); err != nil || n != 0 {
		t.Fatalf("RestampAhead = %d, %v with nothing queued", n, err)
	}
	if f := s.ClockFloor(); f.After(real.Add(time.Minute)) {
		t.Fatalf("floor %v still ahead of %v", f, real)
	}
	mustAdd(t, s, safeer.Person{NameEn: "Now", Governorate: "OM-MA"})
	h, err := protocol.ParseHLC(outbox(t, s)[0].Stamp)
	if err != nil || h.Time().After(real.Add(time.Minute)) {
		t.Fatalf("stamp %v after the floor was lowered (%v)", h.Time(), err)
	}
}
