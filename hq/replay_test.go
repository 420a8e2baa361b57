package hq_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestPushResults (server_test.go) covers an op repeated within a batch, a
// batch of two sent again, and an op id reused with another value. This
// adds, over HTTP against the real server: the very same request bytes sent
// N times, for a batch that creates rows, edits, checks in and loses a
// concurrent edit (so it logs a conflict), leaves every row, stamp, change
// number, applied-op record and conflict exactly as the first delivery did;
// an op id reused by the same device with other content (value, row,
// table, stamp) is refused per op and changes nothing either, and the
// original is still recognised afterwards. (Another device's op with the
// same id is another op: TestOpIDsArePerDevice.)
func TestReplayedBatchChangesNothing(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-MA")
		person, workshop := uuid.NewString(), uuid.NewString()
		a.push(a.op("person", person, "name_en", "Salim", "notes", "first", "governorate", "OM-MA"),
			a.op("workshop", workshop, "title_en", "Smart parking", "date", "2026-05-01", "governorate", "OM-MA"))
		a.pullAll(100)
		b.pullAll(100)
		// b edits the notes first; a's batch edits them too, not having
		// seen b's edit: a conflict.
		e.advance(time.Second)
		b.push(b.op("person", person, "notes", "from b"))
		e.advance(time.Second)
		newcomer := uuid.NewString()
		batch := []protocol.Op{
			a.op("person", newcomer, "name_en", "Walk-in", "governorate", "OM-MA"),
			a.op("attendance", uuid.NewString(), "workshop_id", workshop, "person_id", newcomer, "status", "present", "hours", 2.0),
			a.op("person", person, "notes", "from a"),
			a.op("workshop", workshop, "capacity", 30.0),
			a.op("person", person, "deleted", true),
		}
		body := gzipJSON(t, protocol.PushRequest{Clock: a.clock.Now().String(), Ops: batch})

		first := pushRaw(e, a, body)
		want := []string{protocol.Applied, protocol.Applied, protocol.Conflicted, protocol.Applied, protocol.Applied}
		if len(first.Results) != len(batch) {
			t.Fatalf("%d results for %d ops", len(first.Results), len(batch))
		}
		for i, r := range first.Results {
			if r.Status != want[i] {
				t.Fatalf("first delivery, op %d: %+v, want %s", i, r, want[i])
			}
		}
		snap := snapshot(t, e, a, batch)
		if snap.conflicts != 1 {
			t.Fatalf("%d conflicts after the first delivery", snap.conflicts)
		}
		for n := 2; n <= 6; n++ {
			again := pushRaw(e, a, body)
			if len(again.Results) != len(batch) {
				t.Fatalf("delivery %d: %d results for %d ops", n, len(again.Results), len(batch))
			}
			for i, r := range again.Results {
				if r.Status != protocol.Duplicate {
					t.Fatalf("delivery %d, op %d: %+v, want duplicate", n, i, r)
				}
			}
			snap.same(t, snapshot(t, e, a, batch), "delivery "+string(rune('0'+n)))
		}
		// b pulls after the replays: nothing new beyond the first delivery.
		b.pullAll(100)
		if ch := b.pullAll(100); len(ch) != 0 {
			t.Fatalf("replays made %d changes to pull", len(ch))
		}

		// The same op id with other content: refused, whatever differs.
		orig := batch[2]
		otherValue := orig
		otherValue.Fields = map[string]protocol.Field{"notes": {Value: "sneaky", HLC: orig.Fields["notes"].HLC}}
		otherRow := orig
		otherRow.RowID = newcomer
		otherTable := orig
		otherTable.Table = "workshop"
		otherTable.RowID = workshop
		otherTable.Fields = map[string]protocol.Field{"venue": {Value: "from a", HLC: orig.Fields["notes"].HLC}}
		otherStamp := orig
		otherStamp.Fields = map[string]protocol.Field{"notes": {Value: "from a", HLC: a.clock.Now().String()}}
		otherBase := orig
		otherBase.BaseRev = orig.BaseRev + 1
		reused := []protocol.Op{otherValue, otherRow, otherTable, otherStamp, otherBase}
		for n := range 3 {
			res := pushRaw(e, a, gzipJSON(t, protocol.PushRequest{Clock: a.clock.Now().String(), Ops: reused}))
			for i, r := range res.Results {
				if r.Status != protocol.Rejected || r.Code != protocol.CodeOpIDReused || r.Message == "" {
					t.Fatalf("try %d, reused id %d: %+v", n, i, r)
				}
			}
			snap.same(t, snapshot(t, e, a, batch), "reused op ids")
		}
		// The original is still recognised.
		if r := pushRaw(e, a, body); r.Results[2].Status != protocol.Duplicate {
			t.Fatalf("the original after the refusals: %+v", r.Results[2])
		}
		snap.same(t, snapshot(t, e, a, batch), "the original again")
	})
}

func gzipJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// pushRaw sends a push body, byte for byte, as device d.
func pushRaw(e *env, d *device, body []byte) protocol.PushResponse {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+protocol.PathPush, bytes.NewReader(body))
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+d.token)
	var resp protocol.PushResponse
	if st := e.send(req, &resp); st != 200 {
		e.t.Fatalf("push: status %d", st)
	}
	return resp
}

// hqSnapshot is everything a push may change at HQ.
type hqSnapshot struct {
	seq       int64
	clock     string
	rows      map[string]hq.Row
	applied   map[string]hq.AppliedOp
	conflicts int
}

// snapshot reads HQ's state and the applied-op records of d's ops.
func snapshot(t *testing.T, e *env, d *device, ops []protocol.Op) hqSnapshot {
	t.Helper()
	m, err := e.store.Meta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := hqSnapshot{seq: m.Seq, clock: m.Clock, rows: map[string]hq.Row{}, applied: map[string]hq.AppliedOp{}}
	rows, _, err := e.store.Changes(ctx, 0, []string{"OM-MA", "OM-DA"}, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		s.rows[r.Table+"/"+r.ID] = r
	}
	err = e.store.Write(ctx, func(tx hq.Tx) error {
		for _, op := range ops {
			if a, ok, err := tx.AppliedOp(ctx, d.id, op.ID); err != nil {
				return err
			} else if ok {
				s.applied[op.ID] = a
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.conflicts, err = e.store.PendingConflicts(ctx, []string{"OM-MA"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s hqSnapshot) same(t *testing.T, o hqSnapshot, when string) {
	t.Helper()
	if o.seq != s.seq || o.clock != s.clock || o.conflicts != s.conflicts || len(o.rows) != len(s.rows) || len(o.applied) != len(s.applied) {
		t.Fatalf("%s: seq %d→%d, saved clock %s→%s, conflicts %d→%d, rows %d→%d, applied ops %d→%d", when,
			s.seq, o.seq, s.clock, o.clock, s.conflicts, o.conflicts, len(s.rows), len(o.rows), len(s.applied), len(o.applied))
	}
	for k, r := range s.rows {
		x := o.rows[k]
		if x.Seq != r.Seq || x.Scope != r.Scope || x.Parent != r.Parent || x.Pending != r.Pending || !bytes.Equal(x.Data, r.Data) {
			t.Fatalf("%s: %s changed:\n%+v\n%+v", when, k, r, x)
		}
	}
	for id, a := range s.applied {
		x := o.applied[id]
		if !bytes.Equal(x.PayloadHash, a.PayloadHash) || x.DeviceID != a.DeviceID || !x.AppliedAt.Equal(a.AppliedAt) {
			t.Fatalf("%s: the record of op %s changed: %+v → %+v", when, id, a, x)
		}
	}
}

// TestOpIDsArePerDevice: HQ's idempotency record is keyed on (device, op
// id). Op ids are stamps, which are predictable, so if they were global a
// device could push ops under the ids another device is about to use and
// have that device's edits refused as duplicates (or as reused ids) for
// good. Here device a pushes op X; device b then pushes its own op under
// the same id X, which is applied; a's retry of X is still a duplicate,
// and a's X with other content still a reused id.
func TestOpIDsArePerDevice(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-MA")
		pa, pb := uuid.NewString(), uuid.NewString()
		x := a.op("person", pa, "name_en", "Salim", "governorate", "OM-MA")
		if r := a.push(x); r[0].Status != protocol.Applied {
			t.Fatalf("a's op X: %+v", r[0])
		}
		// b reserves nothing by knowing X: its own op with id X (another
		// row, other content) is applied, and so is a copy of a's op.
		bx := b.op("person", pb, "name_en", "Aisha", "governorate", "OM-MA")
		bx.ID = x.ID
		if r := b.push(bx); r[0].Status != protocol.Applied {
			t.Fatalf("b's op with a's id: %+v, want applied", r[0])
		}
		same := x
		same.Fields = map[string]protocol.Field{"notes": {Value: "b was here", HLC: b.clock.Now().String()}}
		same.ID = uuid.NewString()
		if r := b.push(same); r[0].Status != protocol.Applied {
			t.Fatalf("b's second op: %+v", r[0])
		}
		// Had b pushed a's next id first, a's op would still be applied.
		next := a.op("person", pa, "phone", "+96890000000")
		early := b.op("person", pb, "phone", "+96891111111")
		early.ID = next.ID
		if r := b.push(early); r[0].Status != protocol.Applied {
			t.Fatalf("b's op under a's next id: %+v", r[0])
		}
		if r := a.push(next); r[0].Status != protocol.Applied {
			t.Fatalf("a's op after b used its id: %+v, want applied", r[0])
		}
		// Each device's retries are still recognised as its own.
		if r := a.push(x, next); r[0].Status != protocol.Duplicate || r[1].Status != protocol.Duplicate {
			t.Fatalf("a's retries: %+v, want duplicates", r)
		}
		if r := b.push(bx, early); r[0].Status != protocol.Duplicate || r[1].Status != protocol.Duplicate {
			t.Fatalf("b's retries: %+v, want duplicates", r)
		}
		reused := x
		reused.Fields = map[string]protocol.Field{"name_en": {Value: "Sneaky", HLC: x.Fields["name_en"].HLC}}
		if r := a.push(reused); r[0].Status != protocol.Rejected || r[0].Code != protocol.CodeOpIDReused {
			t.Fatalf("a's id with other content: %+v, want %s", r[0], protocol.CodeOpIDReused)
		}
		for row, want := range map[string]string{pa: "Salim", pb: "Aisha"} {
			got, _, err := e.store.Row(ctx, "person", row)
			if err != nil {
				t.Fatal(err)
			}
			v, err := hq.RowValues(got)
			if err != nil || v["name_en"] != want {
				t.Fatalf("person %s: %v %v, want name %s", row, v, err, want)
			}
		}
		pr, _, _ := e.store.Row(ctx, "person", pa)
		if v, _ := hq.RowValues(pr); v["phone"] != "+96890000000" || v["notes"] != "b was here" {
			t.Fatalf("a's person: %v", v)
		}
	})
}
