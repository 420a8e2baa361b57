package hq_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/sync/protocol"
)

// editServer is HQ over a fresh SQLite store, for the tests of Server.Edit.
func editServer(t *testing.T) (*hq.Server, hq.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	srv, err := hq.NewServer(context.Background(), st, key, hq.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func TestEdit(t *testing.T) {
	ctx := context.Background()
	srv, st := editServer(t)
	set := func(table, id string, v map[string]any) (bool, error) {
		var changed bool
		err := srv.Edit(ctx, func(e *hq.EditTx) error {
			var err error
			changed, err = e.Set(table, id, v)
			return err
		})
		return changed, err
	}
	// A new row: every field stamped by HQ, one sequence number, its scope.
	if ch, err := set("person", "p1", map[string]any{"name_ar": "سالم", "governorate": "OM-MA", "deleted": false}); err != nil || !ch {
		t.Fatalf("create: %v %v", ch, err)
	}
	if _, err := set("workshop", "w1", map[string]any{"title_en": "W", "governorate": "OM-MA"}); err != nil {
		t.Fatal(err)
	}
	if _, err := set("attendance", "a1", map[string]any{"workshop_id": "w1", "person_id": "p1", "hours": 2}); err != nil {
		t.Fatal(err)
	}
	p1, _, _ := st.Row(ctx, "person", "p1")
	if p1.Scope != "OM-MA" || p1.Seq != 1 {
		t.Fatalf("person row: %+v", p1)
	}
	rows, _, _ := st.Changes(ctx, 0, []string{"OM-MA"}, 10)
	if len(rows) != 3 {
		t.Fatalf("changes: %d rows", len(rows))
	}
	v, _ := hq.RowValues(rows[2])
	if v["hours"] != 2.0 || v["workshop_id"] != "w1" {
		t.Errorf("attendance values: %v", v)
	}
	for _, r := range rows {
		if !strings.Contains(string(r.Data), `-hq"`) {
			t.Errorf("%s %s not stamped by HQ: %s", r.Table, r.ID, r.Data)
		}
	}
	// Setting what is already there changes nothing (no new revision).
	if ch, err := set("person", "p1", map[string]any{"name_ar": "سالم"}); err != nil || ch {
		t.Errorf("unchanged value: %v %v", ch, err)
	}
	if m, _ := st.Meta(ctx); m.Seq != 3 {
		t.Errorf("seq after a no-op = %d", m.Seq)
	}
	// Moving the workshop moves its attendance along (new revisions).
	if _, err := set("workshop", "w1", map[string]any{"governorate": "OM-DA"}); err != nil {
		t.Fatal(err)
	}
	a1, _, _ := st.Row(ctx, "attendance", "a1")
	// (5 is the workshop's exit from OM-MA, 7 the attendance's.)
	if a1.Scope != "OM-DA" || a1.Seq != 6 {
		t.Errorf("attendance after its workshop moved: %+v", a1)
	}
	// HQ's clock was saved: a later server on the same store stamps after it.
	if m, _ := st.Meta(ctx); !strings.HasSuffix(m.Clock, "-hq") {
		t.Errorf("saved clock %q", m.Clock)
	}
	// Refusals, in words, and nothing written.
	for _, tc := range []struct {
		table, id string
		v         map[string]any
		want      string
	}{
		{"secrets", "x", map[string]any{"a": "b"}, "does not sync"},
		{"person", "p1", map[string]any{"password": "x"}, `no field "password"`},
		{"person", "p1", map[string]any{"name_ar": []string{"x"}}, "must be text"},
		{"person", "p1", map[string]any{"name_ar": "a\x00b"}, "NUL"},
		{"person", "", map[string]any{"name_ar": "x"}, "bad row id"},
		{"person", "p1", nil, "no field"},
		{"person", "p2", map[string]any{"name_ar": "x"}, "no governorate"},
		{"attendance", "a2", map[string]any{"workshop_id": "nope"}, "not known at HQ"},
	} {
		if _, err := set(tc.table, tc.id, tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%s %s %v) = %v, want %q", tc.table, tc.id, tc.v, err, tc.want)
		}
	}
	// An error from fn rolls back the rows and the audit entry.
	boom := errors.New("boom")
	err := srv.Edit(ctx, func(e *hq.EditTx) error {
		if _, err := e.Set("person", "p1", map[string]any{"name_ar": "غيره"}); err != nil {
			return err
		}
		if err := e.Audit(hq.AuditEntry{Admin: "x", Action: "person.edit"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, v, _, _ := mustRow(t, st, "person", "p1"); v["name_ar"] != "سالم" {
		t.Errorf("rolled-back edit kept: %v", v)
	}
	if log, _ := st.AuditLog(ctx, 0, 10); len(log) != 0 {
		t.Errorf("rolled-back audit kept: %v", log)
	}
	// A conflict marked resolved stops being pending, and stays in its scope.
	if err := st.Write(ctx, func(tx hq.Tx) error {
		seq, _ := tx.NextSeq(ctx)
		return tx.PutRow(ctx, hq.Row{Table: "conflict", ID: "c1", Scope: "OM-MA", Parent: "p1", Seq: seq, Pending: true,
			Data: []byte(`{"tbl":{"v":"person","h":"000000000001-000000-d","r":1},"row_id":{"v":"p1","h":"000000000001-000000-d","r":1},"resolved":{"v":false,"h":"000000000001-000000-d","r":1}}`)})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := set("conflict", "c1", map[string]any{"resolved": true}); err != nil {
		t.Fatal(err)
	}
	if c1, _, _, _ := mustRow(t, st, "conflict", "c1"); c1.Pending || c1.Scope != "OM-MA" {
		t.Errorf("resolved conflict: %+v", c1)
	}
}

// An HQ edit wins over what devices had, whatever their clocks said, and
// a device's older concurrent edit loses into a conflict like any other.
func TestEditStampsAfterDevices(t *testing.T) {
	ctx := context.Background()
	srv, st := editServer(t)
	// A device stamp an hour ahead of HQ's wall clock (within MaxSkew).
	ahead := protocol.HLC{Wall: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).UnixMilli(), Device: "dev"}.String()
	if err := st.Write(ctx, func(tx hq.Tx) error {
		seq, _ := tx.NextSeq(ctx)
		return tx.PutRow(ctx, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Seq: seq,
			Data: []byte(`{"governorate":{"v":"OM-MA","h":"` + ahead + `","r":1},"status":{"v":"active","h":"` + ahead + `","r":1}}`)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Edit(ctx, func(e *hq.EditTx) error {
		_, err := e.Set("person", "p1", map[string]any{"status": "inactive"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r, _, _ := st.Row(ctx, "person", "p1")
	changes, _, _ := st.Changes(ctx, 0, []string{"OM-MA"}, 10)
	if len(changes) != 1 || changes[0].Seq != r.Seq {
		t.Fatalf("changes %+v", changes)
	}
	data := string(r.Data)
	i := strings.Index(data, `"status":{"v":"inactive","h":"`)
	if i < 0 {
		t.Fatalf("row %s", data)
	}
	stamp := data[i+len(`"status":{"v":"inactive","h":"`):]
	stamp = stamp[:strings.IndexByte(stamp, '"')]
	if !protocol.Newer(stamp, ahead) || !strings.HasSuffix(stamp, "-hq") {
		t.Errorf("HQ stamped %q, not after the device's %q", stamp, ahead)
	}
}

func mustRow(t *testing.T, st hq.Store, table, id string) (hq.Row, map[string]any, bool, error) {
	t.Helper()
	r, found, err := st.Row(context.Background(), table, id)
	if err != nil || !found {
		t.Fatalf("%s %s: %v %v", table, id, found, err)
	}
	v, err := hq.RowValues(r)
	return r, v, found, err
}
