package hq_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// gatedStore holds its next Write until the test opens the gate, so the
// pushes sent meanwhile queue up and are applied as one group (see
// hq.pushQueue); and it fails the write of any row called "poison", as a
// full disk would, to show a failure stays with its own batch.
type gatedStore struct {
	hq.Store
	mu     sync.Mutex
	gate   chan struct{}
	auths  chan struct{} // a token looked up (a request let in)
	atGate chan struct{} // a write waiting at the gate
}

func (g *gatedStore) DeviceByToken(ctx context.Context, hash []byte) (hq.Device, bool, error) {
	select {
	case g.auths <- struct{}{}:
	default:
	}
	return g.Store.DeviceByToken(ctx, hash)
}

func (g *gatedStore) hold() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	return g.gate
}

func (g *gatedStore) Write(ctx context.Context, fn func(hq.Tx) error) error {
	g.mu.Lock()
	gate := g.gate
	g.gate = nil
	g.mu.Unlock()
	if gate != nil {
		select {
		case g.atGate <- struct{}{}:
		default:
		}
		<-gate
	}
	return g.Store.Write(ctx, func(tx hq.Tx) error { return fn(poisonTx{tx}) })
}

type poisonTx struct{ hq.Tx }

func (p poisonTx) PutRow(ctx context.Context, r hq.Row) error {
	if r.ID == "poison" {
		return errors.New("the disk is full")
	}
	return p.Tx.PutRow(ctx, r)
}

// TestGroupedPushesKeepEachDevicesRules: several devices' batches applied
// in one transaction get the results each would get alone (scope and
// authorship by the device that pushed, op ids per device, a duplicate in
// the batch), and a batch the store fails on fails alone: the others are
// applied, and nothing of it is.
func TestGroupedPushesKeepEachDevicesRules(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		g := &gatedStore{Store: open(t), auths: make(chan struct{}, 64)}
		e := newEnv(t, g)
		a, b, c, d, f, holder := e.enrol("OM-MA"), e.enrol("OM-MA"), e.enrol("OM-MA"), e.enrol("OM-MA"), e.enrol("OM-MA"), e.enrol("OM-MA")
		person := func(dev *device, row, gov string) protocol.Op {
			return dev.op("person", row, "name_en", "Walk-in "+row, "governorate", gov, "kind", "ambassador", "status", "active")
		}

		type push struct {
			dev  *device
			ops  []protocol.Op
			resp protocol.PushResponse
			st   int
		}
		run := func(pushes []*push) {
			t.Helper()
			open := g.hold()
			for len(g.auths) > 0 {
				<-g.auths
			}
			first := &push{dev: holder, ops: []protocol.Op{person(holder, "held-"+t.Name(), "OM-MA")}}
			var wg sync.WaitGroup
			send := func(p *push) {
				defer wg.Done()
				p.st = e.do(http.MethodPost, protocol.PathPush, p.dev.token, protocol.PushRequest{Ops: p.ops}, &p.resp)
			}
			wg.Add(1)
			go send(first) // takes the writer and waits at the gate
			<-g.auths
			wg.Add(len(pushes))
			for _, p := range pushes {
				go send(p) // queue behind it
			}
			// The writer is held until HQ has let every push in: those
			// that reach the queue meanwhile (usually all) make one group.
			for range pushes {
				<-g.auths
			}
			close(open)
			wg.Wait()
			if first.st != 200 {
				t.Fatalf("the first push: status %d", first.st)
			}
		}

		aOp := person(a, "a-1", "OM-MA")
		notMine := person(c, "c-1", "OM-MA")
		for name, fld := range notMine.Fields {
			fld.HLC = a.clock.Now().String() // stamped in a's name
			notMine.Fields[name] = fld
		}
		dOp := person(d, "d-1", "OM-MA")
		dOp.ID = aOp.ID // op ids are per device: another device may use a's
		fOp := person(f, "f-1", "OM-MA")
		pushes := []*push{
			{dev: a, ops: []protocol.Op{aOp}},
			{dev: b, ops: []protocol.Op{person(b, "b-1", "OM-DH")}},
			{dev: c, ops: []protocol.Op{notMine}},
			{dev: d, ops: []protocol.Op{dOp}},
			{dev: f, ops: []protocol.Op{fOp, fOp}},
		}
		run(pushes)
		want := [][]string{
			{protocol.Applied},
			{protocol.CodeOutOfScope},
			{protocol.CodeNotAuthor},
			{protocol.Applied},
			{protocol.Applied, protocol.Duplicate},
		}
		for i, p := range pushes {
			if p.st != 200 || len(p.resp.Results) != len(want[i]) {
				t.Fatalf("push %d: status %d, results %+v", i, p.st, p.resp.Results)
			}
			for j, r := range p.resp.Results {
				got := r.Status
				if r.Status == protocol.Rejected {
					got = r.Code
				}
				if got != want[i][j] {
					t.Errorf("push %d, op %d: %s (%+v), want %s", i, j, got, r, want[i][j])
				}
			}
		}
		for row, stored := range map[string]bool{"a-1": true, "b-1": false, "c-1": false, "d-1": true, "f-1": true} {
			if _, found, err := g.Row(ctx, "person", row); err != nil || found != stored {
				t.Errorf("person %s: stored %v (%v), want %v", row, found, err, stored)
			}
		}

		// A batch the store fails on fails alone.
		ok1, ok2 := person(a, "a-2", "OM-MA"), person(d, "d-2", "OM-MA")
		bad := []protocol.Op{person(b, "b-2", "OM-MA"), person(b, "poison", "OM-MA")}
		pushes = []*push{{dev: a, ops: []protocol.Op{ok1}}, {dev: b, ops: bad}, {dev: d, ops: []protocol.Op{ok2}}}
		run(pushes)
		if pushes[1].st != http.StatusServiceUnavailable {
			t.Errorf("the poisoned batch: status %d, want 503", pushes[1].st)
		}
		for _, i := range []int{0, 2} {
			if p := pushes[i]; p.st != 200 || len(p.resp.Results) != 1 || p.resp.Results[0].Status != protocol.Applied {
				t.Errorf("push %d beside the poisoned one: status %d, %+v", i, p.st, p.resp.Results)
			}
		}
		for row, stored := range map[string]bool{"a-2": true, "d-2": true, "b-2": false, "poison": false} {
			if _, found, err := g.Row(ctx, "person", row); err != nil || found != stored {
				t.Errorf("person %s: stored %v (%v), want %v", row, found, err, stored)
			}
		}
		// b's retry without the poisoned row is applied in full: nothing of
		// the failed batch was recorded.
		if res := b.push(bad[0]); res[0].Status != protocol.Applied {
			t.Errorf("b's retry: %+v", res)
		}
	})
}

// TestPullWaitsForPushesBeforeIt: a pull page that comes while a push is
// being applied waits for it, and has its row; the pull's own touch
// (last_pull) is recorded with the next group.
func TestPullWaitsForPushesBeforeIt(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		g := &gatedStore{Store: open(t), auths: make(chan struct{}, 64), atGate: make(chan struct{}, 1)}
		e := newEnv(t, g)
		pusher, puller := e.enrol("OM-MA"), e.enrol("OM-MA")
		release := g.hold()
		pushed := make(chan int, 1)
		op := pusher.op("person", "first", "name_en", "First", "governorate", "OM-MA", "kind", "ambassador", "status", "active")
		go func() {
			var resp protocol.PushResponse
			pushed <- e.do(http.MethodPost, protocol.PathPush, pusher.token, protocol.PushRequest{Ops: []protocol.Op{op}}, &resp)
		}()
		<-g.atGate // the push holds the writer
		pulled := make(chan []protocol.Change, 1)
		go func() {
			var resp protocol.PullResponse
			if st := e.do(http.MethodGet, protocol.PathPull+"?limit=100", puller.token, nil, &resp); st != 200 {
				t.Errorf("pull: status %d", st)
			}
			pulled <- resp.Changes
		}()
		// Give a pull that would not wait the time to answer.
		var changes []protocol.Change
		select {
		case changes = <-pulled:
		case <-time.After(300 * time.Millisecond):
			close(release)
			changes = <-pulled
		}
		if st := <-pushed; st != 200 {
			t.Fatalf("push: status %d", st)
		}
		if !slices.Contains(rowIDs(changes), "person/first") {
			t.Errorf("the pull did not wait for the push before it: %v", rowIDs(changes))
		}
		infos, err := hq.ListDevices(ctx, e.store)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range infos {
			if d.ID == puller.id && d.LastPull == nil {
				t.Errorf("the pull was not recorded: %+v", d)
			}
		}
	})
}
