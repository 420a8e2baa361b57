package hq_test

import (
	"bytes"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
	"pgregory.net/rapid"
)

// A hostile device: enrolled for Ad Dakhiliyah (OM-DA), stolen, buggy or
// misused, pushing whatever it likes at HQ. Every attack here was found
// against an earlier HQ; each must be refused with the row, its scope and
// its fields unchanged, and the honest devices' views unchanged.

// muscat is a Muscat roster as an honest device made it: a person with
// civil ID and phone, a workshop, an attendance and a certificate.
type muscat struct {
	person, workshop, attendance, certificate string
}

// seeded numbers the certificate codes of seeded rosters: a code names
// one certificate only.
var seeded atomic.Int32

func seedMuscat(t *testing.T, ma *device) muscat { return seedIn(t, ma, "OM-MA") }

func seedIn(t *testing.T, ma *device, gov string) muscat {
	t.Helper()
	m := muscat{uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}
	r := ma.push(
		ma.op("person", m.person, "name_en", "Aisha Al Balushi", "civil_id", "12345678", "phone", "+96891234567", "governorate", gov),
		ma.op("workshop", m.workshop, "title_en", "Smart parking", "governorate", gov, "hours", 3.0),
		ma.op("attendance", m.attendance, "workshop_id", m.workshop, "person_id", m.person, "hours", 3.0),
		ma.op("certificate", m.certificate, "attendance_id", m.attendance, "code", fmt.Sprintf("MCT%02d-AAAAA", seeded.Add(1)), "revoked_at", "2025-02-01T00:00:00Z"),
	)
	for i, res := range r {
		if res.Status != protocol.Applied {
			t.Fatalf("seed op %d: %+v", i, res)
		}
	}
	return m
}

// rowsOf is every row HQ holds in the scopes, by table/id.
func rowsOf(t *testing.T, e *env, scopes ...string) map[string]hq.Row {
	t.Helper()
	rows, _, err := e.store.Changes(ctx, 0, scopes, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]hq.Row{}
	for _, r := range rows {
		if r.Scope == "" {
			continue // places
		}
		out[r.Table+"/"+r.ID] = r
	}
	return out
}

func sameRows(t *testing.T, when string, before, after map[string]hq.Row) {
	t.Helper()
	for k, b := range before {
		a, ok := after[k]
		if !ok {
			t.Errorf("%s: %s left its governorate (now %v)", when, k, after[k].Scope)
			continue
		}
		if a.Scope != b.Scope || a.Seq != b.Seq || !bytes.Equal(a.Data, b.Data) {
			t.Errorf("%s: %s changed:\n was %s %s\n now %s %s", when, k, b.Scope, b.Data, a.Scope, a.Data)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: %s appeared", when, k)
		}
	}
}

// stamped is op with every field stamped h.
func stamped(op protocol.Op, h protocol.HLC) protocol.Op {
	for k, f := range op.Fields {
		f.HLC = h.String()
		op.Fields[k] = f
	}
	return op
}

func TestHostileDeviceCannotReachAnotherGovernorate(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		m := seedMuscat(t, ma)
		ma.pullAll(100)
		before := rowsOf(t, e, "OM-MA")
		daBefore := rowIDs(da.pullAll(100))

		past := protocol.HLC{Wall: e.clock().Add(-400 * 24 * time.Hour).UnixMilli(), Device: da.id}
		attacks := map[string]protocol.Op{
			"move a person to its own governorate": da.op("person", m.person, "governorate", "OM-DA", "notes", "mine now"),
			"move with a stamp from the distant past, and edit": stamped(da.op("person", m.person,
				"governorate", "OM-DA", "phone", "+96899999999", "deleted", true), past),
			"edit without moving":                 da.op("person", m.person, "phone", "+96899999999"),
			"delete":                              da.op("person", m.person, "deleted", true),
			"merge away":                          da.op("person", m.person, "merged_into", uuid.NewString()),
			"move the workshop":                   da.op("workshop", m.workshop, "governorate", "OM-DA"),
			"take the attendance":                 da.op("attendance", m.attendance, "hours", 0.0),
			"re-point the attendance":             da.op("attendance", m.attendance, "workshop_id", uuid.NewString()),
			"un-revoke the certificate":           da.op("certificate", m.certificate, "revoked_at", ""),
			"attend the Muscat workshop":          da.op("attendance", uuid.NewString(), "workshop_id", m.workshop, "person_id", uuid.NewString()),
			"certify the Muscat attendance":       da.op("certificate", uuid.NewString(), "attendance_id", m.attendance, "code", "EVIL1-BBBBB"),
			"log a conflict about the person":     da.op("conflict", uuid.NewString(), "tbl", "person", "row_id", m.person, "field", "phone", "governorate", "OM-DA"),
			"create a Muscat person":              da.op("person", uuid.NewString(), "name_en", "Ghost", "governorate", "OM-MA"),
			"as the Muscat device (forged stamp)": stamped(da.op("person", m.person, "notes", "x"), protocol.HLC{Wall: e.clock().UnixMilli(), Device: ma.id}),
			"as HQ (forged stamp)":                stamped(da.op("person", m.person, "notes", "x"), protocol.HLC{Wall: e.clock().UnixMilli(), Device: "hq"}),
		}
		for name, op := range attacks {
			r := da.push(op)
			if r[0].Status != protocol.Rejected || r[0].Message == "" {
				t.Errorf("%s: %+v, want a rejection in words", name, r[0])
			}
			sameRows(t, name, before, rowsOf(t, e, "OM-MA"))
		}
		// Its own person merged into a Muscat one (whose attendance would
		// then count theirs): refused too.
		mine := uuid.NewString()
		if r := da.push(da.op("person", mine, "name_en", "Mine", "governorate", "OM-DA")); r[0].Status != protocol.Applied {
			t.Fatalf("own person: %+v", r[0])
		}
		if r := da.push(da.op("person", mine, "merged_into", m.person)); r[0].Code != protocol.CodeOutOfScope {
			t.Errorf("merged into a Muscat person: %+v", r[0])
		}
		sameRows(t, "merged into Muscat", before, rowsOf(t, e, "OM-MA"))
		// Re-asserted in the name of the Muscat device (which HQ knows):
		// still refused, the row is not the attacker's.
		re := stamped(da.op("person", m.person, "phone", "+96899999999"), protocol.HLC{Wall: e.clock().UnixMilli(), Device: ma.id})
		re.Reasserted = true
		if r := da.push(re); r[0].Code != protocol.CodeOutOfScope {
			t.Errorf("re-asserted into Muscat: %+v", r[0])
		}
		sameRows(t, "re-asserted", before, rowsOf(t, e, "OM-MA"))

		// Nothing of Muscat reached the attacker, and the Muscat device
		// still owns its rows.
		if got := rowIDs(da.pullAll(100)); len(got) != 1 || got[0] != "person/"+mine {
			t.Errorf("the OM-DA device pulled %v (before: %v), want only its own person", got, daBefore)
		}
		if r := ma.push(ma.op("person", m.person, "notes", "still ours")); r[0].Status != protocol.Applied {
			t.Errorf("the Muscat device's own edit after the attacks: %+v", r[0])
		}
	})
}

// A row moved by a device enrolled for both governorates: the devices of
// the one it left get a change that removes it, and those of the one it
// joined get it, with its attendance and certificate.
func TestMoveTellsTheOldGovernorate(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		ma := e.enrol("OM-MA")
		da := e.enrol("OM-DA")
		both := e.enrol("OM-MA", "OM-DA")
		m := seedMuscat(t, ma)
		ma.pullAll(100)
		da.pullAll(100)
		both.pullAll(100)

		if r := both.push(both.op("workshop", m.workshop, "governorate", "OM-DA")); r[0].Status != protocol.Applied {
			t.Fatalf("move by a device enrolled for both: %+v", r[0])
		}
		gone := map[string]bool{}
		for _, c := range ma.pullAll(100) {
			if !c.Gone || len(c.Fields) != 0 {
				t.Errorf("the Muscat device pulled %s/%s gone=%v %v after the move", c.Table, c.RowID, c.Gone, c.Fields)
			}
			gone[c.Table+"/"+c.RowID] = true
		}
		for _, k := range []string{"workshop/" + m.workshop, "attendance/" + m.attendance, "certificate/" + m.certificate} {
			if !gone[k] {
				t.Errorf("the Muscat device was not told %s left: %v", k, gone)
			}
		}
		if gone["person/"+m.person] {
			t.Errorf("the person did not move, yet was removed")
		}
		got := rowIDs(da.pullAll(100))
		for _, k := range []string{"workshop/" + m.workshop, "attendance/" + m.attendance, "certificate/" + m.certificate} {
			if !slices.Contains(got, k) {
				t.Errorf("OM-DA did not get %s: %v", k, got)
			}
		}
		// The device enrolled for both keeps everything: no removal.
		for _, c := range both.pullAll(100) {
			if c.Gone {
				t.Errorf("the device of both governorates was told %s/%s left", c.Table, c.RowID)
			}
		}
		// A device of the old governorate that enrols later is told too
		// (it never had the rows; dropping nothing is harmless).
		late := e.enrol("OM-MA")
		for _, c := range late.pullAll(100) {
			if c.Table == "workshop" && c.RowID == m.workshop && !c.Gone {
				t.Errorf("a new Muscat device pulled the moved workshop")
			}
		}
		// And back: the Muscat device gets the row again, not a removal.
		if r := both.push(both.op("workshop", m.workshop, "governorate", "OM-MA")); r[0].Status != protocol.Applied {
			t.Fatalf("move back: %+v", r[0])
		}
		for _, c := range ma.pullAll(100) {
			if c.Gone {
				t.Errorf("after the move back the Muscat device was told %s/%s left", c.Table, c.RowID)
			}
		}
	})
}

// A stamp ahead of HQ would pin the field: every later honest edit would
// lose to it. And a value that loses the merge is never "applied".
func TestFutureStampsAndSupersededValues(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-MA")
		p := uuid.NewString()
		if r := a.push(a.op("person", p, "name_en", "Salim", "governorate", "OM-MA")); r[0].Status != protocol.Applied {
			t.Fatal(r)
		}
		for _, ahead := range []time.Duration{protocol.MaxAhead + time.Second, time.Hour, 23 * time.Hour} {
			op := stamped(a.op("person", p, "phone", "+96890000001"), protocol.HLC{Wall: e.clock().Add(ahead).UnixMilli(), Device: a.id})
			if r := a.push(op); r[0].Code != protocol.CodeClockSkew {
				t.Errorf("a stamp %s ahead: %+v", ahead, r[0])
			}
			if now := e.srv.Clock().Peek(); now.Wall > e.clock().Add(protocol.MaxAhead).UnixMilli() {
				t.Errorf("HQ's clock ran ahead to %v", now.Time())
			}
		}
		b.pullAll(100)
		// b's clock is behind a's last stamp; b had seen a's value, so this
		// is no conflict, but b's value is not the one kept.
		old := stamped(b.op("person", p, "name_en", "Salem"), protocol.HLC{Wall: e.clock().Add(-time.Hour).UnixMilli(), Device: b.id})
		r := b.push(old)
		if r[0].Status != protocol.Superseded || r[0].Message == "" {
			t.Errorf("an older value: %+v, want superseded in words", r[0])
		}
		row, _, _ := e.store.Row(ctx, "person", p)
		if v, _ := hq.RowValues(row); v["name_en"] != "Salim" {
			t.Errorf("name now %v", v["name_en"])
		}
		// An honest later edit by b wins.
		if r := b.push(b.op("person", p, "name_en", "Salem")); r[0].Status != protocol.Applied {
			t.Errorf("b's later edit: %+v", r[0])
		}
	})
}

// Stamps must name the device that pushes: one that names another device
// (or HQ) would take its place in the merge and in the conflict log.
func TestForgedAuthorsAreRefused(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		a := e.enrol("OM-MA")
		b := e.enrol("OM-MA")
		p := uuid.NewString()
		a.push(a.op("person", p, "name_en", "Salim", "governorate", "OM-MA"))
		now := e.clock().UnixMilli()
		for _, dev := range []string{b.id, "hq", "someone-else"} {
			op := stamped(a.op("person", p, "notes", "x"), protocol.HLC{Wall: now, Device: dev})
			if r := a.push(op); r[0].Code != protocol.CodeNotAuthor {
				t.Errorf("stamped by %q: %+v", dev, r[0])
			}
			// Re-asserted: only in the name of a device HQ knows, or HQ.
			op.Reasserted = true
			want := protocol.Applied
			if dev == "someone-else" {
				want = protocol.Rejected
			}
			if r := a.push(op); r[0].Status != want && !(want == protocol.Applied && r[0].Status == protocol.Superseded) {
				t.Errorf("re-asserted in the name of %q: %+v, want %s", dev, r[0], want)
			}
		}
		// Loosely written stamps are refused.
		for _, bad := range []string{
			fmt.Sprintf("%012x-000000-%s", now, a.id) + "/x",
			fmt.Sprintf("%012X-000000-%s", now, a.id),
			fmt.Sprintf("+%011x-000000-%s", now, a.id),
			fmt.Sprintf("%012x-000000-%s", now, a.id) + string(bytes.Repeat([]byte("a"), 5000)),
		} {
			op := a.op("person", p, "notes", "y")
			op.Fields["notes"] = protocol.Field{Value: "y", HLC: bad}
			if r := a.push(op); r[0].Status != protocol.Rejected {
				t.Errorf("stamp %.60q: %+v", bad, r[0])
			}
		}
	})
}

// The property: random pushes from a device enrolled for OM-DA (random
// tables, ids of other governorates' rows, random governorate values and
// stamps: past, future, forged) never change a row outside OM-DA, never
// make one visible to it, and never move HQ's clock more than
// protocol.MaxAhead past its wall clock.
func TestHostilePushesProperty(t *testing.T) {
	rapidChecks(t, 30)
	e := newEnv(t, sqliteStore(t))
	ma := e.enrol("OM-MA")
	bu := e.enrol("OM-BU")
	da := e.enrol("OM-DA")
	m := seedMuscat(t, ma)
	b := seedIn(t, bu, "OM-BU")
	own := seedMuscat(t, e.enrol("OM-MA", "OM-DA"))
	outside := func() map[string]hq.Row { return rowsOf(t, e, "OM-MA", "OM-BU") }
	ids := []string{m.person, m.workshop, m.attendance, m.certificate, b.person, b.workshop, b.attendance, b.certificate,
		own.person, own.workshop, uuid.NewString()}
	tables := []string{"person", "workshop", "attendance", "certificate", "conflict", "place"}
	govs := []string{"OM-MA", "OM-DA", "OM-BU", "", "om-da", "XX"}

	rapid.Check(t, func(rt *rapid.T) {
		before := outside()
		var ops []protocol.Op
		for range rapid.IntRange(1, 8).Draw(rt, "ops") {
			table := rapid.SampledFrom(tables).Draw(rt, "table")
			row := rapid.SampledFrom(ids).Draw(rt, "row")
			fields := protocol.Tables[table]
			kv := []any{}
			for range rapid.IntRange(1, 3).Draw(rt, "fields") {
				f := rapid.SampledFrom(fields).Draw(rt, "field")
				var v any = rapid.SampledFrom([]string{"x", "+96899999999", ""}).Draw(rt, "value")
				switch f {
				case "governorate":
					v = rapid.SampledFrom(govs).Draw(rt, "gov")
				case "workshop_id", "attendance_id", "person_id", "row_id", "merged_into":
					v = rapid.SampledFrom(ids).Draw(rt, "ref")
				case "deleted", "resolved":
					v = rapid.Bool().Draw(rt, "bool")
				}
				kv = append(kv, f, v)
			}
			op := da.op(table, row, kv...)
			offset := time.Duration(rapid.Int64Range(-1000, 1000).Draw(rt, "offset_h")) * time.Hour
			if rapid.Bool().Draw(rt, "small offset") {
				offset = time.Duration(rapid.Int64Range(-600, 600).Draw(rt, "offset_s")) * time.Second
			}
			author := rapid.SampledFrom([]string{da.id, da.id, ma.id, bu.id, "hq"}).Draw(rt, "author")
			op = stamped(op, protocol.HLC{Wall: e.clock().Add(offset).UnixMilli(), Device: author})
			op.Reasserted = rapid.Bool().Draw(rt, "reasserted")
			op.BaseRev = rapid.Int64Range(0, 100).Draw(rt, "base")
			ops = append(ops, op)
		}
		da.push(ops...)
		after := outside()
		for k, b := range before {
			a, ok := after[k]
			if !ok || a.Scope != b.Scope || a.Seq != b.Seq || !bytes.Equal(a.Data, b.Data) {
				rt.Fatalf("%s changed: was %s %s, now %s %s", k, b.Scope, b.Data, a.Scope, a.Data)
			}
		}
		for _, c := range da.pullAll(1000) {
			if c.Gone {
				continue
			}
			r, found, _ := e.store.Row(ctx, c.Table, c.RowID)
			if c.Table != "place" && (!found || r.Scope != "OM-DA") {
				rt.Fatalf("the OM-DA device pulled %s/%s of %q", c.Table, c.RowID, r.Scope)
			}
		}
		if now := e.srv.Clock().Peek(); now.Wall > e.clock().Add(protocol.MaxAhead).UnixMilli() {
			rt.Fatalf("HQ's clock ran ahead to %v", now.Time())
		}
	})
}

// A device that merges B into A and then deletes A (and with it B, as the
// device does) meant both gone: HQ undoes no merge and logs no conflict.
func TestDeletingAMergedPersonOnOneDeviceUndoesNothing(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t))
		d := e.enrol("OM-MA")
		a, b := uuid.NewString(), uuid.NewString()
		d.push(d.op("person", a, "name_en", "Ahmed", "governorate", "OM-MA"), d.op("person", b, "name_en", "Ahmad", "governorate", "OM-MA"))
		d.pullAll(100)
		r := d.push(d.op("person", b, "merged_into", a), d.op("person", b, "deleted", true), d.op("person", a, "deleted", true))
		for i, res := range r {
			if res.Status != protocol.Applied {
				t.Fatalf("op %d: %+v", i, res)
			}
		}
		if n, _ := e.store.PendingConflicts(ctx, []string{"OM-MA"}); n != 0 {
			t.Errorf("%d conflicts logged", n)
		}
		row, _, _ := e.store.Row(ctx, "person", b)
		if v, _ := hq.RowValues(row); v["merged_into"] != a || v["deleted"] != true {
			t.Errorf("B at HQ: %v", v)
		}
	})
}
