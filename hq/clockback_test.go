package hq_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
)

// world is the real time of a clock-back story: HQ's clock (its stamps and
// its Date header) and every right device clock read it; the test moves it
// on by hours where the story needs them.
type world struct {
	mu  sync.Mutex
	now time.Time
}

func (w *world) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// wallClock is a device's wall clock: world time plus a skew that the test
// changes (a clock that falls three days back).
type wallClock struct {
	w    *world
	mu   sync.Mutex
	skew time.Duration
}

func (c *wallClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Now().Add(c.skew)
}

func (c *wallClock) set(skew time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew = skew
}

// clockBackDevice is a device of the story: its database file, wall clock,
// and (while open) its store and sync client.
type clockBackDevice struct {
	t     *testing.T
	name  string
	path  string
	clock *wallClock
	store *data.Store
	sync  *client.Client
}

func (d *clockBackDevice) open() {
	d.t.Helper()
	st, err := data.Open(context.Background(), d.path, data.WithClock(d.clock.Now))
	if err != nil {
		d.t.Fatal(err)
	}
	d.store = st
	d.sync = client.New(st, client.WithLogger(synccheck.Quiet), client.WithDeviceName(d.name),
		client.WithBackoff(client.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 3}))
}

func (d *clockBackDevice) close() {
	d.t.Helper()
	if err := d.store.Close(); err != nil {
		d.t.Fatal(err)
	}
	d.store, d.sync = nil, nil
}

func (d *clockBackDevice) mustSync() client.Report {
	d.t.Helper()
	rep, err := d.sync.Sync(context.Background())
	if err != nil {
		d.t.Fatalf("%s: sync: %v", d.name, err)
	}
	if rep.Rejected != 0 {
		d.t.Fatalf("%s: HQ refused %d ops: %+v", d.name, rep.Rejected, rep)
	}
	return rep
}

func (d *clockBackDevice) edit(id string, fn func(p *safeer.Person)) {
	d.t.Helper()
	ctx := context.Background()
	p, err := d.store.Person(ctx, id)
	if err != nil {
		d.t.Fatal(err)
	}
	fn(&p)
	if err := d.store.UpdatePerson(ctx, &p); err != nil {
		d.t.Fatal(err)
	}
}

// TestClockBackEditWins is the laptop whose clock falls back: device A syncs
// with a right clock at T, its application last runs with the right time at
// T+30m, then its clock falls three days behind (a flat clock battery, a
// reboot) and at T+45m it edits two fields offline. Device B had edited the
// same fields offline earlier: notes at T-1h (before A's sync) and
// organisation at T+15m (after A's sync, before A last ran with the right
// time). A's edits are the later ones and win everywhere, whichever device
// pushes first; B's values are in the conflict log; HQ refuses nothing (A's
// stamps are not ahead of HQ's clock). The last part is the edge that stays:
// an edit made elsewhere at T+50m, after the last time A saw, wins over A's
// edit of T+55m made with the clock still three days back.
func TestClockBackEditWins(t *testing.T) {
	for _, order := range []string{"B pushes first", "A pushes first"} {
		t.Run(order, func(t *testing.T) {
			databases(t, func(t *testing.T, newDB newDatabase) {
				clockBack(t, newDB, order == "A pushes first")
			})
		})
	}
}

func clockBack(t *testing.T, newDB newDatabase, aFirst bool) {
	ctx := context.Background()
	w := &world{now: time.Now().UTC().Truncate(time.Second)}
	st, err := newDB(t)(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: synccheck.Quiet, Now: w.Now})
	if err != nil {
		t.Fatal(err)
	}
	// HQ's Date header tells the world's time, as a real HQ tells its own.
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", w.Now().Format(http.TimeFormat))
		srv.Handler().ServeHTTP(rw, r)
	}))
	defer hs.Close()

	dir := t.TempDir()
	devs := map[string]*clockBackDevice{}
	for _, name := range []string{"a", "b"} {
		d := &clockBackDevice{t: t, name: name, path: filepath.Join(dir, name+".db"), clock: &wallClock{w: w}}
		d.open()
		defer func() {
			if d.store != nil {
				d.store.Close()
			}
		}()
		code, _, err := hq.CreateEnrolment(ctx, st, []string{ma}, name, hq.CLI, w.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.sync.Enrol(ctx, hs.URL, code); err != nil {
			t.Fatalf("enrol %s: %v", name, err)
		}
		devs[name] = d
	}
	a, b := devs["a"], devs["b"]

	p := safeer.Person{NameEn: "Hamad", Governorate: ma, Notes: "first"}
	if err := a.store.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a.mustSync()
	b.mustSync()

	w.advance(time.Hour) // T-1h
	b.edit(p.ID, func(p *safeer.Person) { p.Notes = "B at T-1h" })
	w.advance(time.Hour) // T
	a.mustSync()
	w.advance(15 * time.Minute)
	b.edit(p.ID, func(p *safeer.Person) { p.Organisation = "B at T+15m" })
	w.advance(15 * time.Minute)
	a.close() // A's application quits at T+30m with the right time
	seen := w.Now()

	// A's clock falls three days behind; at T+45m it starts again and edits.
	a.clock.set(-72 * time.Hour)
	w.advance(15 * time.Minute)
	a.open()
	a.edit(p.ID, func(p *safeer.Person) {
		p.Notes = "A at T+45m, clock 3 days back"
		p.Organisation = "A at T+45m, clock 3 days back"
	})
	ops, err := a.store.Outbox(ctx, 0, 10)
	if err != nil || len(ops) != 1 {
		t.Fatalf("A's outbox: %v %v", ops, err)
	}
	stamp, err := protocol.ParseHLC(ops[0].Stamp)
	if err != nil {
		t.Fatal(err)
	}
	if stamp.Time().Before(seen) || stamp.Time().After(w.Now()) {
		t.Fatalf("A's stamp %v: want between the last time A saw (%v) and HQ's time (%v)", stamp.Time(), seen, w.Now())
	}

	w.advance(5 * time.Minute)
	order := []*clockBackDevice{b, a, b, a}
	if aFirst {
		order = []*clockBackDevice{a, b, a, b}
	}
	for _, d := range order {
		d.mustSync()
	}
	if off := a.store.ClockOffset(); off < 71*time.Hour || off > 73*time.Hour {
		t.Fatalf("A's clock correction %v after the syncs, want about 72h", off)
	}
	want := map[string]string{"notes": "A at T+45m, clock 3 days back", "organisation": "A at T+45m, clock 3 days back"}
	converged(t, st, want, p.ID, a, b)
	// B's values lost, and are in the conflict log.
	lost := map[string]string{}
	cs, err := b.store.Conflicts(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.RowID == p.ID {
			if s, ok := c.Loser.(string); ok {
				lost[c.Field] = s
			}
		}
	}
	if lost["notes"] != "B at T-1h" || lost["organisation"] != "B at T+15m" {
		t.Fatalf("conflict log of the person: %+v", lost)
	}

	// The edge that stays: time that passes while A is off, unseen. A's
	// clock is set right and A syncs (its correction back to none), then
	// it is switched off at T+50m; B edits the notes at T+55m; A starts
	// at T+2h with its clock three days back again and edits the notes
	// before any sync. The newest time A has seen is T+50m, so its edit
	// stamps there, below B's earlier one, and loses (logged as a conflict).
	a.clock.set(0)
	a.mustSync()
	if off := a.store.ClockOffset(); off != 0 {
		t.Fatalf("A's clock correction %v with a right clock", off)
	}
	a.close()
	w.advance(5 * time.Minute) // T+55m
	b.edit(p.ID, func(p *safeer.Person) { p.Notes = "B at T+55m" })
	b.mustSync()
	a.clock.set(-72 * time.Hour)
	w.advance(65 * time.Minute) // T+2h
	a.open()
	a.edit(p.ID, func(p *safeer.Person) { p.Notes = "A at T+2h, clock 3 days back" })
	for _, d := range []*clockBackDevice{a, b, a} {
		d.mustSync()
	}
	converged(t, st, map[string]string{"notes": "B at T+55m"}, p.ID, a, b)
	cs, err = a.store.Conflicts(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	logged := false
	for _, c := range cs {
		logged = logged || c.RowID == p.ID && c.Field == "notes" && c.Loser == "A at T+2h, clock 3 days back"
	}
	if !logged {
		t.Fatal("A's losing edit is not in the conflict log")
	}
}

// converged checks HQ's copy of the person has want, and both devices hold
// exactly HQ's rows.
func converged(t *testing.T, st hq.Store, want map[string]string, id string, devs ...*clockBackDevice) {
	t.Helper()
	ctx := context.Background()
	final, err := synccheck.HQDump(ctx, st, []string{ma})
	if err != nil {
		t.Fatal(err)
	}
	row := final["person/"+id]
	for f, v := range want {
		if row[f].V != v {
			t.Errorf("HQ's %s is %q, want %q", f, row[f].V, v)
		}
	}
	for _, d := range devs {
		got, err := synccheck.DeviceDump(ctx, d.store)
		if err != nil {
			t.Fatal(err)
		}
		if diffs := synccheck.Compare(final, got); len(diffs) > 0 {
			t.Fatalf("%s differs from HQ: %s", d.name, strings.Join(diffs[:min(len(diffs), 10)], "\n"))
		}
	}
}
