package hq_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

// puller is a device as the pull cache tests see it: what it pulled,
// applied as a device does (a change replaces the row, a departure drops
// it), and its cursor. Its methods return errors, so they may run on any
// goroutine.
type puller struct {
	d     *device
	govs  []string
	state synccheck.Dump
}

func newPuller(e *env, govs ...string) *puller {
	return &puller{d: e.enrol(govs...), govs: govs, state: synccheck.Dump{}}
}

// pullPage pulls one page after the puller's cursor and applies it.
func (p *puller) pullPage(limit int) (protocol.PullResponse, error) {
	var page protocol.PullResponse
	url := fmt.Sprintf("%s%s?cursor=%s&limit=%d", p.d.e.http.URL, protocol.PathPull, p.d.cursor, limit)
	if err := stormCall(context.Background(), http.DefaultClient, http.MethodGet, url, p.d.token, nil, &page); err != nil {
		return page, err
	}
	if len(page.Changes) > limit {
		return page, fmt.Errorf("%d changes for a limit of %d", len(page.Changes), limit)
	}
	for _, c := range page.Changes {
		if c.Table == "place" {
			continue
		}
		k := c.Table + "/" + c.RowID
		if c.Gone {
			delete(p.state, k)
			continue
		}
		row := map[string]synccheck.Cell{}
		for f, v := range c.Fields {
			row[f] = synccheck.Cell{V: synccheck.Canon(c.Table, f, v.Value), H: v.HLC}
		}
		p.state[k] = row
	}
	if h, err := protocol.ParseHLC(page.Clock); err == nil {
		p.d.clock.Observe(h)
	}
	p.d.cursor = page.NextCursor
	return page, nil
}

// pullAll pulls until HQ has no more.
func (p *puller) pullAll(limit int) error {
	for range 100000 {
		page, err := p.pullPage(limit)
		if err != nil || !page.HasMore {
			return err
		}
	}
	return fmt.Errorf("the pull never ended")
}

// restart forgets everything, as a new device does.
func (p *puller) restart() {
	p.d.cursor = ""
	p.state = synccheck.Dump{}
}

// sameAsHQ lists how the puller's copy differs from HQ's rows in its
// governorates.
func (p *puller) sameAsHQ(st hq.Store) ([]string, error) {
	want, err := synccheck.HQDump(context.Background(), st, p.govs)
	if err != nil {
		return nil, err
	}
	return synccheck.Compare(want, p.state), nil
}

// pushOps pushes ops as d and fails on any refusal.
func pushOps(d *device, ops ...protocol.Op) error {
	var resp protocol.PushResponse
	if err := stormCall(context.Background(), http.DefaultClient, http.MethodPost, d.e.http.URL+protocol.PathPush, d.token,
		protocol.PushRequest{Clock: d.clock.Now().String(), Ops: ops}, &resp); err != nil {
		return err
	}
	if len(resp.Results) != len(ops) {
		return fmt.Errorf("%d results for %d ops", len(resp.Results), len(ops))
	}
	for _, r := range resp.Results {
		if r.Status == protocol.Rejected {
			return fmt.Errorf("op %s refused: %s %s", r.ID, r.Code, r.Message)
		}
	}
	return nil
}

func newPerson(d *device, id, name, gov string) protocol.Op {
	return d.op("person", id, "name_en", name, "name_ar", "سالم", "phone", "+96890000000", "governorate", gov,
		"kind", "ambassador", "status", "active")
}

func cacheStats(e *env) (hits, builds int64) { return e.srv.PullCacheStats() }

// TestPullCacheServesNoStalePage: a page cached with more after it is
// served to a second device after rows on it changed, moved away and were
// added; that device still ends with HQ's copy of its governorate, because
// every later version comes after the page. The last page is never served
// once something was written after it, and a page is not served past its
// age. Devices of other governorates never get a page built for another.
func TestPullCacheServesNoStalePage(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t))
		writer, mover := e.enrol("OM-MA"), e.enrol("OM-MA", "OM-MU")
		a, b := newPuller(e, "OM-MA"), newPuller(e, "OM-MA")
		mu, both := newPuller(e, "OM-MU"), newPuller(e, "OM-MA", "OM-MU")
		var people []string
		for i := range 10 {
			id := uuid.NewString()
			people = append(people, id)
			if err := pushOps(writer, newPerson(writer, id, fmt.Sprintf("Person %d", i), "OM-MA")); err != nil {
				t.Fatal(err)
			}
		}
		if err := pushOps(mover, newPerson(mover, uuid.NewString(), "Far away", "OM-MU")); err != nil {
			t.Fatal(err)
		}
		const limit = 3
		// a builds the places' and the first people's pages.
		if err := a.pullAll(limit); err != nil {
			t.Fatal(err)
		}
		hits0, _ := cacheStats(e)

		// Rows of the first pages change: renamed, moved to OM-MU; and a
		// new one comes. (A second later: the edits win.)
		e.advance(time.Second)
		if err := pushOps(writer, writer.op("person", people[0], "name_en", "Renamed")); err != nil {
			t.Fatal(err)
		}
		if err := pushOps(mover, mover.op("person", people[1], "governorate", "OM-MU")); err != nil {
			t.Fatal(err)
		}
		if err := pushOps(writer, newPerson(writer, uuid.NewString(), "Late", "OM-MA")); err != nil {
			t.Fatal(err)
		}

		// b is served a's first page as it was: it has the old name
		// and the person who left.
		page, err := b.pullPage(limit)
		if err != nil {
			t.Fatal(err)
		}
		if hits, _ := cacheStats(e); hits != hits0+1 || !page.HasMore {
			t.Fatalf("the first page was not served from the cache (hits %d → %d, has_more %v)", hits0, hits, page.HasMore)
		}
		if err := b.pullAll(limit); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*puller{a, b, mu, both} {
			if err := p.pullAll(limit); err != nil {
				t.Fatal(err)
			}
		}
		for name, p := range map[string]*puller{"a": a, "b": b, "OM-MU": mu, "both": both} {
			diffs, err := p.sameAsHQ(e.store)
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) > 0 {
				t.Errorf("device %s differs from HQ:\n%s", name, strings.Join(diffs, "\n"))
			}
		}
		if _, ok := b.state["person/"+people[1]]; ok {
			t.Errorf("the person who moved to OM-MU is still on an OM-MA device")
		}
		if _, ok := mu.state["person/"+people[1]]; !ok {
			t.Errorf("the person who moved to OM-MU is not on the OM-MU device")
		}

		// The last page: a's cursor is at the end; a change after it
		// must come, though the page from that cursor is cached.
		if err := b.pullAll(limit); err != nil {
			t.Fatal(err)
		}
		if err := pushOps(writer, writer.op("person", people[2], "name_en", "Renamed again")); err != nil {
			t.Fatal(err)
		}
		if err := a.pullAll(limit); err != nil {
			t.Fatal(err)
		}
		if got := a.state["person/"+people[2]]["name_en"].V; got != "Renamed again" {
			t.Errorf("after the last page was cached, a change was missed: name %q", got)
		}

		// Past its age, a page is built again.
		fresh := newPuller(e, "OM-MA")
		if _, err := fresh.pullPage(limit); err != nil {
			t.Fatal(err)
		}
		e.advance(3 * time.Minute)
		_, builds0 := cacheStats(e)
		fresh.restart()
		if _, err := fresh.pullPage(limit); err != nil {
			t.Fatal(err)
		}
		if _, builds := cacheStats(e); builds != builds0+1 {
			t.Errorf("a page older than its age was served from the cache (builds %d → %d)", builds0, builds)
		}
	})
}

// TestPullCacheConverges interleaves pushes (new people, renames, people
// moved between governorates and back) with devices pulling small pages,
// some of them starting over now and then as a new device would, in four
// scopes. When the pushes are done and each device has pulled to the end,
// each holds exactly HQ's rows of its governorates; and the cache served
// pages all along.
func TestPullCacheConverges(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t))
		const limit, rounds = 4, 12
		type writer struct {
			d    *device
			gov  string // where it creates people
			move bool   // moves its people between OM-MA and OM-MU
		}
		writers := []writer{{d: e.enrol("OM-MA"), gov: "OM-MA"}, {d: e.enrol("OM-MU"), gov: "OM-MU"},
			{d: e.enrol("OM-MA", "OM-MU"), gov: "OM-MA", move: true}}
		var pullers []*puller
		for _, govs := range [][]string{{"OM-MA"}, {"OM-MA"}, {"OM-MA"}, {"OM-MU"}, {"OM-MU"}, {"OM-MA", "OM-MU"}, {"OM-MU", "OM-MA"}} {
			pullers = append(pullers, newPuller(e, govs...))
		}

		var wg sync.WaitGroup
		errs := make(chan error, len(writers)+len(pullers))
		done := make(chan struct{})
		for wi, w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(wi), 1))
				var mine []string
				where := map[string]string{}
				for r := range rounds {
					var ops []protocol.Op
					for i := range 3 {
						id := uuid.NewString()
						mine = append(mine, id)
						where[id] = w.gov
						ops = append(ops, newPerson(w.d, id, fmt.Sprintf("W%d R%d %d", wi, r, i), w.gov))
					}
					for range 3 {
						id := mine[rng.IntN(len(mine))]
						if w.move && rng.IntN(2) == 0 {
							to := map[string]string{"OM-MA": "OM-MU", "OM-MU": "OM-MA"}[where[id]]
							where[id] = to
							ops = append(ops, w.d.op("person", id, "governorate", to))
						} else {
							ops = append(ops, w.d.op("person", id, "name_en", fmt.Sprintf("Renamed %d", rng.Int())))
						}
					}
					if err := pushOps(w.d, ops...); err != nil {
						errs <- fmt.Errorf("writer %d: %w", wi, err)
						return
					}
				}
			}()
		}
		var pwg sync.WaitGroup
		for pi, p := range pullers {
			pwg.Add(1)
			go func() {
				defer pwg.Done()
				for n := 0; ; n++ {
					select {
					case <-done:
						return
					default:
					}
					if pi%2 == 1 && n%5 == 4 {
						p.restart()
					}
					if err := p.pullAll(limit); err != nil {
						errs <- fmt.Errorf("device %d: %w", pi, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(done)
		pwg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// A new device of each scope, twice: the second is served from the
		// cache, page by page.
		for _, govs := range [][]string{{"OM-MA"}, {"OM-MU"}, {"OM-MA", "OM-MU"}} {
			pullers = append(pullers, newPuller(e, govs...), newPuller(e, govs...))
		}
		for i, p := range pullers {
			if err := p.pullAll(limit); err != nil {
				t.Fatal(err)
			}
			diffs, err := p.sameAsHQ(e.store)
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) > 0 {
				t.Errorf("device %d (%v) differs from HQ in %d rows:\n%s", i, p.govs, len(diffs), strings.Join(diffs[:min(len(diffs), 10)], "\n"))
			}
			for k := range p.state {
				if !slices.Contains([]string{"person"}, strings.Split(k, "/")[0]) {
					t.Errorf("device %d pulled %s, which nobody wrote", i, k)
				}
			}
		}
		if hits, builds := cacheStats(e); hits == 0 || builds == 0 {
			t.Errorf("the cache was not used: %d hits, %d builds", hits, builds)
		} else {
			t.Logf("%d pages from the cache, %d built", hits, builds)
		}
	})
}
