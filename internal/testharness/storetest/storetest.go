// Package storetest is the test suite every hq.Store backend must pass:
// hq/sqlite and hq/postgres run it from their tests, so the two backends
// behave the same to package hq.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
)

// Opener returns a new, empty store for one test; the test closes it.
type Opener func(t *testing.T) hq.Store

// Run runs the whole suite against the backend.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, hq.Store)
	}{
		{"Meta", testMeta},
		{"WriteRollsBack", testWriteRollsBack},
		{"Rows", testRows},
		{"ChangesScopeAndOrder", testChanges},
		{"AppliedOps", testAppliedOps},
		{"Enrolments", testEnrolments},
		{"EnrolNonces", testEnrolNonces},
		{"Devices", testDevices},
		{"PendingConflicts", testPendingConflicts},
		{"Clock", testClock},
		{"ResetEpoch", testResetEpoch},
		{"LateCommitNeverSkipped", testLateCommit},
		{"CertificatesByCode", testCertificatesByCode},
		{"ListRows", testListRows},
		{"Admins", testAdmins},
		{"Sessions", testSessions},
		{"SessionsOfAnAccount", testSessionsOf},
		{"SignInFailures", testSignInFailures},
		{"Audit", testAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			tc.fn(t, st)
		})
	}
}

var ctx = context.Background()

func write(t *testing.T, st hq.Store, fn func(hq.Tx) error) {
	t.Helper()
	if err := st.Write(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// put writes a row with the next sequence number and returns it.
func put(t *testing.T, st hq.Store, r hq.Row) hq.Row {
	t.Helper()
	write(t, st, func(tx hq.Tx) error {
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		r.Seq = seq
		return tx.PutRow(ctx, r)
	})
	return r
}

func testMeta(t *testing.T, st hq.Store) {
	m, err := st.Meta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Epoch == "" || m.Seq != 0 || m.Clock != "" {
		t.Fatalf("new store meta = %+v", m)
	}
}

func testWriteRollsBack(t *testing.T, st hq.Store) {
	boom := errors.New("boom")
	err := st.Write(ctx, func(tx hq.Tx) error {
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		if err := tx.PutRow(ctx, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Seq: seq, Data: []byte(`{}`)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want fn's error", err)
	}
	if _, found, err := st.Row(ctx, "person", "p1"); err != nil || found {
		t.Fatalf("rolled-back row found=%v err=%v", found, err)
	}
	m, _ := st.Meta(ctx)
	if m.Seq != 0 {
		t.Fatalf("rolled-back sequence number kept: seq %d", m.Seq)
	}
	// The number is handed out again: no gaps.
	r := put(t, st, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Data: []byte(`{}`)})
	if r.Seq != 1 {
		t.Fatalf("seq after rollback = %d, want 1", r.Seq)
	}
}

func testRows(t *testing.T, st hq.Store) {
	data := []byte(`{"name_ar":{"v":"سالم","h":"x","r":1}}`)
	w := put(t, st, hq.Row{Table: "workshop", ID: "w1", Scope: "OM-MA", Data: data})
	a := put(t, st, hq.Row{Table: "attendance", ID: "a1", Scope: "OM-MA", Parent: "w1", Data: []byte(`{}`)})
	c := put(t, st, hq.Row{Table: "conflict", ID: "c1", Scope: "OM-MA", Parent: "w1", Pending: true, Data: []byte(`{}`)})
	got, found, err := st.Row(ctx, "workshop", "w1")
	if err != nil || !found {
		t.Fatalf("Row: found=%v err=%v", found, err)
	}
	if !bytes.Equal(got.Data, data) || got.Seq != w.Seq || got.Scope != "OM-MA" || got.Parent != "" {
		t.Fatalf("Row = %+v, want %+v", got, w)
	}
	if _, found, _ := st.Row(ctx, "person", "w1"); found {
		t.Fatal("a row of another table with the same id was found")
	}
	write(t, st, func(tx hq.Tx) error {
		kids, err := tx.Children(ctx, "w1")
		if err != nil {
			return err
		}
		if len(kids) != 2 || kids[0].ID != a.ID || kids[1].ID != c.ID || !kids[1].Pending {
			return fmt.Errorf("Children(w1) = %+v", kids)
		}
		if kids, err := tx.Children(ctx, ""); err != nil || len(kids) != 0 {
			return fmt.Errorf("Children(\"\") = %v, %v: rows without parent are nobody's children", kids, err)
		}
		// Replacing a row moves it in the sequence.
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		w.Seq, w.Scope = seq, "OM-DA"
		return tx.PutRow(ctx, w)
	})
	got, _, _ = st.Row(ctx, "workshop", "w1")
	if got.Seq != 4 || got.Scope != "OM-DA" {
		t.Fatalf("replaced row = %+v", got)
	}
	// Transactions read their own writes.
	write(t, st, func(tx hq.Tx) error {
		seq, _ := tx.NextSeq(ctx)
		if err := tx.PutRow(ctx, hq.Row{Table: "person", ID: "p9", Scope: "OM-MA", Seq: seq, Data: []byte(`{}`)}); err != nil {
			return err
		}
		if _, found, err := tx.Row(ctx, "person", "p9"); err != nil || !found {
			return fmt.Errorf("own write not visible: %v %v", found, err)
		}
		return nil
	})
}

func testChanges(t *testing.T, st hq.Store) {
	put(t, st, hq.Row{Table: "person", ID: "ma1", Scope: "OM-MA", Data: []byte(`{}`)})      // 1
	put(t, st, hq.Row{Table: "person", ID: "da1", Scope: "OM-DA", Data: []byte(`{}`)})      // 2
	put(t, st, hq.Row{Table: "place", ID: "pl1", Scope: "", Data: []byte(`{}`)})            // 3
	put(t, st, hq.Row{Table: "workshop", ID: "ma2", Scope: "OM-MA", Data: []byte(`{}`)})    // 4
	put(t, st, hq.Row{Table: "conflict", ID: "zu1", Scope: "OM-ZU", Data: []byte(`{}`)})    // 5
	put(t, st, hq.Row{Table: "person", ID: "ma1", Scope: "OM-MA", Data: []byte(`{"x":1}`)}) // 6: ma1 moves to the end

	ids := func(rows []hq.Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s@%d", r.ID, r.Seq))
		}
		return out
	}
	tests := []struct {
		after  int64
		scopes []string
		limit  int
		want   []string
	}{
		{0, []string{"OM-MA"}, 10, []string{"pl1@3", "ma2@4", "ma1@6"}},
		{0, []string{"OM-MA", "OM-DA"}, 10, []string{"da1@2", "pl1@3", "ma2@4", "ma1@6"}},
		{0, []string{"OM-MA", "OM-DA"}, 2, []string{"da1@2", "pl1@3"}},
		{3, []string{"OM-MA"}, 10, []string{"ma2@4", "ma1@6"}},
		{0, nil, 10, []string{"pl1@3"}},
		{0, []string{"OM-ZU"}, 10, []string{"pl1@3", "zu1@5"}},
		{6, []string{"OM-MA"}, 10, nil},
	}
	for _, tc := range tests {
		rows, committed, err := st.Changes(ctx, tc.after, tc.scopes, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(rows); !slices.Equal(got, tc.want) {
			t.Errorf("Changes(%d, %v, %d) = %v, want %v", tc.after, tc.scopes, tc.limit, got, tc.want)
		}
		if committed != 6 {
			t.Errorf("committed = %d, want 6", committed)
		}
	}
	if rows, _, _ := st.Changes(ctx, 0, []string{"OM-MA"}, 10); len(rows) > 0 && string(rows[2].Data) != `{"x":1}` {
		t.Errorf("row data = %s", rows[2].Data)
	}
}

func testAppliedOps(t *testing.T, st hq.Store) {
	at := time.Date(2025, 3, 1, 10, 0, 0, 123000000, time.UTC)
	op := hq.AppliedOp{OpID: "op1", PayloadHash: []byte{1, 2, 3}, DeviceID: "d1", AppliedAt: at}
	write(t, st, func(tx hq.Tx) error {
		if _, found, err := tx.AppliedOp(ctx, "d1", "op1"); err != nil || found {
			return fmt.Errorf("unknown op found=%v err=%v", found, err)
		}
		return tx.RecordOp(ctx, op)
	})
	write(t, st, func(tx hq.Tx) error {
		got, found, err := tx.AppliedOp(ctx, "d1", "op1")
		if err != nil || !found {
			return fmt.Errorf("found=%v err=%v", found, err)
		}
		if !bytes.Equal(got.PayloadHash, op.PayloadHash) || got.DeviceID != "d1" || got.OpID != "op1" || !got.AppliedAt.Equal(at) {
			return fmt.Errorf("AppliedOp = %+v, want %+v", got, op)
		}
		// Op ids are unique per device only: another device's op with
		// the same id is not this one.
		if got, found, err := tx.AppliedOp(ctx, "d2", "op1"); err != nil || found {
			return fmt.Errorf("device d2's op1 found=%v (%+v) err=%v", found, got, err)
		}
		return nil
	})
	other := hq.AppliedOp{OpID: "op1", PayloadHash: []byte{9}, DeviceID: "d2", AppliedAt: at}
	write(t, st, func(tx hq.Tx) error { return tx.RecordOp(ctx, other) })
	write(t, st, func(tx hq.Tx) error {
		for _, want := range []hq.AppliedOp{op, other} {
			got, found, err := tx.AppliedOp(ctx, want.DeviceID, "op1")
			if err != nil || !found || !bytes.Equal(got.PayloadHash, want.PayloadHash) {
				return fmt.Errorf("AppliedOp(%s, op1) = %+v %v %v, want %+v", want.DeviceID, got, found, err, want)
			}
		}
		return nil
	})
	// (device, op id) is a key: recording it twice fails.
	if err := st.Write(ctx, func(tx hq.Tx) error { return tx.RecordOp(ctx, op) }); err == nil {
		t.Fatal("the same op of the same device was recorded twice")
	}
}

func testEnrolments(t *testing.T, st hq.Store) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	e := hq.Enrolment{CodeHash: []byte("hash-1"), Governorates: []string{"OM-DA", "OM-MA"}, Name: "Muscat laptop",
		CreatedAt: now, ExpiresAt: now.Add(hq.EnrolmentTTL)}
	write(t, st, func(tx hq.Tx) error { return tx.PutEnrolment(ctx, e) })
	write(t, st, func(tx hq.Tx) error {
		got, found, err := tx.Enrolment(ctx, []byte("hash-1"))
		if err != nil || !found {
			return fmt.Errorf("found=%v err=%v", found, err)
		}
		if !slices.Equal(got.Governorates, e.Governorates) || got.Name != e.Name || !got.ExpiresAt.Equal(e.ExpiresAt) ||
			!got.UsedAt.IsZero() || got.DeviceID != "" {
			return fmt.Errorf("Enrolment = %+v, want %+v", got, e)
		}
		got.UsedAt, got.DeviceID = now.Add(time.Hour), "dev-1"
		return tx.PutEnrolment(ctx, got)
	})
	write(t, st, func(tx hq.Tx) error {
		got, _, err := tx.Enrolment(ctx, []byte("hash-1"))
		if err != nil {
			return err
		}
		if !got.UsedAt.Equal(now.Add(time.Hour)) || got.DeviceID != "dev-1" {
			return fmt.Errorf("used enrolment = %+v", got)
		}
		if _, found, err := tx.Enrolment(ctx, []byte("other")); found || err != nil {
			return fmt.Errorf("unknown code found=%v err=%v", found, err)
		}
		return nil
	})
}

func testEnrolNonces(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	n1 := hq.EnrolNonce{NonceHash: []byte("n1"), CodeHash: []byte("code-a"), CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
	n2 := hq.EnrolNonce{NonceHash: []byte("n2"), CodeHash: []byte("code-a"), CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	n3 := hq.EnrolNonce{NonceHash: []byte("n3"), CodeHash: []byte("code-b"), CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	write(t, st, func(tx hq.Tx) error {
		for _, n := range []hq.EnrolNonce{n1, n2, n3} {
			if err := tx.PutEnrolNonce(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	count := func(code string) int {
		t.Helper()
		var n int
		write(t, st, func(tx hq.Tx) (err error) { n, err = tx.EnrolNonces(ctx, []byte(code)); return err })
		return n
	}
	if a, b, c := count("code-a"), count("code-b"), count("code-c"); a != 2 || b != 1 || c != 0 {
		t.Fatalf("EnrolNonces = %d %d %d, want 2 1 0", a, b, c)
	}
	// A nonce hash is a key.
	if err := st.Write(ctx, func(tx hq.Tx) error { return tx.PutEnrolNonce(ctx, n1) }); err == nil {
		t.Fatal("the same nonce was stored twice")
	}
	// Taken once: the second take finds nothing, even in a later
	// transaction, and a rolled-back take leaves it there.
	if err := st.Write(ctx, func(tx hq.Tx) error {
		if _, found, err := tx.TakeEnrolNonce(ctx, []byte("n1")); !found || err != nil {
			return fmt.Errorf("take: found=%v err=%v", found, err)
		}
		return errors.New("roll back")
	}); err == nil || err.Error() != "roll back" {
		t.Fatal(err)
	}
	write(t, st, func(tx hq.Tx) error {
		got, found, err := tx.TakeEnrolNonce(ctx, []byte("n1"))
		if err != nil || !found || !bytes.Equal(got.CodeHash, n1.CodeHash) || !got.ExpiresAt.Equal(n1.ExpiresAt) || !got.CreatedAt.Equal(t0) {
			return fmt.Errorf("TakeEnrolNonce = %+v %v %v, want %+v", got, found, err, n1)
		}
		if _, found, err := tx.TakeEnrolNonce(ctx, []byte("n1")); found || err != nil {
			return fmt.Errorf("taken twice in one transaction: found=%v err=%v", found, err)
		}
		return nil
	})
	write(t, st, func(tx hq.Tx) error {
		if _, found, err := tx.TakeEnrolNonce(ctx, []byte("n1")); found || err != nil {
			return fmt.Errorf("taken twice: found=%v err=%v", found, err)
		}
		if _, found, err := tx.TakeEnrolNonce(ctx, []byte("unknown")); found || err != nil {
			return fmt.Errorf("unknown nonce: found=%v err=%v", found, err)
		}
		return nil
	})
	// Purging drops the expired ones only (expiring at that very moment
	// is expired).
	write(t, st, func(tx hq.Tx) error { return tx.PurgeEnrolNonces(ctx, n2.ExpiresAt) })
	if a, b := count("code-a"), count("code-b"); a != 0 || b != 1 {
		t.Fatalf("after the purge: %d %d, want 0 1", a, b)
	}
}

func testDevices(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	d1 := hq.Device{ID: "dev-1", Name: "one", TokenHash: []byte("tok-1"), Governorates: []string{"OM-MA"},
		PublicKey: bytes.Repeat([]byte{7}, 32), Endorsement: []byte("sig"), EnrolledAt: t0}
	d2 := hq.Device{ID: "dev-2", Name: "two", TokenHash: []byte("tok-2"), Governorates: []string{"OM-DA", "OM-ZU"},
		PublicKey: bytes.Repeat([]byte{8}, 32), Endorsement: []byte("sig2"), EnrolledAt: t0.Add(time.Minute)}
	write(t, st, func(tx hq.Tx) error {
		if err := tx.PutDevice(ctx, d2); err != nil {
			return err
		}
		return tx.PutDevice(ctx, d1)
	})
	got, found, err := st.DeviceByToken(ctx, []byte("tok-2"))
	if err != nil || !found || got.ID != "dev-2" || !slices.Equal(got.Governorates, d2.Governorates) ||
		!bytes.Equal(got.PublicKey, d2.PublicKey) || !got.EnrolledAt.Equal(d2.EnrolledAt) || got.Revoked() {
		t.Fatalf("DeviceByToken = %+v %v %v", got, found, err)
	}
	if _, found, err := st.DeviceByToken(ctx, []byte("nope")); found || err != nil {
		t.Fatalf("unknown token found=%v err=%v", found, err)
	}
	// Activity times: each kind sets its own column and last_seen.
	if err := st.TouchDevice(ctx, "dev-1", hq.TouchPush, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.TouchDevice(ctx, "dev-1", hq.TouchPull, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.TouchDevice(ctx, "dev-2", hq.TouchSeen, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Revoking through PutDevice leaves the activity times alone.
	write(t, st, func(tx hq.Tx) error {
		d, found, err := tx.Device(ctx, "dev-1")
		if err != nil || !found {
			return fmt.Errorf("Device: %v %v", found, err)
		}
		d.RevokedAt = t0.Add(4 * time.Hour)
		d.LastPush = time.Time{} // must not be written
		return tx.PutDevice(ctx, d)
	})
	devs, err := st.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 || devs[0].ID != "dev-1" || devs[1].ID != "dev-2" {
		t.Fatalf("Devices = %+v (want oldest first)", devs)
	}
	one, two := devs[0], devs[1]
	if !one.LastPush.Equal(t0.Add(time.Hour)) || !one.LastPull.Equal(t0.Add(2*time.Hour)) ||
		!one.LastSeen.Equal(t0.Add(2*time.Hour)) || !one.RevokedAt.Equal(t0.Add(4*time.Hour)) || !one.Revoked() {
		t.Errorf("dev-1 = %+v", one)
	}
	if !two.LastSeen.Equal(t0.Add(3*time.Hour)) || !two.LastPush.IsZero() || !two.LastPull.IsZero() || two.Revoked() {
		t.Errorf("dev-2 = %+v", two)
	}
	// Token hashes are unique.
	d3 := d1
	d3.ID = "dev-3"
	if err := st.Write(ctx, func(tx hq.Tx) error { return tx.PutDevice(ctx, d3) }); err == nil {
		t.Error("two devices share a token hash")
	}
}

func testPendingConflicts(t *testing.T, st hq.Store) {
	put(t, st, hq.Row{Table: "conflict", ID: "c1", Scope: "OM-MA", Pending: true, Data: []byte(`{}`)})
	put(t, st, hq.Row{Table: "conflict", ID: "c2", Scope: "OM-MA", Pending: false, Data: []byte(`{}`)})
	put(t, st, hq.Row{Table: "conflict", ID: "c3", Scope: "OM-DA", Pending: true, Data: []byte(`{}`)})
	put(t, st, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Pending: true, Data: []byte(`{}`)})
	for _, tc := range []struct {
		scopes []string
		want   int
	}{{[]string{"OM-MA"}, 1}, {[]string{"OM-MA", "OM-DA"}, 2}, {[]string{"OM-ZU"}, 0}, {nil, 0}} {
		n, err := st.PendingConflicts(ctx, tc.scopes)
		if err != nil || n != tc.want {
			t.Errorf("PendingConflicts(%v) = %d, %v; want %d", tc.scopes, n, err, tc.want)
		}
	}
}

func testClock(t *testing.T, st hq.Store) {
	const a, b = "000000000100-000000-hq", "000000000200-000000-hq"
	write(t, st, func(tx hq.Tx) error {
		if tx.Clock() != "" {
			return fmt.Errorf("new clock = %q", tx.Clock())
		}
		return tx.SaveClock(ctx, b)
	})
	write(t, st, func(tx hq.Tx) error {
		if tx.Clock() != b {
			return fmt.Errorf("clock = %q, want %q", tx.Clock(), b)
		}
		return tx.SaveClock(ctx, a) // older: ignored
	})
	if m, _ := st.Meta(ctx); m.Clock != b {
		t.Fatalf("clock went back to %q", m.Clock)
	}
}

func testResetEpoch(t *testing.T, st hq.Store) {
	put(t, st, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Data: []byte(`{}`)})
	before, _ := st.Meta(ctx)
	// Kept on commit (the sequence and the rows unchanged), gone with a
	// rollback.
	write(t, st, func(tx hq.Tx) error { return tx.SetEpoch(ctx, "epoch-in-tx") })
	if m, _ := st.Meta(ctx); m.Epoch != "epoch-in-tx" || m.Seq != before.Seq || before.Epoch == "epoch-in-tx" {
		t.Fatalf("before %+v, after SetEpoch: %+v", before, m)
	}
	if _, found, _ := st.Row(ctx, "person", "p1"); !found {
		t.Error("SetEpoch lost a row")
	}
	boom := errors.New("boom")
	err := st.Write(ctx, func(tx hq.Tx) error {
		if err := tx.SetEpoch(ctx, "rolled-back"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if m, _ := st.Meta(ctx); m.Epoch != "epoch-in-tx" {
		t.Fatalf("a rolled-back SetEpoch stayed: %+v", m)
	}
}

// testLateCommit is the proof that a reader polling with a cursor never
// skips a row that commits late: many writers take a sequence number, wait
// a random while, then write their row and commit, while a reader polls
// Changes exactly as a pull does (cursor to the last row, or past the
// committed counter when the page was short). When the writers are done
// the reader must have seen every row exactly once.
func testLateCommit(t *testing.T, st hq.Store) {
	const writers, perWriter = 12, 25
	scopes := []string{"OM-MA"}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range perWriter {
				err := st.Write(ctx, func(tx hq.Tx) error {
					seq, err := tx.NextSeq(ctx)
					if err != nil {
						return err
					}
					// The window in which a naive sequence lets a reader
					// see later numbers first.
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					scope := "OM-MA"
					if i%5 == 4 {
						scope = "OM-DA" // rows the reader must skip over, not miss
					}
					return tx.PutRow(ctx, hq.Row{Table: "person", ID: fmt.Sprintf("w%d-%d", w, i), Scope: scope,
						Seq: seq, Data: []byte(`{}`)})
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int{}
	var cursor int64
	poll := func(limit int) (int, error) {
		rows, committed, err := st.Changes(ctx, cursor, scopes, limit+1)
		if err != nil {
			return 0, err
		}
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		for _, r := range rows {
			if r.Seq <= cursor {
				return 0, fmt.Errorf("row %s at seq %d is not after cursor %d", r.ID, r.Seq, cursor)
			}
			seen[r.ID]++
			cursor = r.Seq
		}
		if !more {
			cursor = max(cursor, committed)
		}
		return len(rows), nil
	}
	rng := rand.New(rand.NewPCG(99, 2))
	polls := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case err := <-errc:
			t.Fatal(err)
		default:
			if _, err := poll(1 + rng.IntN(7)); err != nil {
				t.Fatal(err)
			}
			polls++
			time.Sleep(time.Duration(rng.IntN(500)) * time.Microsecond)
		}
	}
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	for { // drain what committed after the last poll
		n, err := poll(100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	want := 0
	for w := range writers {
		for i := range perWriter {
			if i%5 == 4 {
				continue
			}
			want++
			id := fmt.Sprintf("w%d-%d", w, i)
			if seen[id] != 1 {
				t.Errorf("row %s seen %d times", id, seen[id])
			}
		}
	}
	if len(seen) != want {
		t.Errorf("reader saw %d rows, want %d", len(seen), want)
	}
	t.Logf("%d writers × %d rows, %d polls", writers, perWriter, polls)
}
