package data

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
)

// stamp makes an HQ-side stamp at wall time t from device dev.
func stamp(t time.Time, dev string) string {
	return protocol.HLC{Wall: t.UnixMilli(), Device: dev}.String()
}

func change(seq int64, table, id string, fields map[string]protocol.Field) protocol.Change {
	return protocol.Change{Seq: seq, Table: table, RowID: id, Fields: fields}
}

func f(v any, h string) protocol.Field { return protocol.Field{Value: v, HLC: h} }

func syncState(t testing.TB, s *Store) SyncState {
	t.Helper()
	st, err := s.SyncState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestApplyNewRowIsNotAnOutboxChange(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// Search once so the index is live and must be patched by the pull.
	if _, err := s.Search(ctx, "", SearchOptions{}); err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	h := stamp(time.Now().Add(-time.Hour), "other")
	err := s.ApplyChanges(ctx, []protocol.Change{change(7, "person", id, map[string]protocol.Field{
		"name_ar": f("مريم الهنائية", h), "governorate": f("OM-DA", h), "deleted": f(false, h),
	})}, "e1.7", stamp(time.Now(), "hq"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Person(ctx, id)
	if err != nil || p.NameAr != "مريم الهنائية" || p.Governorate != "OM-DA" || p.Status != safeer.StatusActive {
		t.Fatalf("pulled person %+v, %v", p, err)
	}
	if n, _ := s.OutboxLen(ctx); n != 0 {
		t.Fatalf("a pulled row made %d outbox ops", n)
	}
	var rev int64
	var clocks string
	s.db.QueryRow(`SELECT rev, clocks FROM person WHERE id = ?`, id).Scan(&rev, &clocks)
	if rev != 7 {
		t.Fatalf("rev %d, want 7", rev)
	}
	if st := syncState(t, s); st.Cursor != "e1.7" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	res, err := s.Search(ctx, "مريم", SearchOptions{})
	if err != nil || len(res) != 1 || res[0].ID != id {
		t.Fatalf("search after pull: %v %v", res, err)
	}
	// A local edit's base is the pulled revision.
	p.Notes = "x"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if ops := outbox(t, s); len(ops) != 1 || ops[0].Op.BaseRev != 7 {
		t.Fatalf("ops %+v", ops)
	}
}

func TestApplyMergesFieldByField(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "سالم", NameEn: "Salim", Governorate: "OM-MA", Phone: "91234567"})
	// The add was pushed: HQ has it.
	if _, err := s.AckPush(ctx, []PushAck{applied(outbox(t, s)[0])}); err != nil {
		t.Fatal(err)
	}
	var local string
	s.db.QueryRow(`SELECT hlc FROM person WHERE id = ?`, p.ID).Scan(&local)
	lh, _ := protocol.ParseHLC(local)
	older := protocol.HLC{Wall: lh.Wall - 1000, Device: "other"}.String()
	newer := protocol.HLC{Wall: lh.Wall + 1000, Device: "other"}.String()

	err := s.ApplyChanges(ctx, []protocol.Change{change(3, "person", p.ID, map[string]protocol.Field{
		"name_en": f("Salim Al Harthy", newer), // newer: wins
		"phone":   f("+96899999999", older),    // older: loses
		"name_ar": f("سالم", local),            // the same edit seen again
	})}, "e1.3", "")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Person(ctx, p.ID)
	if got.NameEn != "Salim Al Harthy" || got.Phone != "+96891234567" || got.NameAr != "سالم" {
		t.Fatalf("merged %+v", got)
	}
	var rev int64
	var clocks string
	s.db.QueryRow(`SELECT rev, clocks FROM person WHERE id = ?`, p.ID).Scan(&rev, &clocks)
	if rev != 3 || clocks != `{"name_en":"`+newer+`"}` {
		t.Fatalf("rev %d clocks %s", rev, clocks)
	}
	if n, _ := s.OutboxLen(ctx); n != 0 {
		t.Fatalf("outbox %d", n)
	}
	// Applying the same page again changes nothing (a resumed pull).
	if err := s.ApplyChanges(ctx, []protocol.Change{change(3, "person", p.ID, map[string]protocol.Field{
		"name_en": f("Salim Al Harthy", newer), "phone": f("+96899999999", older),
	})}, "e1.3", ""); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Person(ctx, p.ID); again != got {
		t.Fatalf("re-applied page changed %+v to %+v", got, again)
	}
}

func TestApplyConcurrentWithUnsentOp(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameAr: "خالد", Governorate: "OM-MA", Phone: "91234567", Notes: "a"})
	ops := outbox(t, s)
	s.AckPush(ctx, []PushAck{applied(ops[0])})
	// Edited offline, not sent yet.
	p.Phone, p.Notes = "92222222", "local note"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	unsent := outbox(t, s)
	if len(unsent) != 1 {
		t.Fatalf("outbox %v", unsent)
	}
	lh, _ := protocol.ParseHLC(unsent[0].Stamp)
	older := protocol.HLC{Wall: lh.Wall - 5000, Device: "other"}.String()
	newer := protocol.HLC{Wall: lh.Wall + 5000, Device: "other"}.String()
	// Another device changed phone before this edit and notes after it.
	if err := s.ApplyChanges(ctx, []protocol.Change{change(9, "person", p.ID, map[string]protocol.Field{
		"phone": f("+96893333333", older), "notes": f("their note", newer),
	})}, "e1.9", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Person(ctx, p.ID)
	if got.Phone != "+96892222222" || got.Notes != "their note" {
		t.Fatalf("got phone %s notes %s: the higher stamp must win each field", got.Phone, got.Notes)
	}
	// The unsent op is still there, unchanged, with its old base: HQ logs
	// the losing note as a conflict when it arrives.
	after := outbox(t, s)
	if len(after) != 1 || after[0].Op.ID != unsent[0].Op.ID || after[0].Op.BaseRev != unsent[0].Op.BaseRev ||
		after[0].Op.Fields["notes"].Value != "local note" {
		t.Fatalf("outbox changed: %+v", after)
	}
}

func TestApplyFailingPageChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	h := stamp(time.Now(), "hq")
	if err := s.ApplyChanges(ctx, nil, "e1.1", ""); err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	// The second row collides with a seeded wilayat (unique index): the
	// whole page, and its cursor, must roll back.
	err := s.ApplyChanges(ctx, []protocol.Change{
		change(2, "person", id, map[string]protocol.Field{"name_ar": f("علي", h), "governorate": f("OM-MA", h)}),
		change(3, "place", uuid.Must(uuid.NewV7()).String(), map[string]protocol.Field{
			"governorate": f("OM-MA", h), "wilayat_en": f("Muscat", h), "governorate_en": f("Muscat", h),
			"governorate_ar": f("مسقط", h), "wilayat_ar": f("مسقط", h)}),
	}, "e1.3", "")
	if err == nil {
		t.Fatal("page with a bad row applied")
	}
	if _, err := s.Person(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("first row of a failed page is there: %v", err)
	}
	if st := syncState(t, s); st.Cursor != "e1.1" {
		t.Fatalf("cursor moved to %q with a failed page", st.Cursor)
	}
}

func TestApplyCutLinkResumes(t *testing.T) {
	// Pages applied one by one: the cursor of the last committed page is
	// where the next pull starts, and re-applying a page is harmless.
	ctx := context.Background()
	s := openTest(t)
	h := stamp(time.Now(), "hq")
	var ids []string
	for i := range 3 {
		id := uuid.Must(uuid.NewV7()).String()
		ids = append(ids, id)
		if err := s.ApplyChanges(ctx, []protocol.Change{change(int64(i+1), "person", id,
			map[string]protocol.Field{"name_en": f("P", h), "governorate": f("OM-MA", h)})}, "e1."+string(rune('1'+i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if st := syncState(t, s); st.Cursor != "e1.3" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	// An empty next cursor (nothing new) keeps the one we have.
	s.ApplyChanges(ctx, nil, "", "")
	if st := syncState(t, s); st.Cursor != "e1.3" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	if n, _ := s.CountPeople(ctx); n != 3 {
		t.Fatalf("%d people", n)
	}
}

func TestApplySkipsWhatItDoesNotKnow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	h := stamp(time.Now(), "hq")
	id := uuid.Must(uuid.NewV7()).String()
	err := s.ApplyChanges(ctx, []protocol.Change{
		change(1, "badge", id, map[string]protocol.Field{"x": f("y", h)}),
		change(2, "person", id, map[string]protocol.Field{"name_en": f("Noor", h), "shoe_size": f(42.0, h),
			"phone": f(42.5, "not a stamp"), "deleted": f("maybe", h)}),
	}, "e1.2", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Person(ctx, id)
	if err != nil || p.NameEn != "Noor" || p.Phone != "" || p.Deleted {
		t.Fatalf("%+v %v", p, err)
	}
	if st := syncState(t, s); st.Cursor != "e1.2" {
		t.Fatalf("cursor %q", st.Cursor)
	}
}

func TestApplyPlacesReloadReferenceData(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	h := stamp(time.Now(), "hq")
	id := safeer.PlaceID("OM-MA", "Muscat")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(1, "place", id, map[string]protocol.Field{
		"wilayat_ar": f("مسقط القديمة", h)})}, "e1.1", ""); err != nil {
		t.Fatal(err)
	}
	pl, ok := s.Place("OM-MA", "Muscat")
	if !ok || pl.WilayatAr != "مسقط القديمة" {
		t.Fatalf("place after pull: %+v", pl)
	}
	newID := safeer.PlaceID("OM-MA", "New Town")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(2, "place", newID, map[string]protocol.Field{
		"governorate": f("OM-MA", h), "governorate_en": f("Muscat", h), "governorate_ar": f("مسقط", h),
		"wilayat_en": f("New Town", h), "wilayat_ar": f("المدينة الجديدة", h)})}, "e1.2", ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Place("OM-MA", "New Town"); !ok {
		t.Fatal("a new wilayat from HQ is not known")
	}
}

func TestApplyObservesHQClockAfterCommit(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "safeer.db")
	// This laptop's clock is three days slow.
	slow := func() time.Time { return now.Add(-72 * time.Hour) }
	s, err := Open(ctx, path, WithClock(slow))
	if err != nil {
		t.Fatal(err)
	}
	p := mustAdd(t, s, safeer.Person{NameEn: "Hamad", Governorate: "OM-MA"})
	s.AckPush(ctx, []PushAck{applied(outbox(t, s)[0])})
	// Another device (right clock) renamed him; HQ's clock is now. Three
	// days ahead of this laptop is beyond MaxSkew: refused, page applied.
	theirs := stamp(now.Add(-time.Minute), "other")
	err = s.ApplyChanges(ctx, []protocol.Change{change(2, "person", p.ID, map[string]protocol.Field{
		"name_en": f("Hamad Al Kindi", theirs)})}, "e1.2", stamp(now, "hq"))
	if !errors.Is(err, protocol.ErrClockSkew) {
		t.Fatalf("HQ three days ahead of an uncorrected clock: %v", err)
	}
	// The client measures HQ's time from its replies and corrects the
	// clock (as sync/client does before every run); then HQ's clock is
	// observed.
	if err := s.SetClockOffset(ctx, now.Sub(slow())); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{change(2, "person", p.ID, map[string]protocol.Field{
		"name_en": f("Hamad Al Kindi", theirs)})}, "e1.2", stamp(now, "hq")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Person(ctx, p.ID); got.NameEn != "Hamad Al Kindi" {
		t.Fatalf("name %q", got.NameEn)
	}
	// The slow device's clock and its correction survive a restart.
	s.Close()
	s, err = Open(ctx, path, WithClock(slow))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ClockOffset() != 72*time.Hour {
		t.Fatalf("offset %v after restart", s.ClockOffset())
	}
	// Its edit made after the pull stamps after HQ's clock, so it wins.
	p.NameEn = "Hamad bin Said"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	op := outbox(t, s)[0]
	if !protocol.Newer(op.Stamp, stamp(now, "hq")) {
		t.Fatalf("slow device's stamp %s is not after HQ's %s", op.Stamp, stamp(now, "hq"))
	}
	// A clock far in the future is refused; the page still applies.
	before := s.Clock()
	far := stamp(now.Add(30*24*time.Hour), "hq")
	err = s.ApplyChanges(ctx, []protocol.Change{change(3, "person", p.ID, map[string]protocol.Field{
		"notes": f("n", stamp(now, "other"))})}, "e1.3", far)
	if !errors.Is(err, protocol.ErrClockSkew) {
		t.Fatalf("far-future clock: %v", err)
	}
	if s.Clock() != before {
		t.Fatal("a refused clock moved the device clock")
	}
	if got, _ := s.Person(ctx, p.ID); got.Notes != "n" || syncState(t, s).Cursor != "e1.3" {
		t.Fatalf("page not applied with a refused clock: %+v", got)
	}
}

// applied is HQ's answer that it applied o.
func applied(o OutboxOp) PushAck {
	return o.Ack(protocol.OpResult{ID: o.Op.ID, Status: protocol.Applied})
}

func TestAckPush(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, n := range []string{"A", "B", "C", "D", "E"} {
		mustAdd(t, s, safeer.Person{NameEn: n, Governorate: "OM-MA"})
	}
	ops := outbox(t, s)
	counts, err := s.AckPush(ctx, []PushAck{
		ops[0].Ack(protocol.OpResult{ID: ops[0].Op.ID, Status: protocol.Applied}),
		ops[1].Ack(protocol.OpResult{ID: ops[1].Op.ID, Status: protocol.Duplicate}),
		ops[2].Ack(protocol.OpResult{ID: ops[2].Op.ID, Status: protocol.Conflicted}),
		ops[3].Ack(protocol.OpResult{ID: ops[3].Op.ID, Status: protocol.Rejected, Code: protocol.CodeOutOfScope, Message: "OM-MA is not yours"}),
		ops[4].Ack(protocol.OpResult{ID: ops[4].Op.ID, Status: "postponed"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts != (PushCounts{Applied: 1, Duplicate: 1, Conflict: 1, Rejected: 1, Unknown: 1}) {
		t.Fatalf("counts %+v", counts)
	}
	left := outbox(t, s)
	if len(left) != 1 || left[0].Op.ID != ops[4].Op.ID {
		t.Fatalf("outbox %+v", left)
	}
	rej, err := s.RejectedOps(ctx, 0)
	if err != nil || len(rej) != 1 || rej[0].Op.ID != ops[3].Op.ID || rej[0].Code != protocol.CodeOutOfScope ||
		rej[0].Op.Fields["name_en"].Value != "D" || rej[0].Op.Fields["name_en"].HLC != ops[3].Stamp {
		t.Fatalf("rejected %+v %v", rej, err)
	}
	// The outbox stores this device's stamps without the device id, and
	// gives them back whole.
	var stored string
	s.db.QueryRow(`SELECT hlc FROM outbox WHERE seq = ?`, ops[4].Seq).Scan(&stored)
	if h, err := protocol.ParseHLC(ops[4].Stamp); err != nil || h.Device != s.DeviceID() || len(stored) != stampLen ||
		stored+"-"+s.DeviceID() != ops[4].Stamp || ops[4].Op.Fields["name_en"].HLC != ops[4].Stamp {
		t.Fatalf("stored stamp %q, read %q (%v)", stored, ops[4].Stamp, err)
	}
	c, _ := s.SyncCounts(ctx)
	if c != (SyncCounts{OpsWaiting: 1, RejectedOps: 1}) {
		t.Fatalf("counts %+v", c)
	}
	// An answer is taken by the op's seq and checked against its id: a seq
	// that holds another op, or none, removes nothing.
	stray := []PushAck{
		{Seq: ops[4].Seq, OpResult: protocol.OpResult{ID: ops[0].Op.ID, Status: protocol.Applied}},
		{Seq: ops[4].Seq + 100, OpResult: protocol.OpResult{ID: ops[4].Op.ID, Status: protocol.Applied}},
		{Seq: ops[4].Seq, OpResult: protocol.OpResult{ID: ops[3].Op.ID, Status: protocol.Rejected, Code: "x"}},
	}
	if _, err := s.AckPush(ctx, stray); err != nil {
		t.Fatal(err)
	}
	if left := outbox(t, s); len(left) != 1 || left[0].Op.ID != ops[4].Op.ID {
		t.Fatalf("stray answers changed the outbox: %+v", left)
	}
	if rej, _ := s.RejectedOps(ctx, 0); len(rej) != 1 || rej[0].Code != protocol.CodeOutOfScope {
		t.Fatalf("stray answers changed the rejected ops: %+v", rej)
	}
}

func TestConflictResolve(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := mustAdd(t, s, safeer.Person{NameEn: "Aisha", Governorate: "OM-MA", Phone: "91111111"})
	s.AckPush(ctx, []PushAck{applied(outbox(t, s)[0])})
	now := time.Now()
	win, lose := stamp(now, "dev-b"), stamp(now.Add(-time.Minute), "dev-a")
	cid := uuid.Must(uuid.NewV7()).String()
	err := s.ApplyChanges(ctx, []protocol.Change{
		change(4, "person", p.ID, map[string]protocol.Field{"phone": f("+96892222222", win)}),
		change(5, "conflict", cid, map[string]protocol.Field{
			"tbl": f("person", win), "row_id": f(p.ID, win), "field": f("phone", win),
			"winner": f("+96892222222", win), "winner_hlc": f(win, win),
			"loser": f("+96893333333", win), "loser_hlc": f(lose, win),
			"governorate": f("OM-MA", win), "created_at": f(now.UTC().Format(time.RFC3339), win), "resolved": f(false, win),
		}),
	}, "e1.5", "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Conflicts(ctx, false)
	if err != nil || len(list) != 1 {
		t.Fatalf("conflicts %v %v", list, err)
	}
	c := list[0]
	if c.Label != "Aisha" || c.Winner != "+96892222222" || c.Loser != "+96893333333" || c.LoserDevice != "dev-a" ||
		c.Current != "+96892222222" || c.Resolved {
		t.Fatalf("conflict %+v", c)
	}
	if n, _ := s.SyncCounts(ctx); n.ConflictsWaiting != 1 {
		t.Fatalf("counts %+v", n)
	}
	if err := s.ResolveConflict(ctx, cid, "both"); err == nil {
		t.Fatal("a bad choice was taken")
	}
	if err := s.ResolveConflict(ctx, cid, TakeLoser); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Person(ctx, p.ID); got.Phone != "+96893333333" {
		t.Fatalf("phone %s after taking the loser", got.Phone)
	}
	ops := outbox(t, s)
	if len(ops) != 2 || ops[0].Op.Table != "person" || ops[0].Op.Fields["phone"].Value != "+96893333333" ||
		ops[1].Op.Table != "conflict" || ops[1].Op.Fields["resolved"].Value != true || ops[1].Op.BaseRev != 5 {
		t.Fatalf("ops %+v", ops)
	}
	if !protocol.Newer(ops[0].Stamp, win) {
		t.Fatal("the chosen value does not stamp after the winner")
	}
	if err := s.ResolveConflict(ctx, cid, TakeWinner); !errors.Is(err, ErrConflictResolved) {
		t.Fatalf("resolving twice: %v", err)
	}
	if list, _ := s.Conflicts(ctx, false); len(list) != 0 {
		t.Fatalf("unresolved %v", list)
	}
	if all, _ := s.Conflicts(ctx, true); len(all) != 1 || !all[0].Resolved {
		t.Fatalf("all %v", all)
	}
	// A number keeps its type through the conflict log.
	wid := uuid.Must(uuid.NewV7()).String()
	cid2 := uuid.Must(uuid.NewV7()).String()
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(6, "workshop", wid, map[string]protocol.Field{"title_en": f("Recycling", win), "capacity": f(30.0, win), "governorate": f("OM-MA", win)}),
		change(7, "conflict", cid2, map[string]protocol.Field{"tbl": f("workshop", win), "row_id": f(wid, win),
			"field": f("capacity", win), "winner": f(30.0, win), "loser": f(25.0, win), "winner_hlc": f(win, win), "loser_hlc": f(lose, win)}),
	}, "e1.7", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveConflict(ctx, cid2, TakeLoser); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.Workshop(ctx, wid); w.Capacity != 25 {
		t.Fatalf("capacity %d", w.Capacity)
	}
}

func TestSyncStateAndLog(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	st := syncState(t, s)
	if st.Enrolled || st.Revoked() || st.Cursor != "" {
		t.Fatalf("new state %+v", st)
	}
	e := Enrolment{HQURL: "https://hq.example.om", Token: "tok", Governorates: []string{"OM-MA", "OM-DA"}, HQPublicKey: []byte{1, 2}}
	if err := s.SaveEnrolment(ctx, e); err != nil {
		t.Fatal(err)
	}
	s.ApplyChanges(ctx, nil, "e1.4", "")
	st = syncState(t, s)
	if !st.Enrolled || st.Token != "tok" || len(st.Governorates) != 2 || st.Cursor != "e1.4" || st.EnrolledAt.IsZero() {
		t.Fatalf("state %+v", st)
	}
	start := time.Now()
	if _, err := s.RecordSyncRun(ctx, SyncRun{StartedAt: start, Pushed: 3, Applied: 3, Pulled: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordSyncRun(ctx, SyncRun{StartedAt: start, ErrorCode: "unreachable", Error: "dial tcp: refused"}); err != nil {
		t.Fatal(err)
	}
	st = syncState(t, s)
	if st.LastSyncAt.IsZero() || st.ErrorCode != "unreachable" || !st.LastRunAt.After(st.LastSyncAt.Add(-time.Second)) {
		t.Fatalf("state %+v", st)
	}
	log, err := s.SyncLog(ctx, 10)
	if err != nil || len(log) != 2 || log[0].ErrorCode != "unreachable" || log[1].Pushed != 3 {
		t.Fatalf("log %+v %v", log, err)
	}
	if err := s.ResetSyncCursor(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRevoked(ctx, "revoked by HQ"); err != nil {
		t.Fatal(err)
	}
	st = syncState(t, s)
	if st.Cursor != "" || !st.Revoked() {
		t.Fatalf("state %+v", st)
	}
	// Enrolling again clears the revocation.
	s.SaveEnrolment(ctx, e)
	if syncState(t, s).Revoked() {
		t.Fatal("still revoked after enrolling again")
	}
}

func TestResyncSendsBackWhatHQLost(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// Three people written here and acknowledged by HQ; one more written
	// by another device and pulled.
	kept := mustAdd(t, s, safeer.Person{NameEn: "Kept", Governorate: "OM-MA"})
	edited := mustAdd(t, s, safeer.Person{NameEn: "Edited", Governorate: "OM-MA"})
	lost := mustAdd(t, s, safeer.Person{NameEn: "Lost", Governorate: "OM-MA", Phone: "91234567"})
	edited.Phone = "92222222"
	if err := s.UpdatePerson(ctx, &edited); err != nil {
		t.Fatal(err)
	}
	var results []PushAck
	var stamps = map[string]string{}
	for _, o := range outbox(t, s) {
		results = append(results, applied(o))
		stamps[o.Op.RowID+"/"+strings.Join(sortedKeys(o.Op.Fields), ",")] = o.Stamp
	}
	s.AckPush(ctx, results)
	other := uuid.Must(uuid.NewV7()).String()
	h := stamp(time.Now().Add(-time.Hour), "other")
	s.ApplyChanges(ctx, []protocol.Change{change(9, "person", other, map[string]protocol.Field{"name_en": f("Other", h), "governorate": f("OM-MA", h)})}, "e1.9", "")
	// An edit not sent yet.
	kept.Notes = "unsent"
	if err := s.UpdatePerson(ctx, &kept); err != nil {
		t.Fatal(err)
	}

	// HQ restored from a backup taken before the phone edit and before
	// "Lost" was pushed: it sends "Kept", "Edited" (old phone) and "Other".
	if err := s.StartResync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := syncState(t, s); st.Cursor != "" {
		t.Fatalf("cursor %q", st.Cursor)
	}
	fieldsOf := func(p safeer.Person) map[string]protocol.Field {
		var hlc string
		s.db.QueryRow(`SELECT hlc FROM person WHERE id = ?`, p.ID).Scan(&hlc)
		out := map[string]protocol.Field{}
		for k, v := range newFields(personRow(p)) {
			out[k] = f(v, hlc)
		}
		return out
	}
	keptAtHQ := fieldsOf(kept)
	delete(keptAtHQ, "notes")
	editedAtHQ := fieldsOf(edited)
	delete(editedAtHQ, "phone") // HQ never saw the phone edit
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(1, "person", kept.ID, keptAtHQ),
		change(2, "person", edited.ID, editedAtHQ),
	}, "e2.2", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(3, "person", other, map[string]protocol.Field{"name_en": f("Other", h), "governorate": f("OM-MA", h)}),
	}, "e2.3", ""); err != nil {
		t.Fatal(err)
	}
	n, err := s.FinishResync(ctx)
	if err != nil || n != 1 {
		t.Fatalf("finish: %d ops, %v", n, err)
	}
	ops := outbox(t, s)
	byRow := map[string][]OutboxOp{}
	for _, o := range ops {
		byRow[o.Op.RowID] = append(byRow[o.Op.RowID], o)
	}
	// Kept: only the unsent edit, nothing re-sent.
	if len(byRow[kept.ID]) != 1 || byRow[kept.ID][0].Op.Fields["notes"].Value != "unsent" {
		t.Fatalf("kept: %+v", byRow[kept.ID])
	}
	// Edited: the phone again, with its original stamp.
	if e := byRow[edited.ID]; len(e) != 1 || e[0].Op.Fields["phone"].Value != "+96892222222" || len(e[0].Op.Fields) != 1 ||
		e[0].Stamp != stamps[edited.ID+"/phone"] || e[0].Op.BaseRev != 9 { // the old epoch's cursor (e1.9): what the device had seen
		t.Fatalf("edited: %+v (want stamp %s)", e, stamps[edited.ID+"/phone"])
	}
	// Lost: the whole row again.
	if l := byRow[lost.ID]; len(l) != 1 || l[0].Op.Fields["name_en"].Value != "Lost" || l[0].Op.Fields["phone"].Value != "+96891234567" {
		t.Fatalf("lost: %+v", l)
	}
	// Other: another device's row, which HQ still has: nothing.
	if len(byRow[other]) != 0 {
		t.Fatalf("other: %+v", byRow[other])
	}
	if n, _ := s.ResyncPending(ctx); n != 0 {
		t.Fatalf("%d rows still pending", n)
	}
	// Local data unchanged by all this.
	if got, _ := s.Person(ctx, edited.ID); got.Phone != "+96892222222" {
		t.Fatalf("edited phone %s", got.Phone)
	}
	if n, _ := s.FinishResync(ctx); n != 0 {
		t.Fatal("a second finish queued again")
	}
}

// An empty value set after the row was made (here HQ's repair of a merge
// into someone deleted) is an edit like any other. If HQ's restore lost
// it, and HQ's copy now lacks the field, it must go back: another device
// may re-assert the older value it cleared, which would then win at HQ
// while this device kept the empty one (a chaos run found exactly that).
func TestResyncSendsBackAValueClearedAfterTheBackup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	other := uuid.Must(uuid.NewV7()).String()
	target := uuid.Must(uuid.NewV7()).String()
	made := stamp(time.Now().Add(-time.Hour), "other")
	merged := stamp(time.Now().Add(-50*time.Minute), "other")
	cleared := stamp(time.Now().Add(-40*time.Minute), protocol.HQDevice)
	row := map[string]protocol.Field{"name_en": f("Other", made), "governorate": f("OM-MA", made)}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		change(5, "person", other, row),
		change(6, "person", other, map[string]protocol.Field{"merged_into": f(target, merged)}),
		change(7, "person", other, map[string]protocol.Field{"merged_into": f("", cleared)}),
	}, "e1.7", ""); err != nil {
		t.Fatal(err)
	}

	// HQ restored from a backup older than the merge: its copy has no
	// merged_into at all.
	if err := s.StartResync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{change(1, "person", other, row)}, "e2.1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishResync(ctx); err != nil {
		t.Fatal(err)
	}
	ops := outbox(t, s)
	if len(ops) != 1 {
		t.Fatalf("%d ops queued, want the cleared merge alone: %+v", len(ops), ops)
	}
	got := ops[0].Op.Fields
	if len(got) != 1 || got["merged_into"].Value != "" || got["merged_into"].HLC != cleared {
		t.Fatalf("queued %+v, want merged_into \"\" at %s", got, cleared)
	}
}
