package hq_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

// BenchmarkDevicesAtOnce: 1,000 devices, spread over the governorates,
// sync at the same moment against one HQ on loopback: each pushes a batch
// of 25 new people (a day of check-ins), then pulls its governorates'
// changes until HQ has no more. The devices are protocol clients without a
// database of their own, so the two cores go to HQ. Reported: the pushes
// made, ops applied per second over the whole storm, the 50th, 95th and
// 99th-percentile latency of a push (from its first request to its answer,
// waits HQ asked for included), of a pull page and of a whole sync, and the
// errors (non-200 replies, transport errors, ops not applied), which must
// be zero. SAFEER_STORM_DEVICES sets another number of devices.
//
//	SAFEER_TEST_POSTGRES=$(scripts/pg-test.sh) go test -run='^$' -bench=DevicesAtOnce -benchtime=1x ./hq/
func BenchmarkDevicesAtOnce(b *testing.B) {
	devices, opsEach := 1000, 25
	if n, err := strconv.Atoi(os.Getenv("SAFEER_STORM_DEVICES")); err == nil && n > 0 {
		devices = n
	}
	b.Run("sqlite", func(b *testing.B) {
		storm(b, devices, opsEach, func(ctx context.Context) (hq.Store, error) {
			return openSQLite(ctx, filepath.Join(b.TempDir(), "hq.db"))
		})
	})
	b.Run("postgres", func(b *testing.B) {
		pgtest.Base(b)
		dsn := pgtest.DSN(b)
		storm(b, devices, opsEach, func(ctx context.Context) (hq.Store, error) { return openPostgres(ctx, dsn) })
	})
}

// stormDevice is a device as the storm drives it: its token, scope, clock
// and cursor.
type stormDevice struct {
	id, token string
	govs      []string
	clock     *protocol.Clock
	cursor    string
}

type stormResult struct {
	push, pull, sync []time.Duration
	pulled           int
	errors           atomic.Int64
	firstErr         atomic.Value
}

func (r *stormResult) fail(err error) {
	r.errors.Add(1)
	r.firstErr.CompareAndSwap(nil, err)
}

func storm(b *testing.B, devices, opsEach int, open func(ctx context.Context) (hq.Store, error)) {
	ctx := context.Background()
	h, err := synccheck.StartHQ(ctx, open, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = devices+10, devices+10
	hc := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	defer tr.CloseIdleConnections()

	govs := synccheck.Governorates()
	// Enrol the devices (not timed).
	devs := make([]*stormDevice, devices)
	for i := range devs {
		gov := govs[i%len(govs)]
		code, err := h.Code(ctx, gov)
		if err != nil {
			b.Fatal(err)
		}
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		id := uuid.NewString()
		var ch protocol.EnrolChallenge
		if err := stormCall(ctx, hc, http.MethodPost, h.URL()+protocol.PathEnrolChallenge, "", protocol.EnrolChallengeRequest{Code: code}, &ch); err != nil {
			b.Fatal(err)
		}
		req := protocol.EnrolRequest{Code: code, DeviceID: id}
		protocol.SignEnrol(&req, key, ch.Nonce)
		var resp protocol.EnrolResponse
		if err := stormCall(ctx, hc, http.MethodPost, h.URL()+protocol.PathEnrol, "", req, &resp); err != nil {
			b.Fatal(err)
		}
		devs[i] = &stormDevice{id: id, token: resp.Token, govs: []string{gov}, clock: protocol.NewClock(id, protocol.HLC{}, nil)}
	}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		res := &stormResult{}
		var mu sync.Mutex
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for i, d := range devs {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ops := make([]protocol.Op, opsEach)
				for j := range ops {
					stamp := d.clock.Now().String()
					f := func(v any) protocol.Field { return protocol.Field{Value: v, HLC: stamp} }
					ops[j] = protocol.Op{ID: uuid.NewString(), Table: "person", RowID: uuid.NewString(), Fields: map[string]protocol.Field{
						"name_en": f(fmt.Sprintf("Walk-in %d-%d-%d", n, i, j)), "name_ar": f("سالم بن علي الحارثي"),
						"phone": f(fmt.Sprintf("+9689%07d", i*1000+j)), "governorate": f(d.govs[0]),
						"kind": f("ambassador"), "status": f("active")}}
				}
				// The device has its request ready (encoded and gzipped)
				// when the storm starts: the latency is HQ's.
				body, err := gzipBody(protocol.PushRequest{Clock: d.clock.Now().String(), Ops: ops})
				if err != nil {
					b.Error(err)
				}
				ready.Done()
				<-start
				t0 := time.Now()
				var pushResp protocol.PushResponse
				err = stormCall(ctx, hc, http.MethodPost, h.URL()+protocol.PathPush, d.token, body, &pushResp)
				tPush := time.Since(t0)
				if err == nil {
					for _, r := range pushResp.Results {
						if r.Status != protocol.Applied {
							err = fmt.Errorf("op %s: %+v", r.ID, r)
							break
						}
					}
					if len(pushResp.Results) != len(ops) {
						err = fmt.Errorf("%d results for %d ops", len(pushResp.Results), len(ops))
					}
				}
				if err != nil {
					res.fail(err)
					return
				}
				var pulls []time.Duration
				pulled := 0
				for {
					t1 := time.Now()
					var page protocol.PullResponse
					if err := stormCall(ctx, hc, http.MethodGet, h.URL()+protocol.PathPull+"?limit=500&cursor="+d.cursor, d.token, nil, &page); err != nil {
						res.fail(err)
						return
					}
					pulls = append(pulls, time.Since(t1))
					pulled += len(page.Changes)
					d.cursor = page.NextCursor
					if !page.HasMore {
						break
					}
				}
				mu.Lock()
				res.push = append(res.push, tPush)
				res.pull = append(res.pull, pulls...)
				res.sync = append(res.sync, time.Since(t0))
				res.pulled += pulled
				mu.Unlock()
			}()
		}
		ready.Wait()
		t0 := time.Now()
		close(start)
		done.Wait()
		wall := time.Since(t0)
		b.StopTimer()
		b.ReportMetric(float64(len(res.push)), "pushes")
		b.ReportMetric(float64(devices*opsEach)/wall.Seconds(), "ops/s")
		// Pushes all start together: the slowest one ends the pushing.
		b.ReportMetric(float64(devices*opsEach)/(pct(res.push, 100)/1000), "push-ops/s")
		b.ReportMetric(pct(res.push, 50), "push-p50-ms")
		b.ReportMetric(pct(res.push, 95), "push-p95-ms")
		b.ReportMetric(pct(res.push, 99), "push-p99-ms")
		b.ReportMetric(pct(res.pull, 99), "pull-p99-ms")
		b.ReportMetric(pct(res.sync, 99), "sync-p99-ms")
		b.ReportMetric(wall.Seconds(), "storm-s")
		b.ReportMetric(float64(res.pulled)/float64(devices), "rows-pulled/device")
		b.ReportMetric(float64(res.errors.Load()), "errors")
		b.Logf("%d devices: %d pushes, %d errors, push p50 %.0f ms p95 %.0f ms p99 %.0f ms, %.0f ops/s, storm %.1f s",
			devices, len(res.push), res.errors.Load(), pct(res.push, 50), pct(res.push, 95), pct(res.push, 99),
			float64(devices*opsEach)/wall.Seconds(), wall.Seconds())
		if e := res.errors.Load(); e > 0 {
			b.Fatalf("%d errors; the first: %v", e, res.firstErr.Load())
		}
		b.StartTimer()
	}
}

// pct is the p-th percentile of ds (100: the largest), in milliseconds.
func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, len(s)*p/100)].Microseconds()) / 1000
}

// gzipBody is v as a push body: JSON, gzipped.
func gzipBody(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes(), nil
}

// stormCall makes one request (a body gzipped, or already gzipped when
// it is a []byte) and decodes a 200 reply into out; anything else is an
// error.
func stormCall(ctx context.Context, hc *http.Client, method, url, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		gz, ok := body.([]byte)
		if !ok {
			var err error
			if gz, err = gzipBody(body); err != nil {
				return err
			}
		}
		rd = bytes.NewReader(gz)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}
