package postgres

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// openAt makes a new database at schema version v (its first v migrations)
// and returns its DSN and a pool on it; the caller fills it, closes the
// pool and opens it with Open, which upgrades it.
func openAt(t *testing.T, v int) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := (&DB{pool: pool, name: "test"}).migrateTo(ctx, ms[:v]); err != nil {
		t.Fatal(err)
	}
	return dsn, pool
}

// Migration 3 keys applied_ops on (device, op id) and keeps the records
// made before it.
func TestUpgradeKeepsAppliedOps(t *testing.T) {
	ctx := context.Background()
	dsn, pool := openAt(t, 2)
	if _, err := pool.Exec(ctx, `INSERT INTO applied_ops (op_id, payload_hash, device_id, applied_at)
		VALUES ('op-1', '\x0102', 'dev-a', now())`); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Write(ctx, func(tx hq.Tx) error {
		a, found, err := tx.AppliedOp(ctx, "dev-a", "op-1")
		if err != nil || !found || !bytes.Equal(a.PayloadHash, []byte{1, 2}) {
			t.Errorf("the record made before the upgrade: %+v found=%v err=%v", a, found, err)
		}
		if _, found, err := tx.AppliedOp(ctx, "dev-b", "op-1"); found || err != nil {
			t.Errorf("another device's op-1 found=%v err=%v", found, err)
		}
		return tx.RecordOp(ctx, hq.AppliedOp{OpID: "op-1", PayloadHash: []byte{3}, DeviceID: "dev-b", AppliedAt: a.AppliedAt})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Migration 4 dates existing rows by the oldest write in their fields: an
// original certificate revoked after a duplicate of its code was pushed
// (so its seq is the higher) is still found first.
func TestUpgradeDatesRowsByTheirFields(t *testing.T) {
	ctx := context.Background()
	dsn, pool := openAt(t, 3)
	if _, err := pool.Exec(ctx, `UPDATE meta SET seq = 5 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		id   string
		seq  int
		data string
	}{
		{"original", 5, `{"code":{"v":"7K3MQ9XZ2A","h":"x","r":1},"revoked_at":{"v":"2025-03-02","h":"y","r":5}}`},
		{"duplicate", 3, `{"code":{"v":"7K3MQ9XZ2A","h":"z","r":3}}`},
		{"bare", 4, `{}`},
	} {
		if _, err := pool.Exec(ctx, `INSERT INTO rows (tbl, id, scope, seq, data) VALUES ('certificate', $1, 'OM-MA', $2, $3)`, r.id, r.seq, r.data); err != nil {
			t.Fatal(err)
		}
	}
	pool.Close()
	st, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.CertificatesByCode(ctx, "7K3MQ9XZ2A")
	if err != nil || len(rows) != 2 || rows[0].ID != "original" || rows[1].ID != "duplicate" {
		t.Fatalf("after the upgrade: %+v %v, want original then duplicate", rows, err)
	}
	var bare int64
	if err := st.pool.QueryRow(ctx, `SELECT created_seq FROM rows WHERE id = 'bare'`).Scan(&bare); err != nil || bare != 4 {
		t.Fatalf("a row without fields: created_seq %d %v, want its seq 4", bare, err)
	}
}
