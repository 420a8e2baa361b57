package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// A laptop whose clock jumped three days ahead edits offline, then learns
// HQ's time: its unsent edits move back to HQ's present, in their order,
// with the rows' field stamps, so HQ (which refuses stamps more than
// protocol.MaxAhead ahead) takes them and a later edit still wins.
func TestRestampAheadKeepsOrderAndMovesRowStamps(t *testing.T) {
	ctx := context.Background()
	var now time.Time
	wall := func() time.Time { return now }
	s, err := Open(ctx, filepath.Join(t.TempDir(), "safeer.db"), WithClock(wall))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	real := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

	now = real
	early := safeer.Person{NameEn: "Early", Governorate: "OM-DA"}
	if err := s.AddPerson(ctx, &early); err != nil {
		t.Fatal(err)
	}
	now = real.Add(72 * time.Hour) // the clock jumps ahead
	p := safeer.Person{NameEn: "Salim", Governorate: "OM-DA"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	p.Phone = "+96891234567"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	// Sync measures the offset from HQ's Date header (HQ is on real time).
	now = real.Add(72*time.Hour + time.Minute)
	if err := s.SetClockOffset(ctx, -72*time.Hour); err != nil {
		t.Fatal(err)
	}
	n, err := s.RestampAhead(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RestampAhead = %d, %v; want the 2 ops made ahead", n, err)
	}
	ops, err := s.Outbox(ctx, 0, 10)
	if err != nil || len(ops) != 3 {
		t.Fatalf("outbox %v %v", ops, err)
	}
	limit := real.Add(time.Minute + protocol.MaxAhead).UnixMilli()
	var prev protocol.HLC
	for i, o := range ops {
		h, err := protocol.ParseHLC(o.Stamp)
		if err != nil || h.Wall > limit || h.Device != s.DeviceID() {
			t.Errorf("op %d stamped %s (%v), beyond HQ's allowance", i, o.Stamp, err)
		}
		if !prev.Less(h) {
			t.Errorf("op %d stamp %s not after %s: order lost", i, h, prev)
		}
		if o.Op.ID != o.Stamp || o.Op.Reasserted {
			t.Errorf("op %d id %s stamp %s reasserted=%v", i, o.Op.ID, o.Stamp, o.Op.Reasserted)
		}
		for name, f := range o.Op.Fields {
			if f.HLC != o.Stamp {
				t.Errorf("op %d field %s stamp %s", i, name, f.HLC)
			}
		}
		prev = h
	}
	// The row's stamps moved with the ops: name from the insert, phone from
	// the update.
	var rowHLC, clocks string
	s.db.QueryRow(`SELECT hlc, clocks FROM person WHERE id = ?`, p.ID).Scan(&rowHLC, &clocks)
	if rowHLC != ops[1].Stamp {
		t.Errorf("row hlc %s, want %s", rowHLC, ops[1].Stamp)
	}
	if want := `{"phone":"` + ops[2].Stamp + `"}`; clocks != want {
		t.Errorf("clocks %s, want %s", clocks, want)
	}
	// New edits stamp after the re-stamped ones, still near HQ's time.
	p.NameEn = "Salim (later)"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	ops, _ = s.Outbox(ctx, 0, 10)
	last, _ := protocol.ParseHLC(ops[3].Stamp)
	if !prev.Less(last) || last.Wall > limit {
		t.Errorf("the next edit stamped %s after %s", last, prev)
	}
	// Nothing ahead: nothing to do.
	if n, err := s.RestampAhead(ctx); n != 0 || err != nil {
		t.Errorf("second RestampAhead = %d, %v", n, err)
	}
}

// HQ says a row left this device's governorates: the device drops its copy.
func TestPulledGoneDropsTheRow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id := uuid.NewString()
	h := stamp(time.Now().Add(-time.Hour), "other")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(3, "person", id, map[string]protocol.Field{
		"name_ar": f("مريم الهنائية", h), "governorate": f("OM-MA", h), "civil_id": f("12345678", h),
	})}, "e1.3", ""); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Search(ctx, "مريم", SearchOptions{}); len(res) != 1 {
		t.Fatalf("search before: %d", len(res))
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{{Seq: 9, Table: "person", RowID: id, Gone: true}}, "e1.9", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Person(ctx, id); err == nil {
		t.Fatal("the person who left is still here")
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM person WHERE civil_id = '12345678'`).Scan(&n)
	if n != 0 {
		t.Fatal("the civil ID is still in the database")
	}
	if res, _ := s.Search(ctx, "مريم", SearchOptions{}); len(res) != 0 {
		t.Fatalf("search after: %v", res)
	}
	if st := syncState(t, s); st.Cursor != "e1.9" {
		t.Fatalf("cursor %q", st.Cursor)
	}
}
