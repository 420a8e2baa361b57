package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/sync/protocol"
	_ "modernc.org/sqlite"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "safeer.db"), WithKDF(cheapKDF))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if testProtected {
		if err := s.Protect(context.Background(), testPassphrase, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// testProtected (SAFEER_TEST_PROTECT=1) runs the tests that use openTest
// on protected databases (issue 14): go test ./data/ with it set runs
// the suite with encryption on. The default stays clear until protection
// is the default at first start.
var testProtected = os.Getenv("SAFEER_TEST_PROTECT") == "1"

// reopenTest opens the database at path a second time (another process,
// a restart), unlocked if it is protected.
func reopenTest(t testing.TB, path string) (*Store, error) {
	t.Helper()
	s, err := Open(context.Background(), path, WithKDF(cheapKDF))
	if err != nil || !s.Protected() {
		return s, err
	}
	if err := s.Unlock(context.Background(), testPassphrase); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func TestOpenNewDatabase(t *testing.T) {
	s := openTest(t)
	var appID, version int
	var journal string
	s.db.QueryRow("PRAGMA application_id").Scan(&appID)
	s.db.QueryRow("PRAGMA user_version").Scan(&version)
	s.db.QueryRow("PRAGMA journal_mode").Scan(&journal)
	if appID != ApplicationID || version != SchemaVersion() || journal != "wal" {
		t.Fatalf("application_id %#x, user_version %d, journal %s", appID, version, journal)
	}
	var fk int
	s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Fatalf("foreign_keys = %d", fk)
	}
	if len(s.Governorates()) != 11 || len(s.Wilayats("")) != 61 {
		t.Fatalf("seeded %d governorates and %d wilayats, want 11 and 61", len(s.Governorates()), len(s.Wilayats("")))
	}
	if s.DeviceID() == "" {
		t.Fatal("no device id")
	}
	// Reopening keeps the identity and makes no backup (nothing to migrate).
	path, id := s.Path(), s.DeviceID()
	s.Close()
	s2, err := reopenTest(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.DeviceID() != id {
		t.Fatalf("device id changed on reopen")
	}
	baks, _ := filepath.Glob(path + ".v*.bak")
	baks = slices.DeleteFunc(baks, func(b string) bool { return b == BackupBeforeProtect(path) }) // SAFEER_TEST_PROTECT
	if len(baks) != 0 {
		t.Fatalf("unexpected backups %v", baks)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTest(t)
	path := s.Path()
	if _, err := s.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("got %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "update Safeer") {
		t.Fatalf("message does not say what to do: %v", err)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	// Some other application's SQLite database.
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("CREATE TABLE t (x)")
	db.Close()
	if _, err := Open(context.Background(), other); !errors.Is(err, ErrNotSafeer) {
		t.Fatalf("other app's database: got %v", err)
	}
	// Not a database at all.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("this is not sqlite\n", 400)), 0o600)
	_, err = Open(context.Background(), junk)
	if err == nil || !strings.Contains(err.Error(), "not a Safeer database or is damaged") {
		t.Fatalf("junk file: got %v", err)
	}
}

// TestMigrateFromEveryVersion builds a database at each earlier schema
// version with the migrations up to it, then opens it: it must reach the
// current version, keep its rows, and leave a backup of the old file.
func TestMigrateFromEveryVersion(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		s := &Store{db: db, path: path}
		for _, m := range ms[:v] {
			if err := s.apply(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		s2, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("from version %d: %v", v, err)
		}
		var got int
		s2.db.QueryRow("PRAGMA user_version").Scan(&got)
		s2.Close()
		if got != len(ms) {
			t.Fatalf("from version %d: at %d after open", v, got)
		}
		if baks, _ := filepath.Glob(path + ".v*.bak"); len(baks) != 1 {
			t.Fatalf("from version %d: backups %v, want one", v, baks)
		}
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	p := safeer.Person{NameAr: "سالم الحارثي", Governorate: "OM-SS", Phone: "91234567"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	c, err := reopenTest(t, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Person(ctx, p.ID)
	if err != nil || got.NameAr != p.NameAr {
		t.Fatalf("backup holds %+v, %v", got, err)
	}
}

// TestMigrateOutboxKeepsEveryOp upgrades a version 4 database whose
// outbox holds unsent ops (migration 5 rebuilds the table): every op must
// come out as it went in, seq included, the seq counter must go on from
// where it was, and the ops must be acknowledged by seq afterwards.
func TestMigrateOutboxKeepsEveryOp(t *testing.T) {
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v4.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, path: path}
	for _, m := range ms[:4] {
		if err := old.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var device string
	db.QueryRow(`SELECT value FROM meta WHERE key = 'device_id'`).Scan(&device)
	mine := "019ad1b2c3d4-000000-" + device
	theirs := "019ad1b2c3d0-000002-0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee" // a re-asserted field of another device
	ops := []struct {
		id, tbl, row string
		base         int64
		hlc, fields  string
	}{
		{"019ad1b2-c3d4-7000-8000-000000000001", "person", "019ad1b2-c3d4-7000-8000-0000000000a1", 0, mine,
			`{"governorate":"OM-MA","name_ar":"سالم \"الحارثي\"","phone":"+96891234567"}`},
		{"019ad1b2-c3d4-7000-8000-000000000002", "person", "019ad1b2-c3d4-7000-8000-0000000000a1", 7, theirs, `{"notes":"n"}`},
		{"019ad1b2-c3d4-7000-8000-000000000003", "workshop", "019ad1b2-c3d4-7000-8000-0000000000b1", 0, mine,
			`{"capacity":30,"hours":2.5,"title_en":"Safety"}`},
	}
	for _, o := range ops {
		if _, err := db.Exec(`INSERT INTO outbox (op_id, tbl, row_id, base_rev, hlc, fields) VALUES (?, ?, ?, ?, ?, ?)`,
			o.id, o.tbl, o.row, o.base, o.hlc, o.fields); err != nil {
			t.Fatal(err)
		}
	}
	// The newest op was acknowledged: seq 3 is used up, though no row has it.
	if _, err := db.Exec(`DELETE FROM outbox WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Outbox(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("outbox after upgrade: %+v", got)
	}
	for i, o := range ops[:2] {
		g := got[i]
		var want map[string]any
		if err := json.Unmarshal([]byte(o.fields), &want); err != nil {
			t.Fatal(err)
		}
		if g.Seq != int64(i+1) || g.Op.ID != o.id || g.Op.Table != o.tbl || g.Op.RowID != o.row || g.Op.BaseRev != o.base ||
			g.Stamp != o.hlc || len(g.Op.Fields) != len(want) {
			t.Fatalf("op %d after upgrade: %+v", i, g)
		}
		for k, v := range want {
			if f := g.Op.Fields[k]; f.Value != v || f.HLC != o.hlc {
				t.Fatalf("op %d field %s after upgrade: %+v", i, k, f)
			}
		}
	}
	var unique int
	s.db.QueryRow(`SELECT count(*) FROM pragma_index_list('outbox') WHERE "unique"`).Scan(&unique)
	var byRow int
	s.db.QueryRow(`SELECT count(*) FROM pragma_index_list('outbox') WHERE name = 'outbox_row'`).Scan(&byRow)
	if unique != 0 || byRow != 1 {
		t.Fatalf("outbox indexes: %d unique, %d outbox_row", unique, byRow)
	}

	// A new write goes after every seq ever handed out.
	p := safeer.Person{NameEn: "New", Governorate: "OM-MA"}
	if err := s.AddPerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	all := outbox(t, s)
	if len(all) != 3 || all[2].Seq != 4 || all[2].Op.RowID != p.ID {
		t.Fatalf("outbox after a new write: %+v", all)
	}
	// The old ops are acknowledged by their seqs like any other.
	counts, err := s.AckPush(ctx, []PushAck{applied(got[0]), got[1].Ack(protocol.OpResult{ID: got[1].Op.ID, Status: protocol.Rejected, Code: "c"})})
	if err != nil || counts.Applied != 1 || counts.Rejected != 1 {
		t.Fatalf("ack after upgrade: %+v %v", counts, err)
	}
	if left := outbox(t, s); len(left) != 1 || left[0].Op.RowID != p.ID {
		t.Fatalf("outbox after ack: %+v", left)
	}
	rej, err := s.RejectedOps(ctx, 0)
	if err != nil || len(rej) != 1 || rej[0].Op.ID != ops[1].id || rej[0].Op.Fields["notes"].HLC != theirs {
		t.Fatalf("rejected after upgrade: %+v %v", rej, err)
	}
}
