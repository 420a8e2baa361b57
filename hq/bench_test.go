package hq_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
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
// waits HQ asked for included), of a pull page and of a whole sync, the
// pull pages HQ built and those it sent from its cache, the peak Go heap
// of the process (HQ and the clients' copies), and the errors (non-200
// replies, transport errors, ops not applied), which must be zero.
//
// Then every device pulls again what was pushed after its pull (not
// timed), and each must hold exactly what HQ holds in its governorate: the
// same rows at the same versions (sequence numbers) with the same bytes,
// compared with a device that pulls its governorate from nothing in pages
// of another size (so from no cached page), whose copy is compared field
// by field with HQ's rows. A device that differs fails the benchmark.
// SAFEER_STORM_DEVICES sets another number of devices.
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
// and cursor, and what it pulled: row → hash of the row's change as sent
// (which carries its sequence number), the latest of each row.
type stormDevice struct {
	id, token string
	govs      []string
	clock     *protocol.Clock
	cursor    string
	rows      map[uint64]uint64
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

// rawPage is a pull page with its changes left as sent. The storm's
// clients share the two cores with HQ: decoding a thousand devices' pages
// with encoding/json took more CPU than HQ's whole work, so a page is cut
// into its changes by hand (UnmarshalJSON), and a change is read only for
// its table, row and departure (changeKey).
type rawPage struct {
	Changes    [][]byte
	NextCursor string
	HasMore    bool
}

func (p *rawPage) UnmarshalJSON(b []byte) error {
	const head = `{"changes":[`
	if !bytes.HasPrefix(b, []byte(head)) {
		return fmt.Errorf("a pull page that does not begin with %s", head)
	}
	i, depth, inString, start := len(head), 0, false, -1
	for ; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth == 0 {
				start = i
			}
			depth++
		case '}', ']':
			if depth == 0 { // the end of the changes
				var tail struct {
					NextCursor string `json:"next_cursor"`
					HasMore    bool   `json:"has_more"`
				}
				if err := json.Unmarshal(append([]byte("{"), bytes.TrimPrefix(b[i+1:], []byte(","))...), &tail); err != nil {
					return err
				}
				p.NextCursor, p.HasMore = tail.NextCursor, tail.HasMore
				return nil
			}
			depth--
			if depth == 0 {
				p.Changes = append(p.Changes, b[start:i+1])
			}
		}
	}
	return errors.New("a pull page cut short")
}

// changeKey reads a change's table, row id and departure from its wire
// form, which begins {"s":N,"t":"TABLE","r":"ID" and ends with "g":true}
// for a departure (protocol.Change.MarshalJSON); anything else is decoded.
func changeKey(raw []byte) (table, row string, gone bool, err error) {
	field := func(b []byte, name string) (string, []byte, bool) {
		i := bytes.Index(b, []byte(`"`+name+`":"`))
		if i < 0 {
			return "", nil, false
		}
		b = b[i+len(name)+4:]
		j := bytes.IndexAny(b, `"\\`)
		if j < 0 || b[j] != '"' {
			return "", nil, false
		}
		return string(b[:j]), b[j:], true
	}
	if t, rest, ok := field(raw, "t"); ok {
		if r, _, ok := field(rest, "r"); ok {
			return t, r, bytes.HasSuffix(raw, []byte(`"g":true}`)), nil
		}
	}
	var ch struct {
		Table string `json:"t"`
		Row   string `json:"r"`
		Gone  bool   `json:"g"`
	}
	err = json.Unmarshal(raw, &ch)
	return ch.Table, ch.Row, ch.Gone, err
}

// pull fetches the pages after the device's cursor until HQ has no more,
// keeping the latest change of each row, and returns each page's time.
func (d *stormDevice) pull(ctx context.Context, hc *http.Client, url string, limit int) ([]time.Duration, int, error) {
	var times []time.Duration
	pulled := 0
	for {
		t1 := time.Now()
		var page rawPage
		if err := stormCall(ctx, hc, http.MethodGet, fmt.Sprintf("%s%s?limit=%d&cursor=%s", url, protocol.PathPull, limit, d.cursor), d.token, nil, &page); err != nil {
			return times, pulled, err
		}
		times = append(times, time.Since(t1))
		pulled += len(page.Changes)
		for _, raw := range page.Changes {
			table, row, gone, err := changeKey(raw)
			if err != nil {
				return times, pulled, err
			}
			k := rowHash(table, row)
			if gone {
				delete(d.rows, k)
			} else {
				d.rows[k] = bytesHash(raw)
			}
		}
		d.cursor = page.NextCursor
		if !page.HasMore {
			return times, pulled, nil
		}
	}
}

// hashSeed seeds the devices' row hashes (maphash: the clients share the
// cores with HQ, and FNV's byte at a time cost more than the page cache).
var hashSeed = maphash.MakeSeed()

func rowHash(table, id string) uint64 {
	return maphash.String(hashSeed, table+"\x00"+id)
}

func bytesHash(b []byte) uint64 { return maphash.Bytes(hashSeed, b) }

func storm(b *testing.B, devices, opsEach int, open func(ctx context.Context) (hq.Store, error)) {
	ctx := context.Background()
	st, err := open(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	_, hqKey, _ := ed25519.GenerateKey(rand.Reader)
	srv, err := hq.NewServer(ctx, st, hqKey, hq.Options{Logger: synccheck.Quiet})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = devices+10, devices+10
	hc := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	defer tr.CloseIdleConnections()

	govs := synccheck.Governorates()
	// Enrol the devices (not timed), and one more per governorate to
	// check the others against.
	enrol := func(gov string) *stormDevice {
		code, _, err := hq.CreateEnrolment(ctx, st, []string{gov}, "storm device", hq.CLI, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		id := uuid.NewString()
		var ch protocol.EnrolChallenge
		if err := stormCall(ctx, hc, http.MethodPost, hs.URL+protocol.PathEnrolChallenge, "", protocol.EnrolChallengeRequest{Code: code}, &ch); err != nil {
			b.Fatal(err)
		}
		req := protocol.EnrolRequest{Code: code, DeviceID: id}
		protocol.SignEnrol(&req, key, ch.Nonce)
		var resp protocol.EnrolResponse
		if err := stormCall(ctx, hc, http.MethodPost, hs.URL+protocol.PathEnrol, "", req, &resp); err != nil {
			b.Fatal(err)
		}
		return &stormDevice{id: id, token: resp.Token, govs: []string{gov}, clock: protocol.NewClock(id, protocol.HLC{}, nil), rows: map[uint64]uint64{}}
	}
	devs := make([]*stormDevice, devices)
	for i := range devs {
		devs[i] = enrol(govs[i%len(govs)])
	}
	refs := map[string]*stormDevice{}
	for _, gov := range govs {
		refs[gov] = enrol(gov)
	}

	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		res := &stormResult{}
		var pushed atomic.Int64
		var cpu0, pushCPU time.Duration
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
				err = stormCall(ctx, hc, http.MethodPost, hs.URL+protocol.PathPush, d.token, body, &pushResp)
				tPush := time.Since(t0)
				if pushed.Add(1) == int64(devices) {
					pushCPU = cpuTime() - cpu0
				}
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
				pulls, pulled, err := d.pull(ctx, hc, hs.URL, 500)
				if err != nil {
					res.fail(err)
					return
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
		hits0, builds0 := srv.PullCacheStats()
		peak, stopMem := sampleHeap()
		t0 := time.Now()
		cpu0 = cpuTime()
		close(start)
		done.Wait()
		wall := time.Since(t0)
		stormCPU := cpuTime() - cpu0
		stopMem()
		hits, builds := srv.PullCacheStats()
		b.StopTimer()
		b.ReportMetric(float64(len(res.push)), "pushes")
		b.ReportMetric(float64(devices*opsEach)/wall.Seconds(), "ops/s")
		// Pushes all start together: the slowest one ends the pushing.
		b.ReportMetric(float64(devices*opsEach)/(pct(res.push, 100)/1000), "push-ops/s")
		b.ReportMetric(pct(res.push, 50), "push-p50-ms")
		b.ReportMetric(pct(res.push, 95), "push-p95-ms")
		b.ReportMetric(pct(res.push, 99), "push-p99-ms")
		b.ReportMetric(pct(res.pull, 50), "pull-p50-ms")
		b.ReportMetric(pct(res.pull, 99), "pull-p99-ms")
		b.ReportMetric(pct(res.sync, 50), "sync-p50-ms")
		b.ReportMetric(pct(res.sync, 99), "sync-p99-ms")
		b.ReportMetric(wall.Seconds(), "storm-s")
		b.ReportMetric(float64(res.pulled)/float64(devices), "rows-pulled/device")
		b.ReportMetric(float64(builds-builds0), "pages-built")
		b.ReportMetric(float64(hits-hits0), "pages-cached")
		b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		// The CPU the process used (HQ and the clients) until the last
		// push was answered, and in the whole storm: the cores are
		// shared, and these say what the latencies cannot, how much of
		// them was this work rather than waiting for the machine.
		b.ReportMetric(pushCPU.Seconds(), "push-phase-cpu-s")
		b.ReportMetric(stormCPU.Seconds(), "storm-cpu-s")
		b.ReportMetric(float64(res.errors.Load()), "errors")
		b.Logf("%d devices: %d pushes, %d errors, push p50 %.0f ms p99 %.0f ms, pull page p50 %.0f ms p99 %.0f ms, sync p50 %.0f ms p99 %.0f ms, %.0f ops/s, storm %.1f s, CPU %.1f s (%.1f s until the last push), %d pages built, %d from the cache, peak heap %d MiB",
			devices, len(res.push), res.errors.Load(), pct(res.push, 50), pct(res.push, 99), pct(res.pull, 50), pct(res.pull, 99),
			pct(res.sync, 50), pct(res.sync, 99), float64(devices*opsEach)/wall.Seconds(), wall.Seconds(), stormCPU.Seconds(), pushCPU.Seconds(),
			builds-builds0, hits-hits0, peak()>>20)
		if e := res.errors.Load(); e > 0 {
			b.Fatalf("%d errors; the first: %v", e, res.firstErr.Load())
		}
		stormConverged(b, st, hc, hs.URL, devs, refs)
		b.StartTimer()
	}
}

// stormConverged has every device pull what came after its own pull, then
// checks that each holds what HQ holds in its governorate (see
// BenchmarkDevicesAtOnce).
func stormConverged(b *testing.B, st hq.Store, hc *http.Client, url string, devs []*stormDevice, refs map[string]*stormDevice) {
	ctx := context.Background()
	res := &stormResult{}
	var wg sync.WaitGroup
	for _, d := range devs {
		wg.Go(func() {
			if _, _, err := d.pull(ctx, hc, url, 500); err != nil {
				res.fail(err)
			}
		})
	}
	wg.Wait()
	if e := res.errors.Load(); e > 0 {
		b.Fatalf("catching up: %d errors; the first: %v", e, res.firstErr.Load())
	}
	for gov, ref := range refs {
		// The reference pulls in pages of 499, then of 498, which no
		// storm device asked for: none of them was cached. The first pull
		// gives the changes as sent, to compare the devices with; the
		// second, decoded, is compared with HQ's rows.
		ref.cursor, ref.rows = "", map[uint64]uint64{}
		if _, _, err := ref.pull(ctx, hc, url, 499); err != nil {
			b.Fatal(err)
		}
		var page protocol.PullResponse
		copyOf := synccheck.Dump{}
		decoded := map[uint64]bool{} // every row, places too
		for cursor := ""; ; cursor = page.NextCursor {
			page = protocol.PullResponse{}
			if err := stormCall(ctx, hc, http.MethodGet, fmt.Sprintf("%s%s?limit=498&cursor=%s", url, protocol.PathPull, cursor), ref.token, nil, &page); err != nil {
				b.Fatal(err)
			}
			for _, c := range page.Changes {
				if c.Gone {
					delete(copyOf, c.Table+"/"+c.RowID)
					delete(decoded, rowHash(c.Table, c.RowID))
					continue
				}
				decoded[rowHash(c.Table, c.RowID)] = true
				if c.Table == "place" {
					continue
				}
				row := map[string]synccheck.Cell{}
				for f, v := range c.Fields {
					row[f] = synccheck.Cell{V: synccheck.Canon(c.Table, f, v.Value), H: v.HLC}
				}
				copyOf[c.Table+"/"+c.RowID] = row
			}
			if !page.HasMore {
				break
			}
		}
		if len(decoded) != len(ref.rows) {
			b.Fatalf("%s: %d rows decoded, %d read as sent", gov, len(decoded), len(ref.rows))
		}
		for k := range decoded {
			if _, ok := ref.rows[k]; !ok {
				b.Fatalf("%s: a row decoded is not among those read as sent", gov)
			}
		}
		want, err := synccheck.HQDump(ctx, st, []string{gov})
		if err != nil {
			b.Fatal(err)
		}
		if diffs := synccheck.Compare(want, copyOf); len(diffs) > 0 || len(want) == 0 {
			b.Fatalf("%s: a new device's copy differs from HQ's rows (%d rows at HQ): %v", gov, len(want), diffs[:min(len(diffs), 5)])
		}
	}
	diverged := 0
	for _, d := range devs {
		if !maps.Equal(d.rows, refs[d.govs[0]].rows) {
			diverged++
		}
	}
	b.ReportMetric(float64(diverged), "diverged")
	if diverged > 0 {
		b.Fatalf("%d of %d devices do not hold what HQ holds in their governorate", diverged, len(devs))
	}
}

// sampleHeap samples the Go heap in use until stop is called; peak is the
// largest sample.
func sampleHeap() (peak func() uint64, stop func()) {
	var max atomic.Uint64
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max.Load() {
				max.Store(m.HeapInuse)
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return max.Load, func() { close(quit); <-finished }
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
	if p, ok := out.(*rawPage); ok {
		return p.UnmarshalJSON(raw) // without encoding/json's pass over it all
	}
	return json.Unmarshal(raw, out)
}
