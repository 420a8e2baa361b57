package client

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/oman-sca/safeer/sync/protocol"
)

// outboxV4 turns a closed database's outbox back into the table of schema
// version 4 (a unique index on op_id, as migrations 1 and 2 made it), ops,
// seqs and seq counter kept, and marks the file as version 4.
const outboxV4 = `
CREATE TABLE outbox_v4 (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	op_id      TEXT NOT NULL UNIQUE,
	tbl        TEXT NOT NULL,
	row_id     TEXT NOT NULL,
	base_rev   INTEGER NOT NULL DEFAULT 0,
	hlc        TEXT NOT NULL,
	fields     TEXT NOT NULL
) STRICT;
INSERT INTO outbox_v4 SELECT seq, op_id, tbl, row_id, base_rev, hlc, fields FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_v4';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_v4', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_row ON outbox (tbl, row_id);
ALTER TABLE import_batch DROP COLUMN file_sha256; -- added by migration 6
ALTER TABLE import_batch DROP COLUMN imported_by;
DROP TABLE not_same; -- added by migration 7
ALTER TABLE person DROP COLUMN civil_id_hash; -- added by migration 8 (its indexes dropped by 10)
ALTER TABLE person DROP COLUMN phone_hash;
ALTER TABLE person DROP COLUMN email_hash;
DROP TABLE credential; -- added by migration 9
PRAGMA user_version = 4;
`

// TestUpgradedOutboxIsPushed: a device at schema version 4 with unsent ops
// (some acknowledged before, an import, edits) is upgraded by opening it
// with this Safeer; its sync then pushes every op exactly as it was queued,
// and HQ's answers empty the outbox, acknowledged by seq.
func TestUpgradedOutboxIsPushed(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	path := filepath.Join(t.TempDir(), "safeer.db")
	s, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := New(s, WithBackoff(fast), WithDeviceName("test"))
	if _, err := c.Enrol(ctx, hq.URL(), hq.code("OM-MA")); err != nil {
		t.Fatal(err)
	}
	addPerson(t, s, "Acknowledged", "OM-MA")
	mustSync(t, c) // seq 1 used and gone
	p := addPerson(t, s, "Salim", "OM-MA")
	p.Phone = "91234567"
	if err := s.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	csv := "name_en,governorate,phone\r\nAmal,OM-MA,92345678\r\nBadr,OM-MA,93456789\r\n"
	tbl, err := spreadsheet.ReadCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, tbl, data.ImportOptions{Source: "r.csv"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Outbox(ctx, 0, 100)
	if err != nil || len(before) != 4 {
		t.Fatalf("outbox %d ops, %v", len(before), err)
	}
	s.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(outboxV4); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = data.Open(ctx, path) // migrates 4 → current
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if baks, _ := filepath.Glob(path + ".v4-*.bak"); len(baks) != 1 {
		t.Fatalf("backups %v", baks)
	}
	after, err := s.Outbox(ctx, 0, 100)
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("outbox after upgrade:\n%+v\nwant\n%+v (%v)", after, before, err)
	}
	hq.mu.Lock()
	hq.pushed = nil
	hq.mu.Unlock()
	c = New(s, WithBackoff(fast), WithDeviceName("test"))
	rep := mustSync(t, c)
	if rep.Pushed != 4 || rep.Applied != 4 || outboxLen(t, s) != 0 {
		t.Fatalf("report %+v, outbox %d", rep, outboxLen(t, s))
	}
	want := make([]protocol.Op, len(before))
	for i, o := range before {
		want[i] = o.Op
	}
	hq.mu.Lock()
	pushed := hq.pushed
	hq.mu.Unlock()
	if !reflect.DeepEqual(pushed, want) {
		t.Fatalf("pushed\n%+v\nwant\n%+v", pushed, want)
	}
	if got := hq.row("person", p.ID); got["phone"] != "+96891234567" || got["name_en"] != "Salim" {
		t.Fatalf("HQ has %+v", got)
	}
	// New ops carry on after every seq handed out before the upgrade.
	q := addPerson(t, s, "Later", "OM-MA")
	ops, _ := s.Outbox(ctx, 0, 10)
	if len(ops) != 1 || ops[0].Op.RowID != q.ID || ops[0].Seq <= before[len(before)-1].Seq {
		t.Fatalf("new op %+v after seqs up to %d", ops, before[len(before)-1].Seq)
	}
}
