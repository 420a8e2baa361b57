package hq_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Two HQ processes on one database each keep a clock in memory. A pull
// from one must hand the device a clock past every stamp the page carries,
// including one the other process accepted ahead of its wall clock: else
// the device's next edit of that field would stamp below it and lose.
func TestPullClockCoversTheOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hq.db")
	open := func() *env {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return newEnv(t, st)
	}
	a, b := open(), open()
	d := a.enrol("OM-MA")
	p := uuid.NewString()
	ahead := protocol.HLC{Wall: a.clock().Add(protocol.MaxAhead - time.Minute).UnixMilli(), Device: d.id}
	if r := d.push(stamped(d.op("person", p, "name_en", "Salim", "governorate", "OM-MA"), ahead)); r[0].Status != protocol.Applied {
		t.Fatalf("push to A: %+v", r[0])
	}
	var resp protocol.PullResponse
	if st := b.do(http.MethodGet, protocol.PathPull+"?cursor=", d.token, nil, &resp); st != 200 || len(resp.Changes) != 1 {
		t.Fatalf("pull from B: %d %+v", st, resp)
	}
	h, err := protocol.ParseHLC(resp.Clock)
	if err != nil || !ahead.Less(h) {
		t.Fatalf("B's clock %s is not past the stamp %s that A accepted", resp.Clock, ahead)
	}
}
