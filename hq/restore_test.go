package hq_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
)

// TestRestoreResendsParentsFirst is HQ restored from a backup taken before
// device A's workshop and person reached it (issue 13, chaos run with
// restores). Device B, which had pulled them, checks the person in and
// edits the person offline, then syncs first with the restored HQ: its
// push goes to HQ before HQ says it was restored. Nothing may be refused:
// the resync sends the rows HQ lost, parents first and whole, and then the
// edits and the check-in; A, syncing after, has nothing refused either,
// and HQ ends with everything, the conflict it logged after its backup
// included (re-asserted in HQ's name). (SQLite: the backup is a copy of its
// file.)
func TestRestoreResendsParentsFirst(t *testing.T) {
	ctx := context.Background()
	w := &world{now: time.Now().UTC().Truncate(time.Second)}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "hq.db")
	st, err := openSQLite(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	var cur atomic.Pointer[hq.Server]
	start := func() {
		srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: synccheck.Quiet, Now: w.Now})
		if err != nil {
			t.Fatal(err)
		}
		cur.Store(srv)
	}
	start()
	defer func() { st.Close() }()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", w.Now().Format(http.TimeFormat))
		cur.Load().Handler().ServeHTTP(rw, r)
	}))
	defer hs.Close()

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
	a.mustSync()
	b.mustSync()

	// The backup: HQ knows both devices, no rows yet.
	backup := filepath.Join(dir, "backup.db")
	st.Close()
	copyFileT(t, dbPath, backup)
	if st, err = openSQLite(ctx, dbPath); err != nil {
		t.Fatal(err)
	}
	start()

	w.advance(time.Minute)
	ws := safeer.Workshop{TitleAr: "ورشة", TitleEn: "Workshop", Date: "2026-11-20", Hours: 3, Governorate: ma}
	if err := a.store.AddWorkshop(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	p := safeer.Person{NameEn: "Hamad", Governorate: ma, Phone: "91234567"}
	if err := a.store.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a.mustSync()
	b.mustSync()
	// Both edit the same field offline: HQ logs a conflict, after its
	// backup, and both devices pull it.
	w.advance(time.Minute)
	a.edit(p.ID, func(p *safeer.Person) { p.Organisation = "by A" })
	b.edit(p.ID, func(p *safeer.Person) { p.Organisation = "by B" })
	a.mustSync()
	b.mustSync()
	a.mustSync()
	logged, err := a.store.Conflicts(ctx, true)
	if err != nil || len(logged) != 1 {
		t.Fatalf("conflicts on a: %+v %v", logged, err)
	}

	// B, offline: a check-in and an edit of rows HQ is about to lose.
	w.advance(time.Minute)
	att := safeer.Attendance{WorkshopID: ws.ID, PersonID: p.ID, Hours: 3, Status: safeer.Present, CheckedInAt: "2026-11-20T08:00:00Z"}
	if err := b.store.Attend(ctx, &att); err != nil {
		t.Fatal(err)
	}
	b.edit(p.ID, func(p *safeer.Person) { p.Notes = "edited by B" })

	// HQ restored from its backup (and a new epoch, as the runbook says).
	st.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	copyFileT(t, backup, dbPath)
	if st, err = openSQLite(ctx, dbPath); err != nil {
		t.Fatal(err)
	}
	if _, err := hq.ResetEpoch(ctx, st, hq.CLI, w.Now()); err != nil {
		t.Fatal(err)
	}
	start()

	w.advance(time.Minute)
	if rep := b.mustSync(); !rep.Resynced {
		t.Fatalf("b: no resync: %+v", rep)
	}
	if rej, _ := b.store.RejectedOps(ctx, 10); len(rej) != 0 {
		t.Fatalf("b: kept refused ops %+v", rej)
	}
	a.mustSync()
	if rej, _ := a.store.RejectedOps(ctx, 10); len(rej) != 0 {
		t.Fatalf("a: kept refused ops %+v", rej)
	}
	b.mustSync()
	for _, name := range []string{"a", "b"} {
		d := devs[name]
		got, err := d.store.Person(ctx, p.ID)
		if err != nil || got.Notes != "edited by B" || got.Phone != "+96891234567" {
			t.Fatalf("%s: person %+v %v", name, got, err)
		}
		recs, err := d.store.WorkshopAttendance(ctx, ws.ID)
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s: attendance %+v %v", name, recs, err)
		}
		if n, _ := d.store.OutboxLen(ctx); n != 0 {
			t.Fatalf("%s: %d ops still queued", name, n)
		}
	}
	for table, id := range map[string]string{"workshop": ws.ID, "person": p.ID, "attendance": att.ID, "conflict": logged[0].ID} {
		if _, found, err := rowAt(ctx, st, table, id); err != nil || !found {
			t.Fatalf("HQ lacks %s %s (%v)", table, id, err)
		}
	}
}

func rowAt(ctx context.Context, st hq.Store, table, id string) (hq.Row, bool, error) {
	var r hq.Row
	var found bool
	err := st.Write(ctx, func(tx hq.Tx) error {
		var err error
		r, found, err = tx.Row(ctx, table, id)
		return err
	})
	return r, found, err
}

func copyFileT(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
