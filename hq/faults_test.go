package hq_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/faultproxy"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Fault injection against the real HQ (hq.Server over SQLite and
// PostgreSQL) with the real device client, through internal/testharness/faultproxy: a
// TCP proxy that cuts a link mid-request or mid-reply, loses a reply after
// HQ committed, or slows it to a trickle; and HQ restarted mid-sync on the
// same database. The same checks in every case: HQ has each op applied
// exactly once (its change sequence has one number per row written, no
// more), the device's outbox is empty, and device and HQ hold the same rows.

// faultRig is HQ, a proxy in front of it, and a directory for devices.
type faultRig struct {
	t   *testing.T
	hq  *synccheck.HQ
	px  *faultproxy.Proxy
	dir string
}

func newFaultRig(t *testing.T, open func(ctx context.Context) (hq.Store, error)) *faultRig {
	t.Helper()
	h, err := synccheck.StartHQ(ctx, open, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	px, err := faultproxy.Start(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	return &faultRig{t: t, hq: h, px: px, dir: t.TempDir()}
}

// device enrols a device that talks to HQ through the proxy.
func (r *faultRig) device(name string, opts ...client.Option) *synccheck.Device {
	r.t.Helper()
	opts = append([]client.Option{client.WithBackoff(client.Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond, Attempts: 5})}, opts...)
	d, err := synccheck.NewDevice(ctx, r.hq, r.px.URL(), r.dir, name, []string{ma}, nil, opts...)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { d.Close() })
	return d
}

// addPeople adds n people in Muscat on a device (n outbox ops), imported
// as from a spreadsheet.
func addPeople(t *testing.T, d *synccheck.Device, n int, seed uint64) {
	t.Helper()
	if err := synccheck.ImportRoster(ctx, d.Store, n, seed, ma); err != nil {
		t.Fatal(err)
	}
}

// seq is HQ's last change number: with one op per new row, exactly the
// number of rows written when nothing was applied twice.
func (r *faultRig) seq() int64 {
	r.t.Helper()
	m, err := r.hq.Store().Meta(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return m.Seq
}

// same checks that the device holds exactly HQ's rows of its scope and
// has nothing left to send.
func (r *faultRig) same(d *synccheck.Device) {
	r.t.Helper()
	c, err := d.Store.SyncCounts(ctx)
	if err != nil || c.OpsWaiting != 0 || c.RejectedOps != 0 {
		r.t.Fatalf("%s: %+v %v", d.Name, c, err)
	}
	want, err := synccheck.HQDump(ctx, r.hq.Store(), d.Govs)
	if err != nil {
		r.t.Fatal(err)
	}
	got, err := synccheck.DeviceDump(ctx, d.Store)
	if err != nil {
		r.t.Fatal(err)
	}
	if diffs := synccheck.Compare(want, got); len(diffs) > 0 {
		r.t.Fatalf("%s differs from HQ in %d places:\n%s", d.Name, len(diffs), strings.Join(diffs[:min(len(diffs), 20)], "\n"))
	}
}

func TestPushThroughBrokenLinks(t *testing.T) {
	const n = 100 // one batch; its reply is ~300 bytes with headers
	cases := []struct {
		name  string
		fault faultproxy.Fault
		// HQ's verdict on the retry: the cut request never reached HQ's
		// store, so everything is applied; after a lost or cut reply HQ
		// had committed, so everything is a duplicate.
		applied, duplicate int
	}{
		{"request cut mid-body", faultproxy.CutRequest(2000), n, 0},
		{"request cut in the headers", faultproxy.CutRequest(60), n, 0},
		{"reply lost after HQ committed", faultproxy.CutReply(0), 0, n},
		{"reply cut in the headers", faultproxy.CutReply(40), 0, n},
		{"reply cut mid-body", faultproxy.CutReplyBody(20), 0, n},
	}
	databases(t, func(t *testing.T, newDB newDatabase) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := newFaultRig(t, newDB(t))
				d := r.device("a")
				addPeople(t, d, n, 1)
				// The first push meets the fault; the retry gets through.
				// (By path, not by order: a kept-alive connection or the
				// client's own retry of a reused one moves the order.)
				r.px.OnPath(protocol.PathPush, 1, tc.fault)
				rep, err := d.Client.Sync(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Applied != tc.applied || rep.Duplicate != tc.duplicate || rep.Pushed != n || rep.Rejected != 0 {
					t.Fatalf("report %+v, want %d applied and %d duplicates", rep.PushCounts, tc.applied, tc.duplicate)
				}
				if r.px.Cuts() != 1 {
					t.Fatalf("%d cuts", r.px.Cuts())
				}
				// No row twice, no change numbered twice.
				if s := r.seq(); s != n {
					t.Fatalf("HQ's sequence is at %d after %d new rows", s, n)
				}
				r.same(d)
			})
		}
	})
}

func TestPullThroughBrokenLinks(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		r := newFaultRig(t, newDB(t))
		a := r.device("a")
		addPeople(t, a, 300, 2)
		if _, err := a.Client.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		seq := r.seq()

		// A page cut mid-reply is fetched again and applied once.
		b := r.device("b", client.WithPullLimit(100))
		r.px.OnPath(protocol.PathPull, 1, faultproxy.CutReply(3000))
		rep, err := b.Client.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Pulled != 300 || rep.Pages != 3 || r.px.Cuts() != 1 {
			t.Fatalf("pulled %d rows in %d pages, %d cuts", rep.Pulled, rep.Pages, r.px.Cuts())
		}
		r.same(b)

		// A link that keeps breaking: the pull gives up after the first
		// page, keeping it and its cursor; the next sync resumes there.
		c := r.device("c", client.WithPullLimit(100), client.WithBackoff(client.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2}))
		r.px.OnPath(protocol.PathPull, 2, faultproxy.CutReply(500))  // page 2's reply
		r.px.OnPath(protocol.PathPull, 3, faultproxy.CutRequest(10)) // and its one retry
		if _, err := c.Client.Sync(ctx); client.Classify(err) != client.ProblemUnreachable {
			t.Fatalf("sync over a broken link: %v", err)
		}
		if n, _ := c.Store.CountPeople(ctx); n != 100 {
			t.Fatalf("after the cut: %d people, want the first page's 100", n)
		}
		rep, err = c.Client.Sync(ctx)
		if err != nil || rep.Pulled != 200 {
			t.Fatalf("resumed pull: %d rows, %v", rep.Pulled, err)
		}
		r.same(c)
		if s := r.seq(); s != seq {
			t.Fatalf("pulls moved HQ's sequence from %d to %d", seq, s)
		}
	})
}

func TestVerySlowLink(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		r := newFaultRig(t, newDB(t))
		// A timeout that the first, full batch cannot meet on this link:
		// the client halves it until batches get through.
		short := client.Timeouts{Ping: 5 * time.Second, Enrol: 5 * time.Second, Push: time.Second, Pull: 5 * time.Second}
		a := r.device("a", client.WithTimeouts(short))
		const n = 118 // one full batch
		addPeople(t, a, n, 3)
		// 16 KB/s each way with 60 ms latency: a poor 2G link in the desert.
		r.px.Always(faultproxy.Slow(16<<10, 60*time.Millisecond))
		start := time.Now()
		bounded, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		rep, err := a.Client.Sync(bounded)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if rep.Applied+rep.Duplicate != n || rep.Rejected != 0 {
			t.Fatalf("report %+v", rep.PushCounts)
		}
		if s := r.seq(); s != n {
			t.Fatalf("HQ's sequence is at %d after %d new rows", s, n)
		}
		r.same(a)
		// Another device pulls everything over the same link.
		b := r.device("b", client.WithTimeouts(short), client.WithPullLimit(80))
		rep, err = b.Client.Sync(bounded)
		if err != nil || rep.Pulled != n {
			t.Fatalf("pull over the slow link: %d rows, %v", rep.Pulled, err)
		}
		r.same(b)
		t.Logf("%d ops pushed in %v (%d exchanges), pulled in %v", n, took.Round(time.Millisecond), r.px.Exchanges(), (time.Since(start) - took).Round(time.Millisecond))
	})
}

func TestHQRestartedMidSync(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		r := newFaultRig(t, newDB(t))
		patient := client.WithBackoff(client.Backoff{Base: 20 * time.Millisecond, Max: 300 * time.Millisecond, Attempts: 12})
		a := r.device("a", patient)
		const n = 600 // four batches
		addPeople(t, a, n, 3)
		// Slow enough that the restart lands inside the sync.
		r.px.Always(faultproxy.Slow(256<<10, 20*time.Millisecond))

		restartWhen := func(what string, ready func() bool) chan error {
			done := make(chan error, 1)
			go func() {
				deadline := time.Now().Add(time.Minute)
				for !ready() {
					if time.Now().After(deadline) {
						done <- fmt.Errorf("%s never started", what)
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
				done <- r.hq.Restart(ctx)
			}()
			return done
		}

		// Push: restart once HQ has applied part of the outbox.
		restarted := restartWhen("the push", func() bool {
			m, err := r.hq.Store().Meta(ctx)
			return err == nil && m.Seq > 60
		})
		rep, err := a.Client.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-restarted; err != nil {
			t.Fatal(err)
		}
		if rep.Applied+rep.Duplicate != n || rep.Rejected != 0 {
			t.Fatalf("report %+v", rep.PushCounts)
		}
		if s := r.seq(); s != n {
			t.Fatalf("HQ's sequence is at %d after %d new rows", s, n)
		}
		r.same(a)
		t.Logf("push: %d applied, %d duplicates (the batch cut by the restart)", rep.Applied, rep.Duplicate)

		// Pull: restart after a few pages.
		b := r.device("b", patient, client.WithPullLimit(50))
		restarted = restartWhen("the pull", func() bool {
			n, err := b.Store.CountPeople(ctx)
			return err == nil && n >= 150
		})
		rep, err = b.Client.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-restarted; err != nil {
			t.Fatal(err)
		}
		if rep.Pulled != n {
			t.Fatalf("pulled %d rows, want %d", rep.Pulled, n)
		}
		r.same(b)
		// Both devices keep syncing with the restarted HQ.
		addPeople(t, b, 1, 4)
		for _, d := range []*synccheck.Device{b, a} {
			if _, err := d.Client.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			r.same(d)
		}
	})
}
