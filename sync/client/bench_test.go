package client_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Benchmarks of the device's sync against the real HQ (hq.Server over a
// real store, on loopback). Run with `make bench`, or:
//
//	SAFEER_TEST_POSTGRES=$(scripts/pg-test.sh) go test -run='^$' -bench=. -benchtime=1x -timeout=60m ./sync/client/
//
// Bytes are counted on the connection: HTTP headers and bodies in both
// directions, gzipped as the protocol sends them; no TLS, no TCP/IP.

var bctx = context.Background()

// stores runs fn against HQ on SQLite and on PostgreSQL (pgtest: the
// PostgreSQL part fails when $SAFEER_TEST_POSTGRES names no server).
func stores(b *testing.B, fn func(b *testing.B, open func(ctx context.Context) (hq.Store, error))) {
	b.Run("sqlite", func(b *testing.B) {
		fn(b, func(ctx context.Context) (hq.Store, error) {
			return sqlite.Open(ctx, filepath.Join(b.TempDir(), "hq.db"))
		})
	})
	b.Run("postgres", func(b *testing.B) {
		pgtest.Base(b)
		fn(b, func(ctx context.Context) (hq.Store, error) { return postgres.Open(ctx, pgtest.DSN(b)) })
	})
}

func startHQ(b *testing.B, open func(ctx context.Context) (hq.Store, error)) *synccheck.HQ {
	b.Helper()
	h, err := synccheck.StartHQ(bctx, open, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h
}

func metered(b *testing.B, h *synccheck.HQ, dir, name string, govs []string, opts ...client.Option) (*synccheck.Device, *synccheck.Meter) {
	b.Helper()
	m := synccheck.NewMeter()
	d, err := synccheck.NewDevice(bctx, h, "", dir, name, govs, nil,
		append([]client.Option{client.WithHTTPClient(&http.Client{Transport: m})}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	m.Reset()
	return d, m
}

// BenchmarkWireBytesPerPerson: a device pushes 1,000 new people, another
// pulls them; the bytes each took per person, next to the same people as
// one plain JSON array, gzipped. The ratio is the protocol's overhead (op
// and row ids, a clock stamp per field, revisions, HTTP headers, the
// per-op results of a push).
func BenchmarkWireBytesPerPerson(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		h := startHQ(b, func(ctx context.Context) (hq.Store, error) {
			return sqlite.Open(ctx, filepath.Join(b.TempDir(), "hq.db"))
		})
		dir := b.TempDir()
		a, am := metered(b, h, dir, "a", []string{"OM-MA", "OM-DA"})
		if err := synccheck.ImportRoster(bctx, a.Store, n, 42, "OM-MA", "OM-DA"); err != nil {
			b.Fatal(err)
		}
		baseline, people, err := synccheck.PlainJSONGzip(bctx, a.Store)
		if err != nil || people != n {
			b.Fatalf("%d people: %v", people, err)
		}
		am.Reset()
		if rep, err := a.Client.Sync(bctx); err != nil || rep.Applied != n {
			b.Fatalf("push: %+v %v", rep, err)
		}
		push := am.Bytes(protocol.PathPush)
		c, cm := metered(b, h, dir, "c", []string{"OM-MA", "OM-DA"})
		if rep, err := c.Client.Sync(bctx); err != nil || rep.Pulled != n {
			b.Fatalf("pull: %+v %v", rep, err)
		}
		pull := cm.Bytes(protocol.PathPull)
		per := func(x int64) float64 { return float64(x) / n }
		b.ReportMetric(per(push), "push-B/person")
		b.ReportMetric(per(pull), "pull-B/person")
		b.ReportMetric(float64(baseline)/n, "json.gz-B/person")
		b.ReportMetric(float64(push)/float64(baseline), "push-ratio")
		b.ReportMetric(float64(pull)/float64(baseline), "pull-ratio")
		b.ReportMetric(float64(am.Requests(protocol.PathPush)), "push-requests")
		b.ReportMetric(float64(cm.Requests(protocol.PathPull)), "pull-requests")
	}
}

// BenchmarkFirstPull100k: a new device enrolled for every governorate
// pulls HQ's 100,000 people (pages of 1,000), from nothing: the time until
// they are all in its database (search index included) and the bytes.
func BenchmarkFirstPull100k(b *testing.B) {
	const n = 100_000
	stores(b, func(b *testing.B, open func(ctx context.Context) (hq.Store, error)) {
		h := startHQ(b, open)
		dir := b.TempDir()
		// The roster, made on a scratch device and written into HQ's store
		// as HQ would have applied its ops.
		scratch, err := data.Open(bctx, filepath.Join(dir, "scratch.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := synccheck.ImportRoster(bctx, scratch, n, 7, synccheck.Governorates()...); err != nil {
			b.Fatal(err)
		}
		if got, err := synccheck.SeedHQ(bctx, h.Store(), scratch); err != nil || got != n {
			b.Fatalf("seed: %d %v", got, err)
		}
		scratch.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			d, m := metered(b, h, dir, "fresh"+string(rune('a'+i)), synccheck.Governorates())
			b.StartTimer()
			start := time.Now()
			rep, err := d.Client.Sync(bctx)
			if err != nil || rep.Pulled != n {
				b.Fatalf("pull: %d rows, %v", rep.Pulled, err)
			}
			took := time.Since(start)
			b.StopTimer()
			if got, _ := d.Store.CountPeople(bctx); got != n {
				b.Fatalf("%d people on the device", got)
			}
			b.ReportMetric(took.Seconds(), "s")
			b.ReportMetric(float64(m.Bytes(protocol.PathPull))/(1<<20), "MiB")
			b.ReportMetric(float64(m.Bytes(protocol.PathPull))/n, "B/person")
			b.ReportMetric(float64(n)/took.Seconds(), "people/s")
			b.ReportMetric(float64(rep.Pages), "pages")
			b.StartTimer()
		}
	})
}

// BenchmarkPush10k: a device pushes 10,000 ops (new people, imported)
// in batches of at most 500 ops / 128 KiB; HQ applies each in its own
// transaction. push-s is until the push is answered; sync-s includes
// pulling the 10,000 rows back (with their revisions).
func BenchmarkPush10k(b *testing.B) {
	const n = 10_000
	stores(b, func(b *testing.B, open func(ctx context.Context) (hq.Store, error)) {
		h := startHQ(b, open)
		dir := b.TempDir()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			d, m := metered(b, h, dir, "d"+string(rune('a'+i)), []string{"OM-MA"})
			if err := synccheck.ImportRoster(bctx, d.Store, n, uint64(i), "OM-MA"); err != nil {
				b.Fatal(err)
			}
			m.Reset()
			b.StartTimer()
			start := time.Now()
			rep, err := d.Client.Sync(bctx)
			if err != nil || rep.Applied != n {
				b.Fatalf("push: %+v %v", rep.PushCounts, err)
			}
			b.StopTimer()
			push := m.First(protocol.PathPull).Sub(start)
			b.ReportMetric(push.Seconds(), "push-s")
			b.ReportMetric(float64(n)/push.Seconds(), "ops/s")
			b.ReportMetric(time.Since(start).Seconds(), "sync-s")
			b.ReportMetric(float64(m.Requests(protocol.PathPush)), "push-requests")
			b.ReportMetric(float64(m.Bytes(protocol.PathPush))/(1<<20), "push-MiB")
			b.StartTimer()
		}
	})
}
