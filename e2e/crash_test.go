package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/faultproxy"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
)

// TestSyncKilledAtRandomMoments kills a real `safeer sync` with SIGKILL at
// random moments, many times, while the device keeps editing offline and
// another device feeds it changes to pull; now and then HQ's process is
// killed mid-sync instead and started again on the same database. After a
// final clean sync, nothing the device committed is lost or doubled: HQ
// has every op of it applied once, the last value the device wrote to each
// field, and the device holds exactly HQ's rows.
func TestSyncKilledAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SAFEER_CRASH_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rnd := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d (SAFEER_CRASH_SEED=%d replays the same kill times and edits)", seed, seed)
	// $SAFEER_CRASH_KILLS runs (25 in CI; make soak asks for 1,000,
	// stopping early at $SAFEER_SOAK_UNTIL).
	kills := envInt(t, "SAFEER_CRASH_KILLS", 25)
	deadline := soakDeadline(t)
	started := time.Now()

	hqDB := filepath.Join(t.TempDir(), "hq.db")
	h := startHQ(t, hqDB, "127.0.0.1:0")
	// A little latency on every exchange spreads a sync over a few hundred
	// milliseconds, so the kills land in all of its steps.
	px, err := faultproxy.Start(h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	px.Always(faultproxy.Slow(0, 15*time.Millisecond))

	crash, other := newDevice(t, "crash"), newDevice(t, "other")
	crash.enrolVia(h, "http://"+px.Addr(), "OM-MA")
	other.enrol(h, "OM-MA")

	crashEd := &editor{t: t, path: crash.db, rnd: rnd, last: map[string]string{}, ops: map[string]bool{}}
	otherEd := &editor{t: t, path: other.db, rnd: rnd, last: map[string]string{}, ops: map[string]bool{}}
	crashEd.edit(ctx, 600) // a backlog: the first syncs push for a while
	finishedFirst, hqKills := 0, 0
	phases := map[string]int{}
	window := 600 * time.Millisecond // the kills land within this of the start
	runs := 0
	for i := range kills {
		if pastDeadline(deadline) {
			break
		}
		runs++
		crashEd.edit(ctx, 1+rnd.IntN(120))
		if i%3 == 0 {
			otherEd.edit(ctx, 1+rnd.IntN(60))
			other.must("sync")
		}
		before := crashEd.state(ctx)
		cmd := safeerCommand(context.Background(), crash.db, "C.UTF-8", "sync", "--json")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// safeer takes ~150 ms to start on an idle machine; the kills
		// spread over what follows.
		time.Sleep(time.Duration(rnd.Int64N(int64(window) + 1)))
		if i%6 == 5 {
			// HQ dies mid-sync instead; the device is killed a moment
			// later, while it retries.
			h.kill()
			hqKills++
			time.Sleep(time.Duration(rnd.IntN(100)) * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && !ws.Signaled() {
			finishedFirst++ // the sync was quicker than the kill
			// Kill sooner next time, so the kills keep landing mid-sync
			// rather than after it (on a long run the window would
			// otherwise only grow).
			window = max(window*4/5, 100*time.Millisecond)
		}
		after := crashEd.state(ctx)
		switch {
		case after.outbox == before.outbox && after.cursor == before.cursor:
			phases["before any answer"]++
			// On a loaded machine the program starts slower: give the
			// next kills longer, so they still land in every step.
			window = min(window*5/4, 10*time.Second)
		case after.outbox > 0 && after.cursor == before.cursor:
			phases["mid-push"]++
		case after.cursor == before.cursor:
			phases["after the push"]++
		default:
			phases["mid-pull or later"]++
		}
		if h.cmd.ProcessState != nil {
			h = startHQ(t, hqDB, h.addr)
		}
	}
	t.Logf("%d runs of safeer sync sent SIGKILL (%d had finished by then), %d of safeer-hq; %d edits (%d ops) on the device; the device's state at the kills: %v; kills within %v of the start at the end; %v",
		runs, finishedFirst, hqKills, crashEd.edits, len(crashEd.ops), phases, window, time.Since(started).Round(time.Second))
	if phases["before any answer"] == runs {
		t.Fatal("every kill came before the sync got anywhere: the test proves nothing")
	}

	// A clean sync after the crashes, then everyone again until quiet.
	for _, d := range []*dev{crash, other, crash} {
		d.sync()
	}
	if r := crash.sync(); r.Pushed != 0 || r.Pulled != 0 {
		t.Fatalf("still moving after the final syncs: %+v", r)
	}
	h.stop()

	st, err := sqlite.Open(ctx, hqDB)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	final, err := synccheck.HQDump(ctx, st, []string{"OM-MA"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ed := range []*editor{crashEd, otherEd} {
		s, err := openDevice(ctx, ed.path)
		if err != nil {
			t.Fatalf("%s after the kills: %v", filepath.Base(ed.path), err)
		}
		var check string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("%s: integrity check %q %v", filepath.Base(ed.path), check, err)
		}
		c, err := s.SyncCounts(ctx)
		if err != nil || c.OpsWaiting != 0 || c.RejectedOps != 0 {
			t.Fatalf("%s: %+v %v", filepath.Base(ed.path), c, err)
		}
		got, err := synccheck.DeviceDump(ctx, s)
		devID := s.DeviceID()
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if diffs := synccheck.Compare(final, got); len(diffs) > 0 {
			t.Fatalf("%s differs from HQ in %d places:\n%s", filepath.Base(ed.path), len(diffs), strings.Join(diffs[:min(len(diffs), 20)], "\n"))
		}
		// Every committed edit reached HQ: the last value written to each
		// field is HQ's (no other device wrote these rows)…
		for _, key := range sortedKeys(ed.last) {
			table, rest, _ := strings.Cut(key, "/")
			row, field, _ := strings.Cut(rest, "/")
			if cell, ok := final[table+"/"+row][field]; !ok || cell.V != ed.last[key] {
				t.Fatalf("%s: %s is %q at HQ, the device last wrote %q", filepath.Base(ed.path), key, cell.V, ed.last[key])
			}
		}
		// …and every op is recorded as applied at HQ.
		err = st.Write(ctx, func(tx hq.Tx) error {
			for id := range ed.ops {
				if _, ok, err := tx.AppliedOp(ctx, devID, id); err != nil || !ok {
					return fmt.Errorf("op %s is not applied at HQ (%v)", id, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// enrolVia enrols the device with HQ's code but through another address
// (a proxy in front of HQ).
func (d *dev) enrolVia(h *hqProc, url string, govs ...string) {
	d.t.Helper()
	args := []string{"enrol", "--name", d.name}
	for _, g := range govs {
		args = append(args, "--governorate", g)
	}
	code := h.admin(args...)
	var res struct {
		DeviceID string `json:"device_id"`
	}
	d.json(&res, "enrol", "--hq", url, "--code", code, "--name", d.name)
	d.id = res.DeviceID
}

// kill ends safeer-hq with SIGKILL: no shutdown, transactions cut short.
func (h *hqProc) kill() {
	h.cmd.Process.Kill()
	<-h.done
}

// editor makes offline edits on a device's database, in this process
// (no safeer process runs on it meanwhile), and remembers the last value
// written to each field and the id of every op.
type editor struct {
	t      *testing.T
	path   string
	rnd    *rand.Rand
	people []string
	last   map[string]string // table/row/field → canonical value
	ops    map[string]bool
	seq    int64
	edits  int
}

func (e *editor) edit(ctx context.Context, n int) {
	e.t.Helper()
	s, err := openDevice(ctx, e.path)
	if err != nil {
		e.t.Fatalf("open %s: %v", e.path, err)
	}
	defer s.Close()
	for range n {
		e.edits++
		var err error
		switch k := e.rnd.IntN(10); {
		case k < 3 || len(e.people) < 5:
			p := safeer.Person{NameEn: fmt.Sprintf("Person %d", e.edits), Governorate: "OM-MA",
				Phone: fmt.Sprintf("9%07d", e.rnd.IntN(10_000_000))}
			if err = s.AddPerson(ctx, &p); err == nil {
				e.people = append(e.people, p.ID)
			}
		case k < 9:
			var p safeer.Person
			if p, err = s.Person(ctx, e.people[e.rnd.IntN(len(e.people))]); err != nil || p.Deleted {
				break
			}
			if k < 6 {
				p.Notes = fmt.Sprintf("note %d", e.edits)
			} else {
				p.Phone = fmt.Sprintf("9%07d", e.rnd.IntN(10_000_000))
			}
			err = s.UpdatePerson(ctx, &p)
		default:
			err = s.DeletePerson(ctx, e.people[e.rnd.IntN(len(e.people))])
		}
		if err != nil {
			e.t.Fatalf("edit %d: %v", e.edits, err)
		}
	}
	// What the edits committed, from the outbox they wrote.
	edits, last, err := synccheck.NewEdits(ctx, s, "", e.seq, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.seq = last
	for _, ed := range edits {
		e.last[ed.Key()] = ed.Value
		e.ops[ed.OpID] = true
	}
}

type deviceState struct {
	outbox int
	cursor string
}

// state reads the device's outbox length and pull cursor.
func (e *editor) state(ctx context.Context) deviceState {
	e.t.Helper()
	s, err := openDevice(ctx, e.path)
	if err != nil {
		e.t.Fatalf("open %s: %v", e.path, err)
	}
	defer s.Close()
	n, err := s.OutboxLen(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return deviceState{outbox: n, cursor: st.Cursor}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
