package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/data"
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
