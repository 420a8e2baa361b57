package hq_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
	"pgregory.net/rapid"
)

// The property test of the whole sync: devices and HQ (the real server
// over a real store) converge whatever the devices do offline, whatever
// order they sync in and wherever their links break.
//
// A run is short by default (convergenceChecks random histories per
// backend, ~30-60 s under -race on two cores). For a longer hunt:
//
//	SAFEER_TEST_POSTGRES=$(scripts/pg-test.sh) go test ./hq/ -run TestConvergence -rapid.checks=500 -timeout=2h
//
// (RAPID_CHECKS=N does the same; `make soak` asks for 10,000 per HQ store
// and stops trying new ones at $SAFEER_SOAK_UNTIL.)
//
// (-rapid.seed=N replays a history; a failure prints the seed and writes a
// fail file under testdata/rapid/ that -rapid.failfile replays.)
const convergenceChecks = 16

// rapidChecks sets rapid's number of checks to n for the rest of the
// test, unless -rapid.checks or RAPID_CHECKS says otherwise.
func rapidChecks(t *testing.T, n int) {
	if rapidChecksGiven() {
		return
	}
	f := flag.Lookup("rapid.checks")
	old := f.Value.String()
	if err := f.Value.Set(strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}

// rapidChecksGiven is decided once, before rapidChecks changes the value.
var rapidChecksGiven = sync.OnceValue(func() bool {
	given := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "rapid.checks" {
			given = true
		}
	})
	return given
})

// soakDeadline is when `make soak` wants the run to stop trying new
// histories ($SAFEER_SOAK_UNTIL, RFC 3339): the ones left pass untried, and
// the log line counts only those run. Zero without.
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

// newDatabase makes an empty HQ database and returns how to open it (again
// and again: a restarted HQ opens the same database).
type newDatabase func(t *testing.T) func(ctx context.Context) (hq.Store, error)

// databases runs fn against SQLite and against PostgreSQL (pgtest: the
// PostgreSQL part fails when $SAFEER_TEST_POSTGRES names no server).
func databases(t *testing.T, fn func(t *testing.T, newDB newDatabase)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t *testing.T) func(ctx context.Context) (hq.Store, error) {
			path := filepath.Join(t.TempDir(), "hq.db")
			return func(ctx context.Context) (hq.Store, error) { return openSQLite(ctx, path) }
		})
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.Base(t)
		fn(t, func(t *testing.T) func(ctx context.Context) (hq.Store, error) {
			dsn := pgtest.DSN(t)
			return func(ctx context.Context) (hq.Store, error) { return openPostgres(ctx, dsn) }
		})
	})
}

const (
	ma = "OM-MA"
	da = "OM-DA"
)

// Scopes of the devices of a history, in order: most share Muscat, so
// they edit the same rows; one sees only Ad Dakhiliyah.
var convergenceScopes = [][]string{{ma}, {ma}, {ma, da}, {da}, {ma, da}}

// Faults a link may suffer during a sync (Pass twice: most exchanges work).
var linkFaults = []synccheck.Fault{synccheck.Pass, synccheck.Pass, synccheck.DropBefore, synccheck.LoseReply, synccheck.CutReply}

// What a device may do between syncs, weighted by repetition.
var offlineActions = []string{
	"add person", "add person",
	"edit person", "edit person", "edit person", "edit person", "edit person", "edit person", "edit person", "edit person",
	"delete person", "merge people",
	"add workshop", "edit workshop", "edit workshop", "delete workshop",
	"attend", "attend", "attend new person", "unattend",
	"resolve conflict",
	"same field on two devices", "same field on two devices",
	"sync", "sync", "sync", "sync", "sync",
}

type convergeStats struct {
	checks, edits, conflicts, merges, cuts, failedSyncs int
}

// TestConvergence: 3 to 5 devices (real stores, some sharing Muscat, one
// with Ad Dakhiliyah only, clocks up to 50 s apart) and HQ. A history is a
// random sequence of offline edits (people added, edited, deleted and
// merged; workshops; check-ins, including of people HQ has not seen yet
// and of one person on two devices; removals; conflicts resolved; the same
// field edited on two devices) and of syncs in random order over links
// that drop requests, lose replies after HQ committed or cut them half-way.
// Then everyone syncs over clean links until a round moves nothing, and:
//   - no device has ops waiting or refused;
//   - every device holds exactly HQ's rows of its governorates, every
//     field with the same value and the same stamp (synccheck.Compare);
//   - no edit is lost: each one recorded from the devices' outboxes is the
//     final value of its field, or replaced by a later edit made on a
//     device that had it, or in a conflict row as the loser (so every
//     losing value of a same-field concurrent edit is in the conflict log;
//     synccheck.CheckEdits).
func TestConvergence(t *testing.T) {
	deadline := soakDeadline(t)
	databases(t, func(t *testing.T, newDB newDatabase) {
		rapidChecks(t, convergenceChecks)
		var stats convergeStats
		rapid.Check(t, func(rt *rapid.T) {
			if !deadline.IsZero() && time.Now().After(deadline) {
				return // the soak's time is up: the rest pass untried, uncounted
			}
			h := &history{t: t, rt: rt, ctx: context.Background(), stats: &stats}
			defer h.close()
			h.run(newDB(t))
		})
		t.Logf("%d histories: %d edits, %d conflicts logged, %d merges, %d broken exchanges, %d syncs cut short",
			stats.checks, stats.edits, stats.conflicts, stats.merges, stats.cuts, stats.failedSyncs)
	})
}

// TestConvergenceTwoHQs is TestConvergence with HQ run as two processes
// on one PostgreSQL database, each device's requests alternating between
// them (a push to one, the pull to the other, the next push back): nothing
// in HQ may assume it is alone (clocks, sequence numbers, the merge-cycle
// repair, enrolment, the idempotency records).
func TestConvergenceTwoHQs(t *testing.T) {
	pgtest.Base(t)
	rapidChecks(t, convergenceChecks/2)
	var stats convergeStats
	rapid.Check(t, func(rt *rapid.T) {
		dsn := pgtest.DSN(t)
		h := &history{t: t, rt: rt, ctx: context.Background(), stats: &stats, twoHQs: true}
		defer h.close()
		h.run(func(ctx context.Context) (hq.Store, error) { return openPostgres(ctx, dsn) })
	})
	t.Logf("%d histories over two HQ processes: %d edits, %d conflicts logged, %d merges, %d broken exchanges, %d syncs cut short",
		stats.checks, stats.edits, stats.conflicts, stats.merges, stats.cuts, stats.failedSyncs)
}

// history is one random run: devices, their edits and syncs, and at the
// end the checks.
type history struct {
	t     *testing.T
	rt    *rapid.T
	ctx   context.Context
	stats *convergeStats

	twoHQs bool // devices alternate between hq and twin
	// files, when set, makes some syncs go by file (syncfile_converge_test.go).
	files *fileQueues

	dir   string
	hq    *synccheck.HQ
	twin  *synccheck.HQ
	devs  []*cdev
	edits []synccheck.Edit
	n     int // for unique values
}

type cdev struct {
	*synccheck.Device
	flaky   *synccheck.Flaky
	lastSeq int64
}

func (h *history) close() {
	for _, d := range h.devs {
		d.Close()
	}
	if h.hq != nil {
		h.hq.Close()
	}
	if h.twin != nil {
		h.twin.Close()
	}
	if h.dir != "" {
		os.RemoveAll(h.dir)
	}
}

func (h *history) fatalf(format string, args ...any) {
	h.rt.Helper()
	h.rt.Fatalf(format, args...)
}

func (h *history) run(open func(ctx context.Context) (hq.Store, error)) {
	ctx := h.ctx
	var err error
	if h.hq, err = synccheck.StartHQ(ctx, open, nil); err != nil {
		h.fatalf("start HQ: %v", err)
	}
	if h.twoHQs {
		if h.twin, err = h.hq.Twin(ctx); err != nil {
			h.fatalf("start the second HQ: %v", err)
		}
	}
	if h.dir, err = os.MkdirTemp(h.t.TempDir(), "history-"); err != nil {
		h.fatalf("%v", err)
	}
	n := rapid.IntRange(3, 5).Draw(h.rt, "devices")
	for i := range n {
		// Clocks a little off (under the two minutes the client corrects):
		// a fast device's edits win over later ones until others pull.
		skew := time.Duration(rapid.IntRange(-1, 1).Draw(h.rt, "skew")) * 50 * time.Second
		now := func() time.Time { return time.Now().Add(skew) }
		flaky := synccheck.NewFlaky()
		d, err := synccheck.NewDevice(ctx, h.hq, "", h.dir, fmt.Sprintf("d%d", i), convergenceScopes[i],
			[]data.Option{data.WithClock(now)},
			client.WithHTTPClient(&http.Client{Transport: flaky}),
			client.WithBackoff(client.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 3}),
			client.WithPullLimit(rapid.SampledFrom([]int{2, 7, 1000}).Draw(h.rt, "pull limit")))
		if err != nil {
			h.fatalf("device %d: %v", i, err)
		}
		if h.twin != nil {
			flaky.Alternate(h.hq.Addr(), h.twin.Addr())
		}
		h.devs = append(h.devs, &cdev{Device: d, flaky: flaky})
	}

	// A roster everyone has, so that offline edits meet: a few people
	// and a workshop per governorate, made on one device, synced to all.
	for _, gov := range []string{ma, da} {
		for _, d := range h.devs {
			if slices.Contains(d.Govs, gov) {
				for range 3 {
					h.do(d, "add person", gov)
				}
				h.do(d, "add workshop", gov)
				break
			}
		}
	}
	h.settle()

	steps := rapid.IntRange(5, 60).Draw(h.rt, "steps")
	for range steps {
		d := h.devs[rapid.IntRange(0, n-1).Draw(h.rt, "device")]
		act := rapid.SampledFrom(offlineActions).Draw(h.rt, "action")
		switch act {
		case "sync":
			if h.files != nil && rapid.Bool().Draw(h.rt, "by file") {
				h.fileStep(d)
			} else {
				h.sync(d)
			}
		case "same field on two devices":
			h.sameField(d, h.devs[rapid.IntRange(0, n-1).Draw(h.rt, "other device")])
		default:
			h.do(d, act)
		}
	}
	h.settle()
	h.check()
}

// sameField edits one field of a person both devices have, on both.
func (h *history) sameField(a, b *cdev) {
	if a == b {
		return
	}
	onB := map[string]bool{}
	for _, p := range livePeople(h.people(b)) {
		onB[p.id] = true
	}
	var both []localPerson
	for _, p := range livePeople(h.people(a)) {
		if onB[p.id] {
			both = append(both, p)
		}
	}
	p, ok := pick(h, "person", both)
	if !ok {
		return
	}
	field := rapid.SampledFrom([]string{"notes", "phone", "organisation"}).Draw(h.rt, "field")
	h.do(a, "edit person", p.id, field)
	h.do(b, "edit person", p.id, field)
}

// do runs an offline action on d and records the edits it made (from the
// outbox), each with the stamp its field had before.
func (h *history) do(d *cdev, act string, args ...string) {
	before, err := synccheck.FieldStamps(h.ctx, d.Store)
	if err != nil {
		h.fatalf("%v", err)
	}
	h.act(d, act, args...)
	edits, last, err := synccheck.NewEdits(h.ctx, d.Store, d.Name, d.lastSeq, before)
	if err != nil {
		h.fatalf("%v", err)
	}
	d.lastSeq = last
	h.edits = append(h.edits, edits...)
}

// sync runs one sync over a link broken as drawn. It may fail: the next
// one picks up where it stopped.
func (h *history) sync(d *cdev) {
	plan := rapid.SliceOfN(rapid.SampledFrom(linkFaults), 0, 6).Draw(h.rt, "link")
	d.flaky.Plan(plan...)
	cuts := d.flaky.Cuts()
	_, err := d.Client.Sync(h.ctx)
	h.stats.cuts += d.flaky.Cuts() - cuts
	d.flaky.Plan()
	if err != nil {
		var ce *client.Error
		if !errors.As(err, &ce) || client.Classify(err) != client.ProblemUnreachable {
			h.fatalf("%s: sync over a broken link failed with something else than a cut: %v", d.Name, err)
		}
		h.stats.failedSyncs++
	}
}

// settle syncs everyone over clean links until a whole round moves
// nothing.
func (h *history) settle() {
	for round := range 12 {
		moved := 0
		for _, d := range h.devs {
			rep, err := d.Client.Sync(h.ctx)
			if err != nil {
				h.fatalf("%s: sync over a clean link (round %d): %v", d.Name, round, err)
			}
			moved += rep.Pushed + rep.Pulled
		}
		if moved == 0 {
			return
		}
	}
	h.fatalf("still moving changes after 12 rounds of syncs")
}

func (h *history) check() {
	ctx := h.ctx
	st := h.hq.Store()
	for _, d := range h.devs {
		c, err := d.Store.SyncCounts(ctx)
		if err != nil {
			h.fatalf("%v", err)
		}
		if c.OpsWaiting != 0 || c.RejectedOps != 0 {
			rej, _ := d.Store.RejectedOps(ctx, 10)
			h.fatalf("%s: %d ops waiting, %d refused by HQ: %+v", d.Name, c.OpsWaiting, c.RejectedOps, rej)
		}
	}
	all, err := synccheck.HQDump(ctx, st, nil)
	if err != nil {
		h.fatalf("%v", err)
	}
	// The same rows, values and stamps on every device as at HQ, for the
	// governorates the device is enrolled for.
	for _, d := range h.devs {
		want, err := synccheck.HQDump(ctx, st, d.Govs)
		if err != nil {
			h.fatalf("%v", err)
		}
		got, err := synccheck.DeviceDump(ctx, d.Store)
		if err != nil {
			h.fatalf("%v", err)
		}
		if diffs := synccheck.Compare(want, got); len(diffs) > 0 {
			h.fatalf("%s (%s) differs from HQ in %d places:\n%s", d.Name, strings.Join(d.Govs, ","), len(diffs),
				strings.Join(diffs[:min(len(diffs), 25)], "\n"))
		}
	}
	// No edit lost; every losing value of a concurrent edit is logged.
	if problems := synccheck.CheckEdits(all, h.edits); len(problems) > 0 {
		h.fatalf("%d edits unaccounted for:\n%s", len(problems), strings.Join(problems[:min(len(problems), 25)], "\n"))
	}
	// No one is left in a merge cycle (two people each merged into the
	// other vanish from every roster): HQ repairs them (mergecycle.go).
	if cycles := mergeCycles(all); len(cycles) > 0 {
		h.fatalf("merge cycles at HQ: %v", cycles)
	}
	// Nobody is hidden by a merge into a deleted person: HQ undoes such
	// merges (mergedeleted.go).
	if hidden := mergedIntoDeleted(all); len(hidden) > 0 {
		h.fatalf("people merged into deleted people at HQ: %v", hidden)
	}
	// No live person's attendance is credited to a hidden (merged or
	// deleted) person: every read follows merges to the end of the chain.
	for _, d := range h.devs {
		if bad := creditedToHidden(ctx, d.Store); len(bad) > 0 {
			h.fatalf("%s: attendance credited to hidden people: %v", d.Name, bad)
		}
	}
	h.stats.checks++
	h.stats.edits += len(h.edits)
	for k := range all {
		if strings.HasPrefix(k, "conflict/") {
			h.stats.conflicts++
		}
	}
}

// mergeCycles lists the people whose merged_into chain comes back to them.
func mergeCycles(d synccheck.Dump) []string {
	into := map[string]string{}
	for k, row := range d {
		if id, ok := strings.CutPrefix(k, "person/"); ok && row["merged_into"].V != "" {
			into[id] = row["merged_into"].V
		}
	}
	var out []string
	for start := range into {
		next := into[start]
		for range len(into) {
			if next == start {
				out = append(out, start)
				break
			}
			if next = into[next]; next == "" {
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// mergedIntoDeleted lists the people merged into a deleted person.
func mergedIntoDeleted(d synccheck.Dump) []string {
	var out []string
	for k, row := range d {
		// A person deleted too went with the one they were merged into
		// on purpose (a device deletes both): nobody is hidden.
		if _, ok := strings.CutPrefix(k, "person/"); ok && row["merged_into"].V != "" && row["deleted"].V != "true" {
			if d["person/"+row["merged_into"].V]["deleted"].V == "true" {
				out = append(out, k+" → "+row["merged_into"].V)
			}
		}
	}
	sort.Strings(out)
	return out
}

// creditedToHidden lists the check-ins at live workshops that a device's
// reads credit to someone off the roster other than the person checked in
// (whose own deletion hides their check-ins, rightly): someone merged
// away, or deleted while people were merged into them.
func creditedToHidden(ctx context.Context, s *data.Store) []string {
	live := map[string]bool{}
	people, err := s.ListPeople(ctx, data.PeopleFilter{})
	if err != nil {
		return []string{err.Error()}
	}
	for _, p := range people {
		live[p.ID] = true
	}
	ws, err := s.ListWorkshops(ctx)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, w := range ws {
		att, err := s.WorkshopAttendance(ctx, w.ID)
		if err != nil {
			return []string{err.Error()}
		}
		for _, a := range att {
			if !live[a.Person.ID] && (a.Person.ID != a.PersonID || !a.Person.Deleted) {
				out = append(out, fmt.Sprintf("%s (checked in as %s) → %s", a.ID, a.PersonID, a.Person.ID))
			}
		}
	}
	return out
}

// unique makes a value no other edit has.
func (h *history) unique(d *cdev) string {
	h.n++
	return fmt.Sprintf("%s-%d", d.Name, h.n)
}

type localPerson struct {
	id, gov, merged string
	deleted         bool
}

type localWorkshop struct {
	id      string
	deleted bool
}

func (h *history) people(d *cdev) []localPerson {
	rows, err := d.Store.DB().QueryContext(h.ctx, `SELECT id, governorate, merged_into, deleted FROM person ORDER BY id`)
	if err != nil {
		h.fatalf("%v", err)
	}
	defer rows.Close()
	var out []localPerson
	for rows.Next() {
		var p localPerson
		if err := rows.Scan(&p.id, &p.gov, &p.merged, &p.deleted); err != nil {
			h.fatalf("%v", err)
		}
		out = append(out, p)
	}
	return out
}

func (h *history) workshops(d *cdev) []localWorkshop {
	rows, err := d.Store.DB().QueryContext(h.ctx, `SELECT id, deleted FROM workshop ORDER BY id`)
	if err != nil {
		h.fatalf("%v", err)
	}
	defer rows.Close()
	var out []localWorkshop
	for rows.Next() {
		var w localWorkshop
		if err := rows.Scan(&w.id, &w.deleted); err != nil {
			h.fatalf("%v", err)
		}
		out = append(out, w)
	}
	return out
}

func (h *history) column(d *cdev, query string) []string {
	rows, err := d.Store.DB().QueryContext(h.ctx, query)
	if err != nil {
		h.fatalf("%v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.fatalf("%v", err)
		}
		out = append(out, s)
	}
	return out
}

func livePeople(ps []localPerson) []localPerson {
	var out []localPerson
	for _, p := range ps {
		if !p.deleted {
			out = append(out, p)
		}
	}
	return out
}

func liveWorkshops(ws []localWorkshop) []localWorkshop {
	var out []localWorkshop
	for _, w := range ws {
		if !w.deleted {
			out = append(out, w)
		}
	}
	return out
}

func pick[T any](h *history, label string, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rapid.IntRange(0, len(xs)-1).Draw(h.rt, label)], true
}

// act does one offline action on d (nothing when it has nothing to act on).
func (h *history) act(d *cdev, act string, args ...string) {
	ctx, s, rt := h.ctx, d.Store, h.rt
	must := func(err error) {
		h.rt.Helper()
		if err != nil {
			h.fatalf("%s: %s: %v", d.Name, act, err)
		}
	}
	gov := func() string {
		if len(args) == 1 {
			return args[0]
		}
		return rapid.SampledFrom(d.Govs).Draw(rt, "governorate")
	}
	addPerson := func() safeer.Person {
		v := h.unique(d)
		p := safeer.Person{NameEn: "P " + v, Governorate: gov(), Phone: fmt.Sprintf("9%07d", h.n), Notes: v}
		must(s.AddPerson(ctx, &p))
		return p
	}
	switch act {
	case "add person":
		addPerson()
	case "edit person":
		var id, field string
		if len(args) == 2 {
			id, field = args[0], args[1]
		} else {
			people := livePeople(h.people(d))
			if len(people) > 4 && rapid.IntRange(0, 3).Draw(rt, "hot") > 0 {
				people = people[:4] // mostly the roster everyone has: edits meet
			}
			p, ok := pick(h, "person", people)
			if !ok {
				return
			}
			id = p.id
			field = rapid.SampledFrom([]string{"notes", "notes", "notes", "phone", "phone", "organisation", "name_en"}).Draw(rt, "field")
		}
		cur, err := s.Person(ctx, id)
		must(err)
		v := h.unique(d)
		switch field {
		case "notes":
			cur.Notes = v
		case "organisation":
			cur.Organisation = v
		case "phone":
			cur.Phone = fmt.Sprintf("9%07d", h.n)
		case "name_en":
			cur.NameEn = "P " + v
		}
		must(s.UpdatePerson(ctx, &cur))
	case "delete person":
		if p, ok := pick(h, "person", livePeople(h.people(d))); ok {
			must(s.DeletePerson(ctx, p.id))
		}
	case "merge people":
		var cands []localPerson
		for _, p := range livePeople(h.people(d)) {
			if p.merged == "" {
				cands = append(cands, p)
			}
		}
		if len(cands) < 2 {
			return
		}
		from, _ := pick(h, "from", cands)
		into, _ := pick(h, "into", cands)
		if from.id == into.id {
			return
		}
		_, err := s.MergePeople(ctx, from.id, into.id, nil)
		if errors.Is(err, data.ErrMergeSelf) {
			return
		}
		must(err)
		h.stats.merges++
	case "add workshop":
		v := h.unique(d)
		w := safeer.Workshop{TitleEn: "W " + v, Date: "2026-05-01", Hours: 3, Governorate: gov()}
		must(s.AddWorkshop(ctx, &w))
	case "edit workshop", "delete workshop":
		w, ok := pick(h, "workshop", liveWorkshops(h.workshops(d)))
		if !ok {
			return
		}
		if act == "delete workshop" {
			// Refused while it has attendance (this device's view of it).
			if err := s.DeleteWorkshop(ctx, w.id); !errors.Is(err, data.ErrWorkshopAttended) {
				must(err)
			}
			return
		}
		cur, err := s.Workshop(ctx, w.id)
		must(err)
		v := h.unique(d)
		switch rapid.SampledFrom([]string{"venue", "facilitator", "capacity"}).Draw(rt, "field") {
		case "venue":
			cur.Venue = v
		case "facilitator":
			cur.Facilitator = v
		case "capacity":
			cur.Capacity = h.n
		}
		must(s.UpdateWorkshop(ctx, &cur))
	case "attend", "attend new person":
		w, ok := pick(h, "workshop", liveWorkshops(h.workshops(d)))
		if !ok {
			return
		}
		var pid string
		if act == "attend new person" {
			// Someone who walked in: HQ has not seen them yet.
			pid = addPerson().ID
		} else {
			p, ok := pick(h, "person", livePeople(h.people(d)))
			if !ok {
				return
			}
			pid = p.id
		}
		a := safeer.Attendance{WorkshopID: w.id, PersonID: pid,
			Status: rapid.SampledFrom([]string{safeer.Present, safeer.Present, safeer.Absent, safeer.Excused}).Draw(rt, "status"),
			Hours:  float64(rapid.IntRange(0, 3).Draw(rt, "hours"))}
		if a.Status != safeer.Present {
			a.Hours = 0
		}
		must(s.Attend(ctx, &a))
	case "unattend":
		ids := h.column(d, `SELECT workshop_id || '/' || person_id FROM attendance WHERE deleted = 0 ORDER BY id`)
		if id, ok := pick(h, "attendance", ids); ok {
			w, p, _ := strings.Cut(id, "/")
			must(s.Unattend(ctx, w, p))
		}
	case "resolve conflict":
		if id, ok := pick(h, "conflict", h.column(d, `SELECT id FROM conflict WHERE resolved = 0 ORDER BY id`)); ok {
			must(s.ResolveConflict(ctx, id, rapid.SampledFrom([]string{data.TakeWinner, data.TakeLoser}).Draw(rt, "take")))
		}
	default:
		h.fatalf("unknown action %q", act)
	}
}

// A check-in made offline on a device that never had the attendance row
// (so it is a new row there), after another device removed the same
// check-in: both edits are kept as edits of one row (the id comes from
// workshop and person), the later check-in wins everywhere, and the removal
// it overrides is in the conflict log. (Found by TestConvergence: the new
// row's op left out "deleted": false, so HQ kept the removal while the
// device showed the person checked in, for good.)
func TestCheckInAfterRemoteRemovalConverges(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		h, err := synccheck.StartHQ(ctx, newDB(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		dir := t.TempDir()
		devs := make([]*synccheck.Device, 3)
		for i := range devs {
			if devs[i], err = synccheck.NewDevice(ctx, h, "", dir, fmt.Sprintf("d%d", i), []string{ma}, nil); err != nil {
				t.Fatal(err)
			}
			defer devs[i].Close()
		}
		a, b, c := devs[0], devs[1], devs[2]
		sync := func(ds ...*synccheck.Device) {
			t.Helper()
			for _, d := range ds {
				if _, err := d.Client.Sync(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		p := safeer.Person{NameEn: "Salim", Governorate: ma}
		w := safeer.Workshop{TitleEn: "Smart parking", Date: "2026-05-01", Hours: 3, Governorate: ma}
		if err := a.Store.AddPerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if err := a.Store.AddWorkshop(ctx, &w); err != nil {
			t.Fatal(err)
		}
		sync(a, b, c) // c has the person and the workshop, not yet a check-in
		if err := a.Store.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
		sync(a, b)
		if err := b.Store.Unattend(ctx, w.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		sync(b)
		// c, offline all along, checks Salim in later.
		time.Sleep(5 * time.Millisecond)
		if err := c.Store.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
		sync(c, a, b, c)
		all, err := synccheck.HQDump(ctx, h.Store(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			got, err := synccheck.DeviceDump(ctx, d.Store)
			if err != nil {
				t.Fatal(err)
			}
			if diffs := synccheck.Compare(all, got); len(diffs) > 0 {
				t.Fatalf("%s differs from HQ:\n%s", d.Name, strings.Join(diffs, "\n"))
			}
		}
		if v := all["attendance/"+data.AttendanceID(w.ID, p.ID)]["deleted"].V; v != "false" {
			t.Fatalf("the later check-in lost: deleted = %s", v)
		}
		logged := false
		for k, row := range all {
			if strings.HasPrefix(k, "conflict/") && row["field"].V == "deleted" && row["loser"].V == "true" {
				logged = true
			}
		}
		if !logged {
			t.Fatal("the overridden removal is not in the conflict log")
		}
	})
}
