package client_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Benchmarks of sync by file (issue 15), HQ on SQLite:
//
//	go test -run='^$' -bench=SyncFile -benchtime=1x -timeout=60m ./sync/client/
//
// BenchmarkSyncFile: a device with n new people (n ops) writes its
// request, HQ reads it and writes the reply (the n rows back), the device
// loads the reply: the time of each step and the sizes, next to the bytes
// the same ops take on the network (a push, gzipped as the protocol sends
// it, HTTP headers included) from an identical device.
func BenchmarkSyncFile(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				h := startHQ(b, func(ctx context.Context) (hq.Store, error) {
					return sqlite.Open(ctx, filepath.Join(dir, "hq.db"))
				})
				srv, err := hq.NewServer(bctx, h.Store(), h.Key, hq.Options{Logger: synccheck.Quiet})
				if err != nil {
					b.Fatal(err)
				}
				d, _ := metered(b, h, dir, "file", []string{"OM-MA"})
				twin, tm := metered(b, h, dir, "net", []string{"OM-DA"})
				if err := synccheck.ImportRoster(bctx, d.Store, n, 15, "OM-MA"); err != nil {
					b.Fatal(err)
				}
				if err := synccheck.ImportRoster(bctx, twin.Store, n, 15, "OM-DA"); err != nil {
					b.Fatal(err)
				}

				var req bytes.Buffer
				start := time.Now()
				exp, err := d.Client.ExportRequest(bctx, &req)
				if err != nil || exp.Ops != n {
					b.Fatalf("export: %+v %v", exp, err)
				}
				export := time.Since(start)

				var reply bytes.Buffer
				start = time.Now()
				res, err := srv.ImportSyncFile(bctx, bytes.NewReader(req.Bytes()), &reply, hq.CLI)
				if err != nil || res.Counts.Applied != n {
					b.Fatalf("HQ: %+v %v", res, err)
				}
				atHQ := time.Since(start)

				start = time.Now()
				rep, err := d.Client.ImportReply(bctx, bytes.NewReader(reply.Bytes()))
				if err != nil || rep.Acked != n {
					b.Fatalf("reply: %+v %v", rep, err)
				}
				load := time.Since(start)

				tm.Reset()
				if r, err := twin.Client.Sync(bctx); err != nil || r.Applied != n {
					b.Fatalf("network: %+v %v", r, err)
				}
				push, pull := tm.Bytes(protocol.PathPush), tm.Bytes(protocol.PathPull)
				b.ReportMetric(export.Seconds()*1000, "export-ms")
				b.ReportMetric(atHQ.Seconds()*1000, "hq-import-ms")
				b.ReportMetric(load.Seconds()*1000, "reply-load-ms")
				b.ReportMetric(float64(req.Len()), "request-B")
				b.ReportMetric(float64(req.Len())/float64(n), "request-B/op")
				b.ReportMetric(float64(push)/float64(n), "push-B/op")
				b.ReportMetric(float64(req.Len())/float64(push), "request/push")
				b.ReportMetric(float64(reply.Len()), "reply-B")
				b.ReportMetric(float64(reply.Len())/float64(n), "reply-B/op")
				b.ReportMetric(float64(reply.Len())/float64(pull), "reply/pull")
			}
		})
	}
}

// BenchmarkSyncFileReply100k: a new device's first request (an empty
// outbox, no cursor) gets HQ's 100,000 people in one reply: its size per
// person next to the gzipped network pull of the same rows by an
// identical device, and the times to make and load it.
func BenchmarkSyncFileReply100k(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	h := startHQ(b, func(ctx context.Context) (hq.Store, error) {
		return sqlite.Open(ctx, filepath.Join(dir, "hq.db"))
	})
	scratch, err := data.Open(bctx, filepath.Join(dir, "scratch.db"))
	if err != nil {
		b.Fatal(err)
	}
	if err := synccheck.ImportRoster(bctx, scratch, n, 7, "OM-MA"); err != nil {
		b.Fatal(err)
	}
	if got, err := synccheck.SeedHQ(bctx, h.Store(), scratch); err != nil || got != n {
		b.Fatalf("seed: %d %v", got, err)
	}
	scratch.Close()
	srv, err := hq.NewServer(bctx, h.Store(), h.Key, hq.Options{Logger: synccheck.Quiet})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		d, _ := metered(b, h, dir, fmt.Sprintf("file%d", i), []string{"OM-MA"})
		var req bytes.Buffer
		if _, err := d.Client.ExportRequest(bctx, &req); err != nil {
			b.Fatal(err)
		}
		var reply bytes.Buffer
		start := time.Now()
		res, err := srv.ImportSyncFile(bctx, bytes.NewReader(req.Bytes()), &reply, hq.CLI)
		if err != nil || res.Counts.Pulled != n {
			b.Fatalf("HQ: %+v %v", res, err)
		}
		atHQ := time.Since(start)
		start = time.Now()
		rep, err := d.Client.ImportReply(bctx, bytes.NewReader(reply.Bytes()))
		if err != nil || rep.Pulled != n {
			b.Fatalf("reply: %+v %v", rep, err)
		}
		load := time.Since(start)
		net, m := metered(b, h, dir, fmt.Sprintf("net%d", i), []string{"OM-MA"})
		if r, err := net.Client.Sync(bctx); err != nil || r.Pulled != n {
			b.Fatalf("network: %+v %v", r, err)
		}
		pull := m.Bytes(protocol.PathPull)
		b.ReportMetric(atHQ.Seconds(), "hq-reply-s")
		b.ReportMetric(load.Seconds(), "reply-load-s")
		b.ReportMetric(float64(reply.Len())/(1<<20), "reply-MiB")
		b.ReportMetric(float64(reply.Len())/n, "reply-B/person")
		b.ReportMetric(float64(pull)/n, "pull-B/person")
		b.ReportMetric(float64(reply.Len())/float64(pull), "reply/pull")
	}
}
