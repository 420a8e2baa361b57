package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

func TestSyncCommandsWithoutHQ(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	code, _, errs := run(t, db, "sync")
	if code != 1 || !strings.Contains(errs, "not enrolled") || !strings.Contains(errs, "غير مسجّل") {
		t.Fatalf("sync before enrolment: exit %d\n%s", code, errs)
	}
	code, _, errs = run(t, db, "enrol", "--hq", "http://hq.example.om", "--code", "X")
	if code != 1 || !strings.Contains(errs, "https://") {
		t.Fatalf("plain-http enrol: exit %d\n%s", code, errs)
	}
	if code, _, _ := run(t, db, "enrol", "--hq", "https://hq.example.om"); code != 2 {
		t.Fatalf("enrol without code: exit %d", code)
	}
	// Nothing listens on this port: HQ unreachable, said in words.
	code, _, errs = run(t, db, "enrol", "--hq", "http://127.0.0.1:1", "--code", "X")
	if code != 1 || !strings.Contains(errs, "cannot be reached") {
		t.Fatalf("unreachable HQ: exit %d\n%s", code, errs)
	}
	var st struct {
		Enrolled   bool `json:"enrolled"`
		OpsWaiting int  `json:"ops_waiting"`
	}
	mustRun(t, db, "people", "add", "--name-en", "Salim", "--governorate", "OM-MA")
	jsonOut(t, mustRun(t, db, "sync", "status", "--json"), &st)
	if st.Enrolled || st.OpsWaiting != 1 {
		t.Fatalf("status %+v", st)
	}
	if out := mustRun(t, db, "sync", "status"); !strings.Contains(out, "Changes waiting to be sent:  1") {
		t.Fatalf("status:\n%s", out)
	}
	var runs []data.SyncRun
	jsonOut(t, mustRun(t, db, "sync", "log", "--json"), &runs)
	if len(runs) != 0 {
		t.Fatalf("runs %+v", runs)
	}
}

func TestConflictsCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "s.db")
	s := openDB(t, db)
	now := time.Now()
	win := protocol.HLC{Wall: now.UnixMilli(), Device: "b"}.String()
	lose := protocol.HLC{Wall: now.UnixMilli() - 1000, Device: "a"}.String()
	f := func(v any) protocol.Field { return protocol.Field{Value: v, HLC: win} }
	pid, cid := uuid.NewString(), uuid.NewString()
	err := s.ApplyChanges(ctx, []protocol.Change{
		{Seq: 1, Table: "person", RowID: pid, Fields: map[string]protocol.Field{"name_en": f("Aisha"), "governorate": f("OM-MA"), "email": f("b@example.om")}},
		{Seq: 2, Table: "conflict", RowID: cid, Fields: map[string]protocol.Field{"tbl": f("person"), "row_id": f(pid),
			"field": f("email"), "winner": f("b@example.om"), "winner_hlc": f(win), "loser": f("a@example.om"),
			"loser_hlc": f(lose), "resolved": f(false)}},
	}, "e1.2", "")
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, db, "conflicts")
	if !strings.Contains(out, cid) || !strings.Contains(out, "a@example.om") || !strings.Contains(out, "Aisha") {
		t.Fatalf("conflicts:\n%s", out)
	}
	if code, _, _ := run(t, db, "conflicts", "resolve", cid, "--take", "both"); code != 2 {
		t.Fatalf("bad --take: exit %d", code)
	}
	mustRun(t, db, "conflicts", "resolve", cid, "--take", "loser")
	var list []data.Conflict
	jsonOut(t, mustRun(t, db, "conflicts", "--json"), &list)
	if len(list) != 0 {
		t.Fatalf("open conflicts %+v", list)
	}
	jsonOut(t, mustRun(t, db, "conflicts", "--all", "--json"), &list)
	if len(list) != 1 || !list[0].Resolved || list[0].Current != "a@example.om" {
		t.Fatalf("all conflicts %+v", list)
	}
	if code, _, errs := run(t, db, "conflicts", "resolve", cid, "--take", "winner"); code != 1 || !strings.Contains(errs, "already resolved") {
		t.Fatalf("resolving twice: exit %d %s", code, errs)
	}
	var st struct {
		OpsWaiting int `json:"ops_waiting"`
	}
	jsonOut(t, mustRun(t, db, "sync", "status", "--json"), &st)
	if st.OpsWaiting != 2 {
		t.Fatalf("ops waiting %d, want 2 (the edit and the resolution)", st.OpsWaiting)
	}
}

// resentQueued leaves in s what a laptop queues in HQ's restore from a
// backup: two values another laptop wrote and one HQ wrote (of people in
// Ad Dakhiliyah), to be sent again. laptopB is the other laptop's id.
func resentQueued(t *testing.T, s *data.Store, laptopB string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	made := protocol.HLC{Wall: now.Add(-time.Hour).UnixMilli(), Device: laptopB}.String()
	noted := protocol.HLC{Wall: now.Add(-50 * time.Minute).UnixMilli(), Device: laptopB}.String()
	phoned := protocol.HLC{Wall: now.Add(-40 * time.Minute).UnixMilli(), Device: protocol.HQDevice}.String()
	f := func(v any, h string) protocol.Field { return protocol.Field{Value: v, HLC: h} }
	a, b := uuid.NewString(), uuid.NewString()
	rowA := map[string]protocol.Field{"name_en": f("Khalid", made), "governorate": f("OM-DA", made)}
	rowB := map[string]protocol.Field{"name_en": f("Maryam", made), "governorate": f("OM-DA", made)}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		{Seq: 1, Table: "person", RowID: a, Fields: rowA},
		{Seq: 2, Table: "person", RowID: b, Fields: rowB},
		{Seq: 3, Table: "person", RowID: a, Fields: map[string]protocol.Field{"notes": f("b's note", noted)}},
		{Seq: 4, Table: "person", RowID: b, Fields: map[string]protocol.Field{"notes": f("b's note", noted)}},
		{Seq: 5, Table: "person", RowID: a, Fields: map[string]protocol.Field{"phone": f("+96891234567", phoned)}},
	}, "e1.5", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.StartResync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, []protocol.Change{
		{Seq: 1, Table: "person", RowID: a, Fields: rowA},
		{Seq: 2, Table: "person", RowID: b, Fields: rowB},
	}, "e2.2", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishResync(ctx); err != nil {
		t.Fatal(err)
	}
}

// refusedAfterRestore leaves in db what a laptop holds after HQ's restore
// from a backup: the values of resentQueued refused as out of scope, and
// the coordinator's own edit of Aisha refused too. It returns Aisha's id.
func refusedAfterRestore(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	s := openDB(t, db)
	defer s.Close()
	resentQueued(t, s, "laptop-b")
	refuseAll := func() {
		ops, err := s.Outbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var acks []data.PushAck
		for _, o := range ops {
			acks = append(acks, o.Ack(protocol.OpResult{ID: o.Op.ID, Status: protocol.Rejected,
				Code: protocol.CodeOutOfScope, Message: "person " + o.Op.RowID + " belongs to OM-DA"}))
		}
		if _, err := s.AckPush(ctx, acks); err != nil {
			t.Fatal(err)
		}
	}
	refuseAll()
	if err := s.SaveEnrolment(ctx, data.Enrolment{HQURL: "https://hq.example.om", Token: "t",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	me := safeer.Person{NameEn: "Aisha", Governorate: "OM-MA"}
	if err := s.AddPerson(ctx, &me); err != nil {
		t.Fatal(err)
	}
	refuseAll()
	return me.ID
}

// The refused changes a coordinator reads are their own; other authors'
// values re-sent after HQ's restore are one line in both languages, and
// counted in --json (issue 13).
func TestSyncRefusedOwnAndResent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	mine := refusedAfterRestore(t, db)
	resentEn := "Values other laptops or HQ wrote, sent again after HQ's restore, refused as they belong to governorates this laptop is not enrolled for: 3. Nothing to do."
	resentAr := "قيم كتبتها أجهزة أخرى أو المقر وأُعيد إرسالها بعد استعادة بيانات المقر"

	out := mustRun(t, db, "sync", "status", "--offline")
	if !regexp.MustCompile(`(?m)^Changes refused by HQ: +1$`).MatchString(out) {
		t.Errorf("status counts others' values as refused changes:\n%s", out)
	}
	for _, want := range []string{resentEn, resentAr} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	var st struct {
		RejectedOps    int `json:"rejected_ops"`
		RejectedResent int `json:"rejected_resent"`
		RejectedOwn    int `json:"rejected_own"`
	}
	jsonOut(t, mustRun(t, db, "sync", "status", "--offline", "--json"), &st)
	if st.RejectedOps != 4 || st.RejectedResent != 3 || st.RejectedOwn != 1 {
		t.Errorf("status --json %+v", st)
	}

	out = mustRun(t, db, "sync", "rejected")
	t.Logf("sync rejected:\n%s", out)
	if !strings.Contains(out, mine) || !strings.Contains(out, resentEn) || !strings.Contains(out, resentAr) {
		t.Errorf("rejected lacks the own edit or the line:\n%s", out)
	}
	if n := strings.Count(out, "out_of_scope"); n != 1 {
		t.Errorf("%d refusals listed one by one, want the own one:\n%s", n, out)
	}
	out = mustRun(t, db, "sync", "rejected", "--all")
	if n := strings.Count(out, "out_of_scope"); n != 4 || strings.Count(out, "another author's value") != 3 || strings.Contains(out, resentEn) {
		t.Errorf("--all lists %d:\n%s", n, out)
	}
	var ops []data.RejectedOp
	jsonOut(t, mustRun(t, db, "sync", "rejected", "--json"), &ops)
	resent := 0
	for _, r := range ops {
		if r.Resent {
			resent++
		} else if r.Op.RowID != mine {
			t.Errorf("listed as own: %+v", r)
		}
	}
	if len(ops) != 4 || resent != 3 {
		t.Errorf("rejected --json: %d ops, %d resent", len(ops), resent)
	}
}

// A run against a real HQ that refuses, as out of scope, other authors'
// values this laptop sends again after HQ's restore and the coordinator's
// own new person in Ad Dakhiliyah: the report names the own refusal and
// counts the others in one line, and warns of refused changes only when
// some were the coordinator's (issue 13).
func TestSyncRunCountsResent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	h, err := synccheck.StartHQ(ctx, func(ctx context.Context) (hq.Store, error) {
		return sqlite.Open(ctx, filepath.Join(dir, "hq.db"))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	// Laptop b, of Ad Dakhiliyah, is known to HQ: its values are re-sent.
	codeB, err := h.Code(ctx, "OM-DA")
	if err != nil {
		t.Fatal(err)
	}
	dbB := filepath.Join(dir, "b.db")
	mustRun(t, dbB, "enrol", "--hq", h.URL(), "--code", codeB)
	s := openDB(t, dbB)
	laptopB := s.DeviceID()
	s.Close()
	for _, mode := range []string{"text", "json", "others only"} {
		code, err := h.Code(ctx, "OM-MA")
		if err != nil {
			t.Fatal(err)
		}
		db := filepath.Join(dir, "a-"+strings.ReplaceAll(mode, " ", "-")+".db")
		s := openDB(t, db)
		resentQueued(t, s, laptopB)
		me := safeer.Person{NameEn: "Aisha", Governorate: "OM-DA"}
		if mode != "others only" {
			if err := s.AddPerson(ctx, &me); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		mustRun(t, db, "enrol", "--hq", h.URL(), "--code", code)
		if mode == "json" {
			var rep struct {
				Rejections     []protocol.OpResult `json:"rejections"`
				RejectedResent int                 `json:"rejected_resent"`
			}
			jsonOut(t, mustRun(t, db, "sync", "--json"), &rep)
			if rep.RejectedResent != 3 || len(rep.Rejections) != 4 {
				t.Errorf("sync --json: %d rejections, %d re-sent: %+v", len(rep.Rejections), rep.RejectedResent, rep.Rejections)
			}
			continue
		}
		exit, out, errs := run(t, db, "sync")
		t.Logf("sync (exit %d):\n%s%s", exit, out, errs)
		if exit != 0 {
			t.Fatalf("sync: exit %d\n%s", exit, errs)
		}
		if mode == "others only" {
			// Nothing of the coordinator's refused: no warning either (nor
			// an empty one: the status once cleared the report's in place).
			if strings.Contains(out, "  refused ") || strings.TrimSpace(errs) != "" {
				t.Errorf("others' values listed or warned of:\n%s%s", out, errs)
			}
		} else if n := strings.Count(out, "  refused "); n != 1 || !strings.Contains(out, "out_of_scope person "+me.ID) ||
			!strings.Contains(errs, "HQ refused some changes") {
			t.Errorf("%d refusals listed one by one, want the own one, and its warning:\n%s%s", n, out, errs)
		}
		if !strings.Contains(out, "sent again after HQ's restore, refused as they belong to governorates this laptop is not enrolled for: 3.") {
			t.Errorf("no line for the others' values:\n%s", out)
		}
	}
}
