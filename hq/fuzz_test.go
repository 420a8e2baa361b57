package hq_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"runtime"
	"testing"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// FuzzDecodePush feeds the push decoder arbitrary bodies, plain and
// gzipped: it must never panic, never accept more than the batch limits,
// and never hold much more memory than the body limit allows.
func FuzzDecodePush(f *testing.F) {
	f.Add([]byte(`{"clock":"","ops":[]}`), false)
	f.Add([]byte(`{"ops":[{"id":"1","t":"person","r":"r","base":3,"h":"000000000001-000000-d","f":{"name_ar":"سالم","phone":"+96890000000"},"x":{"phone":"000000000002-000000-d"}}]}`), true)
	f.Add([]byte(`{"ops":[{"t":"person","r":"r","h":"000000000001-000000-d","f":{"notes":"x"}}]}`), true)
	f.Add([]byte(`{"ops":[{"f":{"a":[1,2,{"x":null}]},"x":{"b":"1"}}]}`), false)
	f.Add([]byte(`{"ops":`+string(bytes.Repeat([]byte("["), 1000))), true)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, false)
	f.Fuzz(func(t *testing.T, body []byte, compress bool) {
		enc := ""
		if compress {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(body)
			zw.Close()
			body, enc = buf.Bytes(), "gzip"
		}
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		req, err := hq.DecodePush(bytes.NewReader(body), enc)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err != nil {
			return
		}
		if len(req.Ops) > protocol.MaxBatchOps {
			t.Fatalf("%d ops accepted", len(req.Ops))
		}
		// JSON decoding costs a small multiple of the input, which is
		// itself bounded by MaxPushBody.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64*hq.MaxPushBody {
			t.Fatalf("decoding %d bytes allocated %d", len(body), grew)
		}
	})
}

// FuzzDecodePushGzip feeds raw (possibly corrupt) gzip streams.
func FuzzDecodePushGzip(f *testing.F) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Repeat([]byte("A"), 1<<20))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := hq.DecodePush(bytes.NewReader(body), "gzip")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			t.Fatalf("raw MaxBytesError leaked: %v", err)
		}
	})
}

// FuzzParsePull feeds the pull query parser arbitrary query strings: it
// must never panic, and what it accepts must be in range and round-trip.
func FuzzParsePull(f *testing.F) {
	for _, s := range []string{"", "cursor=ab12.5&limit=10", "cursor=.1", "cursor=a.b.c", "limit=-1",
		"cursor=ab.99999999999999999999", "cursor=%zz", "limit=1e9", "cursor=ab.0&cursor=cd.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		c, limit, err := hq.ParsePull(q)
		if err != nil {
			return
		}
		if limit < 1 || limit > protocol.MaxPullLimit || c.Seq < 0 {
			t.Fatalf("ParsePull(%q) = %+v, %d", q, c, limit)
		}
		if c.Epoch != "" {
			back, err := hq.ParseCursor(c.String())
			if err != nil || back != c {
				t.Fatalf("cursor %+v does not round-trip: %+v %v", c, back, err)
			}
		}
	})
}
