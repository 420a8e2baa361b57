package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/faultproxy"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

// soakDeadline is when a soak run wants this test to stop starting new
// work ($SAFEER_SOAK_UNTIL, RFC 3339; set by scripts/soak.sh): the test
// then checks what it did and reports how much that was. Zero without.
func soakDeadline(t *testing.T) time.Time {
	t.Helper()
	s := os.Getenv("SAFEER_SOAK_UNTIL")
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("SAFEER_SOAK_UNTIL=%q: %v", s, err)
	}
	return d
}

func pastDeadline(d time.Time) bool { return !d.IsZero() && time.Now().After(d) }

// envInt reads a count from the environment, else def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 {
		t.Fatalf("%s=%q is not a count", name, s)
	}
	return n
}

// chaosDev is a device of the chaos run: its database (edited in this
// process between syncs, synced by real safeer processes) and what it did.
type chaosDev struct {
	*dev
	govs    []string
	lastSeq int64
}

// chaos is one run: HQ (a real safeer-hq behind a slow proxy), four
// devices in two governorates, and everything they committed.
type chaos struct {
	t     *testing.T
	ctx   context.Context
	rnd   *rand.Rand
	hqDB  string
	h     *hqProc
	devs  []*chaosDev
	edits []synccheck.Edit
	n     int

	actions                               map[string]int
	syncs, killed, finishedFirst, hqKills int
	refusedOutOfScope, refusedKept, ops   int
	backup                                string    // a copy of HQ's database
	backupAt                              time.Time // when it was made
	lost                                  [][2]time.Time
	backups, restores, lostMovedAway      int
	moves                                 map[string][]time.Time // person id → when a device moved them
}

// TestChaos runs real processes through random offline work and broken
// syncs, then checks that nothing committed was lost. Four devices (two in
// Muscat, one in Ad Dakhiliyah, one enrolled for both) add, edit, delete
// and merge people, add workshops, check people in and out, resolve
// conflicts and (the one enrolled for both) move people between the
// governorates, all offline; between rounds each runs a real `safeer sync`
// through a slowed link, and about half of those are SIGKILLed at a random
// moment; now and then safeer-hq is SIGKILLed mid-sync and started again
// on its database. After a last clean round until nothing moves:
//   - no device has ops waiting; ops HQ refused are kept on the device
//     and refused only because their row left the device's governorates;
//   - every device holds exactly HQ's rows of its governorates (values and
//     stamps), except the fields an op HQ refused set, which keep the
//     refused value (counted in the log line: a known limit);
//   - every committed edit (read from the devices' outboxes) is the final
//     value of its field, or was replaced by a later edit made on a device
//     that had it, or is in the conflict log as the loser
//     (synccheck.CheckEdits), unless HQ refused its op as above.
//
// With $SAFEER_CHAOS_RESTORE=1, HQ's database is also backed up now and
// then and restored from its backup (with reset-epoch) now and then.
// In CI it is short ($SAFEER_CHAOS_ROUNDS, default 4); `make soak` runs
// it for its share of the soak's time ($SAFEER_SOAK_UNTIL).
// $SAFEER_CHAOS_SEED replays a run's choices (not its timings).
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SAFEER_CHAOS_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (SAFEER_CHAOS_SEED=%d replays the same choices)", seed, seed)
	rounds := envInt(t, "SAFEER_CHAOS_ROUNDS", 4)
	// HQ restored from a backup only when asked ($SAFEER_CHAOS_RESTORE=1):
	// CI runs a short chaos with restores of its own (.ci/run), outside
	// make test's -race.
	restores := os.Getenv("SAFEER_CHAOS_RESTORE") == "1"
	deadline := soakDeadline(t)
	started := time.Now()

	c := &chaos{t: t, ctx: context.Background(), rnd: rand.New(rand.NewPCG(seed, 13)), actions: map[string]int{}, moves: map[string][]time.Time{}}
	c.hqDB = filepath.Join(t.TempDir(), "hq.db")
	c.h = startHQ(t, c.hqDB, "127.0.0.1:0")
	px, err := faultproxy.Start(c.h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	px.Always(faultproxy.Slow(0, 25*time.Millisecond))
	for i, govs := range [][]string{{"OM-MA"}, {"OM-MA"}, {"OM-DA"}, {"OM-MA", "OM-DA"}} {
		d := &chaosDev{dev: newDevice(t, fmt.Sprintf("d%d", i)), govs: govs}
		d.enrolVia(c.h, "http://"+px.Addr(), govs...)
		c.devs = append(c.devs, d)
	}
	// A roster everyone has: a few people and a workshop per governorate.
	for _, gov := range []string{"OM-MA", "OM-DA"} {
		for _, d := range c.devs {
			if slices.Contains(d.govs, gov) {
				c.offline(d, func(s *data.Store) {
					for range 4 {
						c.record(s, d, func() { c.addPerson(s, d, gov) })
					}
					c.record(s, d, func() { c.addWorkshop(s, d, gov) })
				})
				break
			}
		}
	}
	c.settle()

	done := 0
	for round := 0; round < rounds && !pastDeadline(deadline); round++ {
		// HQ's database is backed up now and then, and restored from its
		// backup (losing what came after) now and then: in a short run,
		// once each.
		switch {
		case !restores:
		case round == 1 || round > 3 && c.rnd.IntN(6) == 0:
			c.backupHQ()
		case c.backup != "" && (round == rounds-2 || round > 3 && c.rnd.IntN(10) == 0):
			c.restoreHQ()
		}
		for _, d := range c.devs {
			if c.rnd.IntN(4) > 0 {
				c.offline(d, func(s *data.Store) {
					for range 1 + c.rnd.IntN(12) {
						c.record(s, d, func() { c.act(s, d) })
					}
				})
			}
		}
		for _, i := range c.rnd.Perm(len(c.devs)) {
			c.chaoticSync(c.devs[i])
		}
		done++
	}
	c.settle()
	c.check()
	t.Logf("chaos: %d rounds in %v; %d offline actions %v, %d ops, %d edited fields; %d syncs started, %d SIGKILLed (%d had finished first), %d safeer-hq SIGKILLs; HQ backed up %d times, restored from a backup %d times (%d edits it lost of people then moved out of their author's governorate); %d ops refused as out of scope (kept on the device; %d of their fields left differing from HQ)",
		done, time.Since(started).Round(time.Second), sum(c.actions), c.actions, c.ops, len(c.edits),
		c.syncs, c.killed, c.finishedFirst, c.hqKills, c.backups, c.restores, c.lostMovedAway, c.refusedOutOfScope, c.refusedKept)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// offline opens d's database in this process (no safeer runs on it then)
// and runs fn, which records its actions (see record).
func (c *chaos) offline(d *chaosDev, fn func(s *data.Store)) {
	c.t.Helper()
	s, err := openDevice(c.ctx, d.db)
	if err != nil {
		c.t.Fatalf("open %s: %v", d.name, err)
	}
	defer s.Close()
	fn(s)
}

// record runs fn (one action) and keeps the edits it made, each with the
// stamp its field had just before (the edit it replaced, which its author
// had seen).
func (c *chaos) record(s *data.Store, d *chaosDev, fn func()) {
	c.t.Helper()
	before, err := synccheck.FieldStamps(c.ctx, s)
	if err != nil {
		c.t.Fatal(err)
	}
	// Ops a sync queued (rows re-asserted after HQ's restore) are not
	// this action's edits: start after the newest seq ever handed out.
	if err := s.DB().QueryRowContext(c.ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)`).Scan(&d.lastSeq); err != nil {
		c.t.Fatal(err)
	}
	fn()
	edits, last, err := synccheck.NewEdits(c.ctx, s, d.name, d.lastSeq, before)
	if err != nil {
		c.t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, e := range edits {
		ops[e.OpID] = true
	}
	c.ops += len(ops)
	d.lastSeq = last
	c.edits = append(c.edits, edits...)
}

func (c *chaos) must(d *chaosDev, what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("%s: %s: %v", d.name, what, err)
	}
}

func (c *chaos) unique(d *chaosDev) string {
	c.n++
	return fmt.Sprintf("%s-%d", d.name, c.n)
}

func (c *chaos) addPerson(s *data.Store, d *chaosDev, gov string) safeer.Person {
	v := c.unique(d)
	p := safeer.Person{NameEn: "P " + v, Governorate: gov, Phone: fmt.Sprintf("9%07d", c.n), Notes: v}
	c.must(d, "add person", s.AddPerson(c.ctx, &p))
	return p
}

func (c *chaos) addWorkshop(s *data.Store, d *chaosDev, gov string) {
	w := safeer.Workshop{TitleEn: "W " + c.unique(d), Date: "2026-05-01", Hours: 3, Governorate: gov}
	c.must(d, "add workshop", s.AddWorkshop(c.ctx, &w))
}

type chaosPerson struct {
	id, gov, merged string
}

// livePeople are d's people not deleted (merged ones included).
func (c *chaos) livePeople(s *data.Store) []chaosPerson {
	rows, err := s.DB().QueryContext(c.ctx, `SELECT id, governorate, merged_into FROM person WHERE deleted = 0 ORDER BY id`)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	var out []chaosPerson
	for rows.Next() {
		var p chaosPerson
		if err := rows.Scan(&p.id, &p.gov, &p.merged); err != nil {
			c.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (c *chaos) column(s *data.Store, query string) []string {
	rows, err := s.DB().QueryContext(c.ctx, query)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			c.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func pickOne[T any](rnd *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rnd.IntN(len(xs))], true
}

// What a device may do offline, weighted by repetition.
var chaosActions = []string{
	"add person", "edit person", "edit person", "edit person", "edit person", "edit person",
	"delete person", "merge people", "add workshop", "attend", "attend", "attend new person",
	"unattend", "resolve conflict", "move person",
}

// act does one random offline action on d's store.
func (c *chaos) act(s *data.Store, d *chaosDev) {
	c.t.Helper()
	act := chaosActions[c.rnd.IntN(len(chaosActions))]
	gov := d.govs[c.rnd.IntN(len(d.govs))]
	people := c.livePeople(s)
	switch act {
	case "add person":
		c.addPerson(s, d, gov)
	case "edit person":
		hot := people
		if len(hot) > 5 && c.rnd.IntN(4) > 0 {
			hot = hot[:5] // mostly the roster everyone has: edits meet
		}
		p, ok := pickOne(c.rnd, hot)
		if !ok {
			return
		}
		cur, err := s.Person(c.ctx, p.id)
		c.must(d, act, err)
		v := c.unique(d)
		switch c.rnd.IntN(4) {
		case 0:
			cur.Notes = v
		case 1:
			cur.Organisation = v
		case 2:
			cur.Phone = fmt.Sprintf("9%07d", c.n)
		default:
			cur.NameEn = "P " + v
		}
		c.must(d, act, s.UpdatePerson(c.ctx, &cur))
	case "delete person":
		if p, ok := pickOne(c.rnd, people); ok {
			c.must(d, act, s.DeletePerson(c.ctx, p.id))
		}
	case "merge people":
		var cands []chaosPerson
		for _, p := range people {
			if p.merged == "" {
				cands = append(cands, p)
			}
		}
		from, ok1 := pickOne(c.rnd, cands)
		into, ok2 := pickOne(c.rnd, cands)
		if !ok1 || !ok2 || from.id == into.id {
			return
		}
		if _, err := s.MergePeople(c.ctx, from.id, into.id, nil); err != nil && !errors.Is(err, data.ErrMergeSelf) {
			c.must(d, act, err)
		}
	case "add workshop":
		c.addWorkshop(s, d, gov)
	case "attend", "attend new person":
		w, ok := pickOne(c.rnd, c.column(s, `SELECT id FROM workshop WHERE deleted = 0 ORDER BY id`))
		if !ok {
			return
		}
		var pid string
		if act == "attend new person" {
			pid = c.addPerson(s, d, gov).ID
		} else {
			p, ok := pickOne(c.rnd, people)
			if !ok {
				return
			}
			pid = p.id
		}
		a := safeer.Attendance{WorkshopID: w, PersonID: pid, Status: safeer.Present, Hours: float64(1 + c.rnd.IntN(3))}
		c.must(d, act, s.Attend(c.ctx, &a))
	case "unattend":
		if id, ok := pickOne(c.rnd, c.column(s, `SELECT workshop_id || '/' || person_id FROM attendance WHERE deleted = 0 ORDER BY id`)); ok {
			w, p, _ := strings.Cut(id, "/")
			c.must(d, act, s.Unattend(c.ctx, w, p))
		}
	case "resolve conflict":
		if id, ok := pickOne(c.rnd, c.column(s, `SELECT id FROM conflict WHERE resolved = 0 ORDER BY id`)); ok {
			take := data.TakeWinner
			if c.rnd.IntN(2) == 0 {
				take = data.TakeLoser
			}
			c.must(d, act, s.ResolveConflict(c.ctx, id, take))
		}
	case "move person":
		// Only a device enrolled for both governorates may move a row
		// between them.
		if len(d.govs) < 2 {
			return
		}
		p, ok := pickOne(c.rnd, people)
		if !ok {
			return
		}
		cur, err := s.Person(c.ctx, p.id)
		c.must(d, act, err)
		if cur.Governorate == "OM-MA" {
			cur.Governorate = "OM-DA"
		} else {
			cur.Governorate = "OM-MA"
		}
		cur.Wilayat = ""
		c.must(d, act, s.UpdatePerson(c.ctx, &cur))
		c.moves[p.id] = append(c.moves[p.id], time.Now())
	}
	c.actions[act]++
}

// chaoticSync runs a real `safeer sync` on d and, half the time, kills it
// with SIGKILL at a random moment; one sync in eight kills safeer-hq
// instead (mid-sync) and starts it again on its database.
func (c *chaos) chaoticSync(d *chaosDev) {
	c.t.Helper()
	c.syncs++
	cmd := safeerCommand(context.Background(), d.db, "C.UTF-8", "sync", "--json")
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	killed := true
	switch k := c.rnd.IntN(8); {
	case k == 0:
		time.Sleep(time.Duration(c.rnd.IntN(450)) * time.Millisecond)
		c.h.kill()
		c.hqKills++
		time.Sleep(time.Duration(c.rnd.IntN(100)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		c.killed++
	case k < 4:
		time.Sleep(time.Duration(c.rnd.IntN(450)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		c.killed++
	default:
		killed = false
	}
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && killed && !ws.Signaled() {
		c.finishedFirst++ // the sync was quicker than the kill
	}
	if c.h.cmd.ProcessState != nil {
		c.h = startHQ(c.t, c.hqDB, c.h.addr)
	}
}

// backupHQ stops safeer-hq, copies its database and starts it again.
func (c *chaos) backupHQ() {
	c.t.Helper()
	c.h.stop()
	c.backup = filepath.Join(c.t.TempDir(), "hq-backup.db")
	copyFile(c.t, c.hqDB, c.backup)
	c.backupAt = time.Now()
	c.backups++
	c.h = startHQ(c.t, c.hqDB, c.h.addr)
}

// restoreHQ stops safeer-hq, puts the backup in place of its database,
// runs `safeer-hq reset-epoch` (as an administrator restoring one must)
// and starts it again: devices then push, resync and re-assert what HQ
// lost.
func (c *chaos) restoreHQ() {
	c.t.Helper()
	c.h.stop()
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(c.hqDB + side); err != nil && !os.IsNotExist(err) {
			c.t.Fatal(err)
		}
	}
	copyFile(c.t, c.backup, c.hqDB)
	c.lost = append(c.lost, [2]time.Time{c.backupAt, time.Now()})
	c.t.Logf("chaos: HQ restored, losing what came from %d to %d (ms)", c.backupAt.UnixMilli(), time.Now().UnixMilli())
	c.h.admin("reset-epoch")
	c.restores++
	c.h = startHQ(c.t, c.hqDB, c.h.addr)
}

// copyFile copies a stopped SQLite database: its file and, if the stop
// was not clean (safeer-hq did not stop within its time and was killed),
// its write-ahead log, which a copy of the database needs as much.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	for _, side := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + side)
		if side != "" && os.IsNotExist(err) {
			if err := os.Remove(to + side); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if side != "" {
			t.Logf("chaos: %s has a write-ahead log after the stop; copied with it", from)
		}
		if err := os.WriteFile(to+side, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// settle syncs every device (unbroken) until a whole round moves nothing.
func (c *chaos) settle() {
	c.t.Helper()
	for range 12 {
		moved := 0
		for _, d := range c.devs {
			r := d.sync()
			moved += r.Pushed + r.Pulled
		}
		if moved == 0 {
			return
		}
	}
	c.t.Fatal("still moving changes after 12 rounds of syncs")
}

// check compares every device with HQ and accounts for every edit.
func (c *chaos) check() {
	c.t.Helper()
	c.h.stop()
	st, err := sqlite.Open(c.ctx, c.hqDB)
	if err != nil {
		c.t.Fatal(err)
	}
	defer st.Close()
	all, err := synccheck.HQDump(c.ctx, st, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	refused := map[string]bool{}             // device/op id
	refusedStamps := map[string]bool{}       // table/row/field@stamp of refused ops
	rejected := map[string]data.RejectedOp{} // device/op id
	dumps := map[string]synccheck.Dump{}     // device name → its rows
	for _, d := range c.devs {
		s, err := openDevice(c.ctx, d.db)
		if err != nil {
			c.t.Fatal(err)
		}
		var integrity string
		if err := s.DB().QueryRowContext(c.ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
			c.t.Fatalf("%s: integrity check %q %v", d.name, integrity, err)
		}
		counts, err := s.SyncCounts(c.ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if counts.OpsWaiting != 0 {
			c.t.Fatalf("%s: %d ops still waiting", d.name, counts.OpsWaiting)
		}
		rej, err := s.RejectedOps(c.ctx, 100000)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, r := range rej {
			if r.Code != "out_of_scope" {
				c.t.Fatalf("%s: HQ refused op %s (%s %s): %s %s", d.name, r.Op.ID, r.Op.Table, r.Op.RowID, r.Code, r.Message)
			}
			refused[d.name+"/"+r.Op.ID] = true
			// This device's own value re-asserted after HQ's restore goes
			// in an op of its own: refused, it is kept on the device as
			// the edit's op would be. (Values of other devices in it are
			// their authors' edits, accounted for on their own.)
			for f, v := range r.Op.Fields {
				stamp := v.HLC
				if stamp == "" {
					stamp = r.Op.ID
				}
				if h, err := protocol.ParseHLC(stamp); err == nil && h.Device == d.id {
					refusedStamps[r.Op.Table+"/"+r.Op.RowID+"/"+f+"@"+stamp] = true
				}
			}
			rejected[d.name+"/"+r.Op.ID] = r
			c.refusedOutOfScope++
		}
		want, err := synccheck.HQDump(c.ctx, st, d.govs)
		if err != nil {
			c.t.Fatal(err)
		}
		got, err := synccheck.DeviceDump(c.ctx, s)
		s.Close()
		if err != nil {
			c.t.Fatal(err)
		}
		dumps[d.name] = got
		// A refused op gives way to HQ's copy (TakeBackRefused), except
		// one that made its row (HQ has none to give back): fields still
		// with a refused op's stamp that differ from HQ are counted and
		// reported, not failed (see docs/SYNC-DEVICE.md, Known limits).
		keptRefused := map[string]bool{}
		for _, r := range rej {
			for f, v := range r.Op.Fields {
				stamp := v.HLC
				if stamp == "" {
					stamp = r.Op.ID
				}
				if cell, ok := got[r.Op.Table+"/"+r.Op.RowID][f]; ok && cell.H == stamp {
					keptRefused[r.Op.Table+"/"+r.Op.RowID+"."+f] = true
				}
			}
		}
		var diffs []string
		for _, diff := range synccheck.Compare(want, got) {
			k, _, _ := strings.Cut(diff, ":")
			if keptRefused[k] {
				c.refusedKept++
				continue
			}
			diffs = append(diffs, diff)
		}
		if len(diffs) > 0 {
			c.t.Fatalf("%s (%s, device %s) differs from HQ in %d places:\n%s\n%s", d.name, strings.Join(d.govs, ","), d.id, len(diffs),
				strings.Join(diffs[:min(len(diffs), 25)], "\n"), c.story(diffs, rej))
		}
	}
	skip := func(e synccheck.Edit) bool {
		return refused[e.Device+"/"+e.OpID] || refusedStamps[e.Key()+"@"+e.Stamp]
	}
	kept := 0
	for _, e := range c.edits {
		if !skip(e) {
			kept++
		}
	}
	// A known limit (docs/SYNC-DEVICE.md): an edit HQ's restore lost, of
	// a person who then left the governorates of the device that made it
	// (which drops them at the exit), comes back only if a device of the
	// new governorate had pulled it. Counted and reported: only an edit
	// of a device enrolled for one governorate, made inside a window a
	// restore lost, of a person moved to the other governorate after the
	// edit and before that restore.
	movedAway := func(e synccheck.Edit) bool {
		if e.Table != "person" {
			return false
		}
		for _, d := range c.devs {
			if d.name == e.Device && len(d.govs) > 1 {
				return false
			}
		}
		h, err := protocol.ParseHLC(e.Stamp)
		if err != nil {
			return false
		}
		for _, span := range c.lost {
			if h.Time().Before(span[0]) || h.Time().After(span[1]) {
				continue
			}
			for _, m := range c.moves[e.Row] {
				if m.After(h.Time()) && m.Before(span[1]) {
					return true
				}
			}
		}
		return false
	}
	problems := synccheck.CheckEditsExcept(all, c.edits, skip)
	if len(problems) > 0 {
		c.lostMovedAway = len(problems)
		problems = synccheck.CheckEditsExcept(all, c.edits, func(e synccheck.Edit) bool { return skip(e) || movedAway(e) })
		c.lostMovedAway -= len(problems)
	}
	if len(problems) > 0 {
		c.t.Fatalf("%d of %d edits unaccounted for:\n%s\n%s", len(problems), kept, strings.Join(problems[:min(len(problems), 25)], "\n"), c.editStory(st, all, problems, rejected, dumps))
	}
}

// story tells what the run did to the rows of diffs (for a failure): the
// devices' ids, every recorded edit of those rows, and the refused ops.
func (c *chaos) story(diffs []string, rej []data.RejectedOp) string {
	var b strings.Builder
	for _, d := range c.devs {
		fmt.Fprintf(&b, "%s is %s (%s)\n", d.name, d.id, strings.Join(d.govs, ","))
	}
	rows := map[string]bool{}
	for _, diff := range diffs {
		if k, _, ok := strings.Cut(diff, "."); ok {
			rows[k] = true
		}
	}
	for _, e := range c.edits {
		if rows[e.Table+"/"+e.Row] {
			fmt.Fprintf(&b, "edit by %s: %s = %q at %s (op %s, replaced %s)\n", e.Device, e.Field, e.Value, e.Stamp, e.OpID, e.Prev)
		}
	}
	for _, r := range rej {
		fmt.Fprintf(&b, "refused: %s %s/%s %s: %s\n", r.Op.ID, r.Op.Table, r.Op.RowID, r.Code, r.Message)
	}
	return b.String()
}

// editStory tells, for a failure of the edit check, every recorded edit
// of the fields that lost one, the conflict rows HQ holds about them, and
// the windows HQ's restores lost.
func (c *chaos) editStory(st hq.Store, all synccheck.Dump, problems []string, rejected map[string]data.RejectedOp, dumps map[string]synccheck.Dump) string {
	var b strings.Builder
	for _, d := range c.devs {
		fmt.Fprintf(&b, "%s is %s (%s)\n", d.name, d.id, strings.Join(d.govs, ","))
	}
	for _, span := range c.lost {
		fmt.Fprintf(&b, "HQ lost %x–%x (stamps)\n", span[0].UnixMilli(), span[1].UnixMilli())
	}
	keys := map[string]bool{}
	for _, p := range problems {
		if k, _, ok := strings.Cut(p, ":"); ok {
			k, _, _ = strings.Cut(k, " ")
			keys[k] = true
		}
	}
	for k := range keys {
		fmt.Fprintf(&b, "%s:\n", k)
		for _, e := range c.edits {
			if e.Key() == k {
				var at string
				var dev *chaosDev
				for _, d := range c.devs {
					if d.name == e.Device {
						dev = d
					}
				}
				st.Write(c.ctx, func(tx hq.Tx) error {
					a, found, err := tx.AppliedOp(c.ctx, dev.id, e.OpID)
					if found {
						at = " applied at HQ " + a.AppliedAt.Format("15:04:05.000")
					}
					return err
				})
				if r, ok := rejected[e.Device+"/"+e.OpID]; ok {
					at += " refused: " + r.Code + " " + r.Message
				}
				fmt.Fprintf(&b, "  edit by %s: %q at %s (op %s, replaced %s)%s\n", e.Device, e.Value, e.Stamp, e.OpID, e.Prev, at)
			}
		}
		table, rest, _ := strings.Cut(k, "/")
		rowID, field, _ := strings.Cut(rest, "/")
		if row, ok := all[table+"/"+rowID]; ok {
			fmt.Fprintf(&b, "  at HQ: %s = %s (%s); governorate %s\n", field, row[field].V, row[field].H, row["governorate"].V)
		}
		for _, d := range c.devs {
			if dump, ok := dumps[d.name]; ok {
				if row, ok := dump[table+"/"+rowID]; ok {
					fmt.Fprintf(&b, "  on %s: %s = %s (%s)\n", d.name, field, row[field].V, row[field].H)
				} else {
					fmt.Fprintf(&b, "  on %s: no such row\n", d.name)
				}
			}
		}
		for key, r := range rejected {
			if r.Op.Table == table && r.Op.RowID == rowID {
				if f, ok := r.Op.Fields[field]; ok {
					fmt.Fprintf(&b, "  refused on %s: op %s sets it to %v (%s): %s %s\n", key, r.Op.ID, f.Value, f.HLC, r.Code, r.Message)
				}
			}
		}
		for id, row := range all {
			if strings.HasPrefix(id, "conflict/") && row["tbl"].V+"/"+row["row_id"].V+"/"+row["field"].V == k {
				fmt.Fprintf(&b, "  conflict at HQ: winner %s (%s), loser %s (%s)\n", row["winner"].V, row["winner_hlc"].V, row["loser"].V, row["loser_hlc"].V)
			}
		}
	}
	return b.String()
}
