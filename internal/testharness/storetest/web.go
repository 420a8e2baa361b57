package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
)

// The store methods of HQ's web pages (hq/web).

func certData(code string) []byte {
	return []byte(fmt.Sprintf(`{"attendance_id":{"v":"a1","h":"x","r":1},"code":{"v":%q,"h":"x","r":1}}`, code))
}

func testCertificatesByCode(t *testing.T, st hq.Store) {
	put(t, st, hq.Row{Table: "certificate", ID: "c1", Scope: "OM-MA", Parent: "a1", Data: certData("7K3MQ9XZ2A")}) // 1
	put(t, st, hq.Row{Table: "certificate", ID: "c2", Scope: "OM-DA", Parent: "a2", Data: certData("ABCDE12345")}) // 2
	// A row of another table with a "code" field is not a certificate.
	put(t, st, hq.Row{Table: "person", ID: "p1", Scope: "OM-MA", Data: certData("7K3MQ9XZ2A")}) // 3
	// Two certificates with one code (a device bug, or a forger with an
	// enrolled device): both are returned, oldest first.
	put(t, st, hq.Row{Table: "certificate", ID: "c0", Scope: "OM-MA", Parent: "a3", Data: certData("7K3MQ9XZ2A")}) // 4

	ids := func(code string) []string {
		t.Helper()
		rows, err := st.CertificatesByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			if r.Table != "certificate" {
				t.Errorf("CertificatesByCode(%s) returned a %s row", code, r.Table)
			}
			out = append(out, fmt.Sprintf("%s@%d", r.ID, r.Seq))
		}
		return out
	}
	if got := ids("7K3MQ9XZ2A"); !slices.Equal(got, []string{"c1@1", "c0@4"}) {
		t.Errorf("CertificatesByCode = %v, want [c1@1 c0@4]", got)
	}
	if got := ids("ABCDE12345"); !slices.Equal(got, []string{"c2@2"}) {
		t.Errorf("CertificatesByCode = %v", got)
	}
	for _, code := range []string{"", "NOPE000000", "7k3mq9xz2a", "' OR 1=1 --"} {
		if got := ids(code); len(got) != 0 {
			t.Errorf("CertificatesByCode(%q) = %v, want none", code, got)
		}
	}
	// A row rewritten with another code moves in the index.
	put(t, st, hq.Row{Table: "certificate", ID: "c0", Scope: "OM-MA", Parent: "a3", Data: certData("ZZZZZZZZZZ")}) // 5
	if got := ids("7K3MQ9XZ2A"); !slices.Equal(got, []string{"c1@1"}) {
		t.Errorf("after rewrite: %v", got)
	}
	if got := ids("ZZZZZZZZZZ"); !slices.Equal(got, []string{"c0@5"}) {
		t.Errorf("after rewrite: %v", got)
	}
	// Rows without a code (a revocation-only row that never got one, say)
	// are simply not found.
	put(t, st, hq.Row{Table: "certificate", ID: "c9", Scope: "OM-MA", Data: []byte(`{}`)}) // 6
	if got := ids("ZZZZZZZZZZ"); len(got) != 1 {
		t.Errorf("a row without a code disturbed the lookup: %v", got)
	}

	// The first created comes first, whatever was written since: the
	// original c1 revoked (a later seq than the duplicate c8's) still
	// heads the list, and so does a row moved to another scope.
	put(t, st, hq.Row{Table: "certificate", ID: "c8", Scope: "OM-MA", Parent: "a8", Data: certData("ABCDE12345")}) // 7
	put(t, st, hq.Row{Table: "certificate", ID: "c2", Scope: "OM-DA", Parent: "a2", Data: certData("ABCDE12345")}) // 8
	if got := ids("ABCDE12345"); !slices.Equal(got, []string{"c2@8", "c8@7"}) {
		t.Errorf("after the original was rewritten: %v, want [c2@8 c8@7] (first created first)", got)
	}
	put(t, st, hq.Row{Table: "certificate", ID: "c8", Scope: "OM-DA", Parent: "a8", Data: certData("ABCDE12345")}) // 9
	put(t, st, hq.Row{Table: "certificate", ID: "c2", Scope: "OM-BA", Parent: "a2", Data: certData("ABCDE12345")}) // 10
	if got := ids("ABCDE12345"); !slices.Equal(got, []string{"c2@10", "c8@9"}) {
		t.Errorf("after both were rewritten: %v, want [c2@10 c8@9]", got)
	}

	// Inside a transaction the lookup sees the transaction's own rows.
	write(t, st, func(tx hq.Tx) error {
		seq, err := tx.NextSeq(ctx)
		if err != nil {
			return err
		}
		if err := tx.PutRow(ctx, hq.Row{Table: "certificate", ID: "c7", Scope: "OM-MA", Seq: seq, Data: certData("NEWNEW0000")}); err != nil {
			return err
		}
		for code, want := range map[string][]string{"NEWNEW0000": {"c7"}, "ABCDE12345": {"c2", "c8"}, "NOPE000000": nil} {
			rows, err := tx.CertificatesByCode(ctx, code)
			if err != nil {
				return err
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Tx.CertificatesByCode(%s) = %v, want %v", code, got, want)
			}
		}
		return nil
	})
}

func testListRows(t *testing.T, st hq.Store) {
	for i, r := range []hq.Row{
		{Table: "person", ID: "p3", Scope: "OM-MA"},
		{Table: "person", ID: "p1", Scope: "OM-DA"},
		{Table: "person", ID: "p2", Scope: "OM-MA"},
		{Table: "person", ID: "p4", Scope: "OM-ZU"},
		{Table: "workshop", ID: "p0", Scope: "OM-MA"},
		{Table: "conflict", ID: "k1", Scope: "OM-MA", Pending: true},
		{Table: "conflict", ID: "k2", Scope: "OM-MA"},
		{Table: "conflict", ID: "k3", Scope: "OM-DA", Pending: true},
		{Table: "place", ID: "pl1", Scope: ""},
	} {
		r.Data = []byte(fmt.Sprintf(`{"n":{"v":%d,"h":"x","r":1}}`, i))
		put(t, st, r)
	}
	list := func(q hq.RowQuery) []string {
		t.Helper()
		rows, err := st.ListRows(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		q    hq.RowQuery
		want []string
	}{
		{hq.RowQuery{Table: "person", Limit: 10}, []string{"p1", "p2", "p3", "p4"}},
		{hq.RowQuery{Table: "person", Limit: 2}, []string{"p1", "p2"}},
		{hq.RowQuery{Table: "person", After: "p2", Limit: 2}, []string{"p3", "p4"}},
		{hq.RowQuery{Table: "person", After: "p4", Limit: 2}, nil},
		{hq.RowQuery{Table: "person", Scopes: []string{"OM-MA"}, Limit: 10}, []string{"p2", "p3"}},
		{hq.RowQuery{Table: "person", Scopes: []string{"OM-MA", "OM-ZU"}, After: "p2", Limit: 10}, []string{"p3", "p4"}},
		{hq.RowQuery{Table: "person", Scopes: []string{}, Limit: 10}, nil},
		{hq.RowQuery{Table: "conflict", PendingOnly: true, Limit: 10}, []string{"k1", "k3"}},
		{hq.RowQuery{Table: "conflict", PendingOnly: true, Scopes: []string{"OM-MA"}, Limit: 10}, []string{"k1"}},
		{hq.RowQuery{Table: "place", Limit: 10}, []string{"pl1"}},
		{hq.RowQuery{Table: "place", Scopes: []string{""}, Limit: 10}, []string{"pl1"}},
		{hq.RowQuery{Table: "nothing", Limit: 10}, nil},
	}
	for _, tc := range tests {
		if got := list(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("ListRows(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	rows, _ := st.ListRows(ctx, hq.RowQuery{Table: "person", After: "p3", Limit: 1})
	if len(rows) != 1 || rows[0].Scope != "OM-ZU" || rows[0].Seq != 4 || string(rows[0].Data) != `{"n":{"v":3,"h":"x","r":1}}` {
		t.Errorf("row = %+v", rows)
	}
	for _, limit := range []int{0, -1, hq.MaxListRows + 1} {
		if _, err := st.ListRows(ctx, hq.RowQuery{Table: "person", Limit: limit}); err == nil {
			t.Errorf("limit %d accepted", limit)
		}
	}
}

func testAdmins(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, found, err := st.Admin(ctx, "salma"); found || err != nil {
		t.Fatalf("unknown account found=%v err=%v", found, err)
	}
	write(t, st, func(tx hq.Tx) error {
		if err := tx.PutAdmin(ctx, hq.Admin{Name: "salma", PasswordHash: "$argon2id$1", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.PutAdmin(ctx, hq.Admin{Name: "ahmed", PasswordHash: "$argon2id$2", CreatedAt: t0.Add(time.Hour)})
	})
	a, found, err := st.Admin(ctx, "salma")
	if err != nil || !found || a.PasswordHash != "$argon2id$1" || !a.CreatedAt.Equal(t0) || a.Disabled() {
		t.Fatalf("Admin = %+v %v %v", a, found, err)
	}
	// Update: new password, disabled; the creation time stays.
	write(t, st, func(tx hq.Tx) error {
		return tx.PutAdmin(ctx, hq.Admin{Name: "salma", PasswordHash: "$argon2id$3", CreatedAt: t0.Add(48 * time.Hour), DisabledAt: t0.Add(2 * time.Hour)})
	})
	all, err := st.Admins(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "ahmed" || all[1].Name != "salma" {
		t.Fatalf("Admins = %+v, %v", all, err)
	}
	s := all[1]
	if s.PasswordHash != "$argon2id$3" || !s.DisabledAt.Equal(t0.Add(2*time.Hour)) || !s.Disabled() || !s.CreatedAt.Equal(t0) {
		t.Errorf("updated account = %+v", s)
	}
	// Enabling again clears the time.
	write(t, st, func(tx hq.Tx) error {
		s.DisabledAt = time.Time{}
		return tx.PutAdmin(ctx, s)
	})
	if a, _, _ := st.Admin(ctx, "salma"); a.Disabled() {
		t.Errorf("re-enabled account = %+v", a)
	}
	// Names are exact: no case folding behind the caller's back.
	if _, found, _ := st.Admin(ctx, "SALMA"); found {
		t.Error("account names matched without regard to case")
	}
}

func testSessions(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	write(t, st, func(tx hq.Tx) error {
		return tx.PutAdmin(ctx, hq.Admin{Name: "salma", PasswordHash: "h", CreatedAt: t0})
	})
	s1 := hq.Session{IDHash: []byte("hash-1"), Admin: "salma", CSRF: "tok1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	s2 := hq.Session{IDHash: []byte("hash-2"), Admin: "salma", CSRF: "tok2", CreatedAt: t0, ExpiresAt: t0.Add(3 * time.Hour)}
	for _, s := range []hq.Session{s1, s2} {
		if err := st.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, found, err := st.Session(ctx, []byte("hash-1"))
	if err != nil || !found || got.Admin != "salma" || got.CSRF != "tok1" || !got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Session = %+v %v %v", got, found, err)
	}
	if _, found, err := st.Session(ctx, []byte("nope")); found || err != nil {
		t.Fatalf("unknown session found=%v err=%v", found, err)
	}
	// The same id twice is refused (ids are random; a clash is a bug).
	if err := st.PutSession(ctx, s1); err == nil {
		t.Error("a session id was stored twice")
	}
	// A session needs an account.
	if err := st.PutSession(ctx, hq.Session{IDHash: []byte("h3"), Admin: "ghost", CSRF: "x", CreatedAt: t0, ExpiresAt: t0}); err == nil {
		t.Error("a session of an unknown account was stored")
	}
	if err := st.PurgeSessions(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.Session(ctx, []byte("hash-1")); found {
		t.Error("expired session survived PurgeSessions")
	}
	if _, found, _ := st.Session(ctx, []byte("hash-2")); !found {
		t.Error("live session purged")
	}
	if err := st.DeleteSession(ctx, []byte("hash-2")); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := st.Session(ctx, []byte("hash-2")); found {
		t.Error("deleted session found")
	}
	if err := st.DeleteSession(ctx, []byte("hash-2")); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
}

func testAudit(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if got, err := st.AuditLog(ctx, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("empty log = %v, %v", got, err)
	}
	for i := range 5 {
		write(t, st, func(tx hq.Tx) error {
			return tx.AddAudit(ctx, hq.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Admin: "salma",
				Action: "certificate.revoke", Target: fmt.Sprintf("CODE%d", i), Detail: "سبب", Remote: "192.0.2.1"})
		})
	}
	// An entry written in a transaction that rolls back is not kept.
	boom := errors.New("boom")
	err := st.Write(ctx, func(tx hq.Tx) error {
		if err := tx.AddAudit(ctx, hq.AuditEntry{At: t0, Admin: "x", Action: "rolled.back"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	page, err := st.AuditLog(ctx, 0, 3)
	if err != nil || len(page) != 3 {
		t.Fatalf("AuditLog = %v, %v", page, err)
	}
	if page[0].Target != "CODE4" || page[2].Target != "CODE2" || page[0].ID <= page[1].ID {
		t.Errorf("page 1 = %+v (want newest first)", page)
	}
	e := page[0]
	if !e.At.Equal(t0.Add(4*time.Minute)) || e.Admin != "salma" || e.Action != "certificate.revoke" || e.Detail != "سبب" || e.Remote != "192.0.2.1" {
		t.Errorf("entry = %+v", e)
	}
	rest, err := st.AuditLog(ctx, page[2].ID, 10)
	if err != nil || len(rest) != 2 || rest[0].Target != "CODE1" || rest[1].Target != "CODE0" {
		t.Errorf("page 2 = %+v, %v", rest, err)
	}
	for _, e := range append(page, rest...) {
		if e.Action == "rolled.back" {
			t.Error("a rolled-back audit entry was kept")
		}
	}
}

// testSessionsOf: DeleteSessionsOf ends every session of one account and
// no other's, and only when its transaction commits.
func testSessionsOf(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	write(t, st, func(tx hq.Tx) error {
		if err := tx.PutAdmin(ctx, hq.Admin{Name: "salma", PasswordHash: "h", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.PutAdmin(ctx, hq.Admin{Name: "ahmed", PasswordHash: "h", CreatedAt: t0})
	})
	for i, who := range []string{"salma", "salma", "ahmed", "salma"} {
		s := hq.Session{IDHash: []byte(fmt.Sprintf("hash-%d", i)), Admin: who, CSRF: "tok", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := st.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	live := func() (out []string) {
		t.Helper()
		for i := range 4 {
			if s, found, err := st.Session(ctx, []byte(fmt.Sprintf("hash-%d", i))); err != nil {
				t.Fatal(err)
			} else if found {
				out = append(out, fmt.Sprintf("%d:%s", i, s.Admin))
			}
		}
		return out
	}
	boom := errors.New("boom")
	err := st.Write(ctx, func(tx hq.Tx) error {
		if n, err := tx.DeleteSessionsOf(ctx, "salma"); err != nil || n != 3 {
			t.Errorf("DeleteSessionsOf in a rolled-back transaction = %d, %v (want 3)", n, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := live(); !slices.Equal(got, []string{"0:salma", "1:salma", "2:ahmed", "3:salma"}) {
		t.Fatalf("after a rollback: %v", got)
	}
	var n int
	write(t, st, func(tx hq.Tx) (err error) {
		n, err = tx.DeleteSessionsOf(ctx, "salma")
		return err
	})
	if got := live(); n != 3 || !slices.Equal(got, []string{"2:ahmed"}) {
		t.Fatalf("DeleteSessionsOf(salma) = %d; sessions left %v (want ahmed's)", n, got)
	}
	write(t, st, func(tx hq.Tx) (err error) {
		n, err = tx.DeleteSessionsOf(ctx, "salma")
		return err
	})
	if n != 0 {
		t.Errorf("again: %d", n)
	}
	// Names are exact here too.
	write(t, st, func(tx hq.Tx) (err error) {
		n, err = tx.DeleteSessionsOf(ctx, "AHMED")
		return err
	})
	if got := live(); n != 0 || len(got) != 1 {
		t.Errorf("DeleteSessionsOf(AHMED) = %d, left %v", n, got)
	}
}

// testSignInFailures: entries by name, replaced whole, times kept to the
// millisecond at least, cleared, and purged only when both their last
// failure and their lock are over.
func testSignInFailures(t *testing.T, st hq.Store) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 123_000_000, time.UTC)
	get := func(name string) (hq.SignInFailures, bool) {
		t.Helper()
		var f hq.SignInFailures
		var found bool
		write(t, st, func(tx hq.Tx) (err error) {
			f, found, err = tx.SignInFailures(ctx, name)
			return err
		})
		return f, found
	}
	if _, found := get("salma"); found {
		t.Fatal("an entry before any failure")
	}
	a := hq.SignInFailures{Name: "salma", Count: 1, LastFailure: t0}
	b := hq.SignInFailures{Name: "nobody", Count: 7, LastFailure: t0.Add(time.Minute), LockedUntil: t0.Add(30 * time.Minute)}
	write(t, st, func(tx hq.Tx) error {
		if err := tx.PutSignInFailures(ctx, a); err != nil {
			return err
		}
		return tx.PutSignInFailures(ctx, b)
	})
	if got, found := get("salma"); !found || got.Name != "salma" || got.Count != 1 || !got.LastFailure.Equal(t0) || !got.LockedUntil.IsZero() {
		t.Errorf("salma = %+v %v", got, found)
	}
	if got, found := get("nobody"); !found || got.Count != 7 || !got.LastFailure.Equal(b.LastFailure) || !got.LockedUntil.Equal(b.LockedUntil) {
		t.Errorf("nobody = %+v %v", got, found)
	}
	if _, found := get("SALMA"); found {
		t.Error("names matched without regard to case")
	}
	// Replaced whole: a lock can be set and taken off again.
	a.Count, a.LastFailure, a.LockedUntil = 5, t0.Add(2*time.Minute), t0.Add(3*time.Minute)
	write(t, st, func(tx hq.Tx) error { return tx.PutSignInFailures(ctx, a) })
	if got, _ := get("salma"); got.Count != 5 || !got.LastFailure.Equal(a.LastFailure) || !got.LockedUntil.Equal(a.LockedUntil) {
		t.Errorf("updated salma = %+v", got)
	}
	a.Count, a.LockedUntil = 6, time.Time{}
	write(t, st, func(tx hq.Tx) error { return tx.PutSignInFailures(ctx, a) })
	if got, _ := get("salma"); got.Count != 6 || !got.LockedUntil.IsZero() {
		t.Errorf("lock taken off: %+v", got)
	}
	// A rolled-back write leaves nothing.
	boom := errors.New("boom")
	if err := st.Write(ctx, func(tx hq.Tx) error {
		if err := tx.PutSignInFailures(ctx, hq.SignInFailures{Name: "ghost", Count: 1, LastFailure: t0}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, found := get("ghost"); found {
		t.Error("a rolled-back entry was kept")
	}
	// Purge: salma's last failure (t0+2m) is before t0+10m and she has no
	// lock; nobody's lock lasts to t0+30m, so nobody stays. Times that
	// differ by less than a second must compare right.
	write(t, st, func(tx hq.Tx) error { return tx.PurgeSignInFailures(ctx, t0.Add(2*time.Minute)) })
	if _, found := get("salma"); !found {
		t.Error("purged an entry whose last failure is not before the time given")
	}
	write(t, st, func(tx hq.Tx) error {
		return tx.PurgeSignInFailures(ctx, t0.Add(2*time.Minute).Add(time.Millisecond))
	})
	if _, found := get("salma"); found {
		t.Error("salma's entry survived the purge")
	}
	if _, found := get("nobody"); !found {
		t.Error("an entry still locked was purged")
	}
	write(t, st, func(tx hq.Tx) error { return tx.PurgeSignInFailures(ctx, t0.Add(31*time.Minute)) })
	if _, found := get("nobody"); found {
		t.Error("an entry whose lock ended survived the purge")
	}
	// Clear.
	write(t, st, func(tx hq.Tx) error { return tx.PutSignInFailures(ctx, b) })
	write(t, st, func(tx hq.Tx) error { return tx.ClearSignInFailures(ctx, "nobody") })
	if _, found := get("nobody"); found {
		t.Error("a cleared entry was found")
	}
	write(t, st, func(tx hq.Tx) error { return tx.ClearSignInFailures(ctx, "nobody") })
}
