package hq_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
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

// restorableHQ is an HQ whose database can be backed up and restored from
// that backup, on either store: SQLite copies its file, PostgreSQL makes a
// database from another as template. The server is started again on the
// database after each (the handler is swapped under the same URL).
type restorableHQ struct {
	t        *testing.T
	w        *world
	key      ed25519.PrivateKey
	open     func(ctx context.Context) (hq.Store, error)
	backupFn func(ctx context.Context)
	restore  func(ctx context.Context)
	st       hq.Store
	cur      atomic.Pointer[hq.Server]
	hs       *httptest.Server
	failPull atomic.Bool // pulls answer 503: a link that breaks after the push
	losePush atomic.Bool // HQ applies a push, its answer is lost (503)
}

func newRestorableHQ(t *testing.T, w *world, kind string) *restorableHQ {
	ctx := context.Background()
	h := &restorableHQ{t: t, w: w}
	_, h.key, _ = ed25519.GenerateKey(rand.Reader)
	switch kind {
	case "sqlite":
		dir := t.TempDir()
		path, backup := filepath.Join(dir, "hq.db"), filepath.Join(dir, "backup.db")
		h.open = func(ctx context.Context) (hq.Store, error) { return openSQLite(ctx, path) }
		h.backupFn = func(ctx context.Context) { copyFileT(t, path, backup) }
		h.restore = func(ctx context.Context) {
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			copyFileT(t, backup, path)
		}
	case "postgres":
		dsn := pgtest.DSN(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		backup := name + "_backup"
		admin := func(ctx context.Context, sqls ...string) {
			conn, err := pgx.Connect(ctx, pgtest.Base(t))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			for _, q := range sqls {
				if _, err := conn.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
		h.open = func(ctx context.Context) (hq.Store, error) { return openPostgres(ctx, dsn) }
		h.backupFn = func(ctx context.Context) {
			admin(ctx, "DROP DATABASE IF EXISTS "+id(backup), "CREATE DATABASE "+id(backup)+" TEMPLATE "+id(name))
		}
		h.restore = func(ctx context.Context) {
			admin(ctx, "DROP DATABASE "+id(name)+" WITH (FORCE)", "CREATE DATABASE "+id(name)+" TEMPLATE "+id(backup))
		}
		t.Cleanup(func() { admin(context.Background(), "DROP DATABASE IF EXISTS "+id(backup)+" WITH (FORCE)") })
	default:
		t.Fatalf("no store %q", kind)
	}
	var err error
	if h.st, err = h.open(ctx); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.hs = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if h.failPull.Load() && r.URL.Path == protocol.PathPull {
			http.Error(rw, "link down", http.StatusServiceUnavailable)
			return
		}
		rw.Header().Set("Date", w.Now().Format(http.TimeFormat))
		if h.losePush.Load() && r.URL.Path == protocol.PathPush {
			h.cur.Load().Handler().ServeHTTP(httptest.NewRecorder(), r)
			http.Error(rw, "link down", http.StatusServiceUnavailable)
			return
		}
		h.cur.Load().Handler().ServeHTTP(rw, r)
	}))
	t.Cleanup(func() {
		h.hs.Close()
		h.st.Close()
	})
	return h
}

func (h *restorableHQ) start() {
	srv, err := hq.NewServer(context.Background(), h.st, h.key, hq.Options{Logger: synccheck.Quiet, Now: h.w.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	h.cur.Store(srv)
}

// backup stops HQ, backs its database up and starts it again.
func (h *restorableHQ) backup() {
	ctx := context.Background()
	h.st.Close()
	h.backupFn(ctx)
	var err error
	if h.st, err = h.open(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.start()
}

// restoreBackup stops HQ, puts the backup in place, gives the database a
// new epoch (the runbook's reset-epoch) and starts HQ again.
func (h *restorableHQ) restoreBackup() {
	ctx := context.Background()
	h.st.Close()
	h.restore(ctx)
	var err error
	if h.st, err = h.open(ctx); err != nil {
		h.t.Fatal(err)
	}
	if _, err := hq.ResetEpoch(ctx, h.st, hq.CLI, h.w.Now()); err != nil {
		h.t.Fatal(err)
	}
	h.start()
}

func (h *restorableHQ) device(name string, govs ...string) *clockBackDevice {
	ctx := context.Background()
	d := &clockBackDevice{t: h.t, name: name, path: filepath.Join(h.t.TempDir(), name+".db"), clock: &wallClock{w: h.w}}
	d.open()
	h.t.Cleanup(func() {
		if d.store != nil {
			d.store.Close()
		}
	})
	code, _, err := hq.CreateEnrolment(ctx, h.st, govs, name, hq.CLI, h.w.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := d.sync.Enrol(ctx, h.hs.URL, code); err != nil {
		h.t.Fatalf("enrol %s: %v", name, err)
	}
	return d
}

// TestRestoreLostEditMeetsConcurrentOne is the chaos run with restores
// (issue 13, seeds 1796594559741748335 and 1796591524314290561): A and B
// edit the same field of a person offline, neither seeing the other's
// edit, both after HQ's backup. HQ takes both and logs B's (the later) as
// the winner, A's as the loser, but B's sync breaks before its pull and A
// does not sync: no device holds the conflict row when HQ is restored from
// the backup. Whichever device comes back first, A's value must not vanish
// for B's without a conflict row: A's device still has A's value, older
// than what HQ holds by then, and sends it again; HQ, which never had it
// since the restore, logs it as the loser of a conflict. And when A comes
// back first, B's re-asserted value meets A's as a conflict, because B's
// device had not pulled A's (its base is the old epoch's cursor, read at
// most as the backup's last change).
func TestRestoreLostEditMeetsConcurrentOne(t *testing.T) {
	for _, first := range []string{"loser first", "winner first"} {
		t.Run(first, func(t *testing.T) {
			for _, kind := range []string{"sqlite", "postgres"} {
				t.Run(kind, func(t *testing.T) { restoreConcurrentEdits(t, kind, first == "loser first") })
			}
		})
	}
}

func restoreConcurrentEdits(t *testing.T, kind string, loserFirst bool) {
	ctx := context.Background()
	w := &world{now: time.Now().UTC().Truncate(time.Second)}
	h := newRestorableHQ(t, w, kind)
	a, b := h.device("a", ma), h.device("b", ma)
	p := safeer.Person{NameEn: "Hamad", Governorate: ma, Notes: "first"}
	if err := a.store.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a.mustSync()
	b.mustSync()
	h.backup()

	w.advance(time.Minute)
	a.edit(p.ID, func(p *safeer.Person) { p.Notes = "by A" })
	a.mustSync()
	w.advance(time.Minute)
	b.edit(p.ID, func(p *safeer.Person) { p.Notes = "by B" })
	h.failPull.Store(true)
	if _, err := b.sync.Sync(ctx); err == nil {
		t.Fatal("b's pull went through a broken link")
	}
	h.failPull.Store(false)
	if n, _ := b.store.OutboxLen(ctx); n != 0 {
		t.Fatalf("b's edit did not reach HQ before the restore (%d ops queued)", n)
	}

	w.advance(time.Minute)
	h.restoreBackup()
	w.advance(time.Minute)
	order := []*clockBackDevice{b, a}
	if loserFirst {
		order = []*clockBackDevice{a, b}
	}
	for range 2 {
		for _, d := range order {
			d.mustSync()
		}
	}

	for _, d := range order {
		got, err := d.store.Person(ctx, p.ID)
		if err != nil || got.Notes != "by B" {
			t.Fatalf("%s: notes %q (%v), want B's", d.name, got.Notes, err)
		}
		cs, err := d.store.Conflicts(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range cs {
			if c.RowID == p.ID && c.Field == "notes" && c.Loser == "by A" && c.Winner == "by B" {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: A's lost edit is in no conflict row: %+v", d.name, cs)
		}
	}
	want, err := synccheck.HQDump(ctx, h.st, []string{ma})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range order {
		got, err := synccheck.DeviceDump(ctx, d.store)
		if err != nil {
			t.Fatal(err)
		}
		if diffs := synccheck.Compare(want, got); len(diffs) != 0 {
			t.Fatalf("%s differs from HQ: %v", d.name, diffs)
		}
	}
}

// TestRestoreLosesAConflictNobodyPulled is the chaos run's seed
// 1796595462329902333 (issue 13): A edits a person's notes offline; B
// edits them later and syncs; HQ is restored and B's value comes back. A
// then syncs: its resync pulls B's value before A's queued edit goes, and
// HQ logs A's as the loser, but the run ends before A pulls that conflict
// row, and HQ is restored again from a backup taken before it. A's device
// has by then pulled B's value (its cursor is past it), so its own edit,
// sent again as a value older than HQ's, would count as having seen B's:
// the op HQ answered "conflict" must go again as it was (base 0), and HQ
// logs the conflict afresh.
func TestRestoreLosesAConflictNobodyPulled(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := &world{now: time.Now().UTC().Truncate(time.Second)}
			h := newRestorableHQ(t, w, kind)
			a, b := h.device("a", ma), h.device("b", ma)
			p := safeer.Person{NameEn: "Hamad", Governorate: ma, Notes: "first"}
			if err := a.store.AddPerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			b.mustSync()
			h.backup()

			w.advance(time.Minute)
			a.edit(p.ID, func(p *safeer.Person) { p.Notes = "by A" })
			w.advance(time.Minute)
			b.edit(p.ID, func(p *safeer.Person) { p.Notes = "by B" })
			b.mustSync()
			w.advance(time.Minute)
			h.restoreBackup()
			if rep := b.mustSync(); !rep.Resynced {
				t.Fatalf("b: no resync: %+v", rep)
			}
			h.backup() // B's value is in it, A's is not

			w.advance(time.Minute)
			rep := a.mustSync()
			if !rep.Resynced || rep.Conflict != 1 {
				t.Fatalf("a: want a resync whose push HQ answers with a conflict: %+v", rep)
			}
			if cs, _ := a.store.Conflicts(ctx, true); len(cs) != 0 {
				t.Fatalf("a pulled the conflict already (the story needs it not to): %+v", cs)
			}
			w.advance(time.Minute)
			h.restoreBackup()
			for range 2 {
				a.mustSync()
				b.mustSync()
			}
			for _, d := range []*clockBackDevice{a, b} {
				got, err := d.store.Person(ctx, p.ID)
				if err != nil || got.Notes != "by B" {
					t.Fatalf("%s: notes %q (%v), want B's", d.name, got.Notes, err)
				}
				cs, err := d.store.Conflicts(ctx, true)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range cs {
					if c.RowID == p.ID && c.Field == "notes" && c.Loser == "by A" && c.Winner == "by B" {
						found = true
					}
				}
				if !found {
					t.Fatalf("%s: A's edit is in no conflict row: %+v", d.name, cs)
				}
			}
		})
	}
}

// TestPushOfAnotherEpochIsRefused: a push whose cursor is of another epoch
// (the device last pulled from HQ before its restore) is answered 409
// must_resync and applies nothing, on both stores: its base revisions
// are numbers of the old epoch, which read against the new ones would
// hide conflicts. Without a cursor (a device that never pulled, an older
// Safeer) the push goes through.
func TestPushOfAnotherEpochIsRefused(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := &world{now: time.Now().UTC().Truncate(time.Second)}
			h := newRestorableHQ(t, w, kind)
			a := h.device("a", ma)
			p := safeer.Person{NameEn: "Hamad", Governorate: ma}
			if err := a.store.AddPerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			h.backup()
			h.restoreBackup()
			st, err := a.store.SyncState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			a.edit(p.ID, func(p *safeer.Person) { p.Notes = "after the restore" })
			ops, err := a.store.Outbox(ctx, 0, 10)
			if err != nil || len(ops) != 1 {
				t.Fatalf("outbox %+v %v", ops, err)
			}
			push := func(cursor string) int {
				body, _ := json.Marshal(protocol.PushRequest{Clock: a.store.Clock().String(), Ops: []protocol.Op{ops[0].Op}, Cursor: cursor})
				req, _ := http.NewRequest(http.MethodPost, h.hs.URL+protocol.PathPush, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+st.Token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var e protocol.ErrorResponse
				if resp.StatusCode != http.StatusOK {
					json.NewDecoder(resp.Body).Decode(&e)
					if e.Error != protocol.ErrMustResync {
						t.Fatalf("push answered %d %+v", resp.StatusCode, e)
					}
				}
				return resp.StatusCode
			}
			if code := push(st.Cursor); code != http.StatusConflict {
				t.Fatalf("a push with the old epoch's cursor %s was answered %d", st.Cursor, code)
			}
			if row, _, err := rowAt(ctx, h.st, "person", p.ID); err != nil || strings.Contains(string(row.Data), "after the restore") {
				t.Fatalf("HQ applied the refused push: %s %v", row.Data, err)
			}
			if code := push(""); code != http.StatusOK {
				t.Fatalf("a push without a cursor was answered %d", code)
			}
			if row, _, err := rowAt(ctx, h.st, "person", p.ID); err != nil || !strings.Contains(string(row.Data), "after the restore") {
				t.Fatalf("HQ did not apply the push: %s %v", row.Data, err)
			}
		})
	}
}

// TestRestoreCutResyncPullsFirst is the chaos run's seed
// 1796595299651618024 (issue 13): a device made a person HQ then lost in
// its restore, and edits them offline. Its first run after the restore
// starts the resync, but the full pull is cut. The next run must not push
// the queued edit before the resync has queued the person again (HQ,
// which no longer holds the person, refused the edit for good: "the
// person has no governorate"): it pulls first, then pushes the person,
// then the edit. Nothing is refused, and HQ ends with the edit.
func TestRestoreCutResyncPullsFirst(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := &world{now: time.Now().UTC().Truncate(time.Second)}
			h := newRestorableHQ(t, w, kind)
			a := h.device("a", ma)
			a.mustSync()
			h.backup()
			w.advance(time.Minute)
			p := safeer.Person{NameEn: "Hamad", Governorate: ma, Phone: "91234567"}
			if err := a.store.AddPerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			w.advance(time.Minute)
			h.restoreBackup()
			a.edit(p.ID, func(p *safeer.Person) { p.Notes = "after the restore" })

			h.failPull.Store(true)
			if _, err := a.sync.Sync(ctx); err == nil {
				t.Fatal("the resync's pull went through a broken link")
			}
			h.failPull.Store(false)
			if n, _ := a.store.ResyncPending(ctx); n == 0 {
				t.Fatal("no resync under way after the cut run")
			}
			a.mustSync() // fails on any refusal
			a.mustSync()
			if rej, _ := a.store.RejectedOps(ctx, 10); len(rej) != 0 {
				t.Fatalf("refused: %+v", rej)
			}
			row, found, err := rowAt(ctx, h.st, "person", p.ID)
			if err != nil || !found || !strings.Contains(string(row.Data), "after the restore") || !strings.Contains(string(row.Data), ma) {
				t.Fatalf("HQ's person: %s (found %v, %v)", row.Data, found, err)
			}
		})
	}
}

// TestRestoreAfterLostAnswer is the chaos run's seed 1796598404638725209
// (issue 13): HQ applies a device's push but the answer is lost, so the op
// stays queued; HQ is backed up (the op in it) and restored. The device's
// resync sends the op again: under its first id with base 0 it differed
// from what HQ's backup recorded for that id, and HQ refused it for good
// (op_id_reused). It goes re-asserted, with an id of its own, and HQ
// takes it as the value it already has.
func TestRestoreAfterLostAnswer(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			w := &world{now: time.Now().UTC().Truncate(time.Second)}
			h := newRestorableHQ(t, w, kind)
			a := h.device("a", ma)
			p := safeer.Person{NameEn: "Hamad", Governorate: ma}
			if err := a.store.AddPerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			w.advance(time.Minute)
			a.edit(p.ID, func(p *safeer.Person) { p.Notes = "answer lost" })
			h.losePush.Store(true)
			if _, err := a.sync.Sync(ctx); err == nil {
				t.Fatal("the push's answer came through a broken link")
			}
			h.losePush.Store(false)
			if n, _ := a.store.OutboxLen(ctx); n != 1 {
				t.Fatalf("%d ops queued, want the one whose answer was lost", n)
			}
			h.backup()
			w.advance(time.Minute)
			h.restoreBackup()
			for range 2 {
				a.mustSync() // fails on any refusal
			}
			if rej, _ := a.store.RejectedOps(ctx, 10); len(rej) != 0 {
				t.Fatalf("refused: %+v", rej)
			}
			row, _, err := rowAt(ctx, h.st, "person", p.ID)
			if err != nil || !strings.Contains(string(row.Data), "answer lost") {
				t.Fatalf("HQ's person: %s %v", row.Data, err)
			}
		})
	}
}
