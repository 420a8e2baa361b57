package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// Every command that changes HQ's database leaves an audit entry by "cli"
// saying what it did, and none carries a secret: not the enrolment code,
// not a password, not a token.
func TestCommandsLeaveAuditEntries(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { commandsAudit(t, filepath.Join(t.TempDir(), "hq.db")) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.Base(t)
		commandsAudit(t, pgtest.DSN(t))
	})
}

func commandsAudit(t *testing.T, db string) {
	ctx := context.Background()
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, out, stderr := runIn(t, stdin, append(args, "--db", db)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		return out
	}
	code := strings.TrimSpace(mustRun("", "enrol", "--governorate", "OM-MA", "--governorate", "om-da", "--name", "Salalah laptop"))
	mustRun("first long password\n", "admin", "add", "salma")
	mustRun("second long password\n", "admin", "passwd", "salma")
	mustRun("", "admin", "disable", "salma")

	// A device to revoke, as enrolment would leave it.
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dev := hq.Device{ID: "0f0e0d0c-aaaa-4bbb-8ccc-123456789abc", Name: "Nizwa laptop", TokenHash: []byte("token hash"),
		Governorates: []string{"OM-DA"}, PublicKey: make([]byte, 32), Endorsement: make([]byte, 64), EnrolledAt: time.Now().UTC()}
	if err := st.Write(ctx, func(tx hq.Tx) error { return tx.PutDevice(ctx, dev) }); err != nil {
		t.Fatal(err)
	}
	mustRun("", "revoke", dev.ID[:8])
	before, _ := st.Meta(ctx)
	mustRun("", "reset-epoch")
	after, _ := st.Meta(ctx)

	entries, err := st.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ action, target, detail string }
	wants := []want{ // oldest first
		{"device.enrol", "Salalah laptop", "governorates OM-DA, OM-MA; code valid until "},
		{"admin.add", "salma", ""},
		{"admin.passwd", "salma", "no session was open"},
		{"admin.disable", "salma", "no session was open"},
		{"device.revoke", dev.ID, "Nizwa laptop; governorates OM-DA"},
		{"epoch.reset", after.Epoch, "was " + before.Epoch},
	}
	if len(entries) != len(wants) {
		t.Fatalf("%d audit entries, want %d: %+v", len(entries), len(wants), entries)
	}
	for i, w := range wants {
		e := entries[len(entries)-1-i]
		if e.Admin != "cli" || e.Action != w.action || e.Target != w.target || !strings.HasPrefix(e.Detail, w.detail) || e.At.IsZero() {
			t.Errorf("entry %d = %+v, want cli %s %s %q…", i, e, w.action, w.target, w.detail)
		}
		all := e.Target + " " + e.Detail + " " + e.Remote
		norm := strings.ReplaceAll(code, "-", "")
		for _, secret := range []string{code, norm, strings.ToLower(norm), "long password", "token hash"} {
			if secret != "" && strings.Contains(all, secret) {
				t.Errorf("entry %d (%s) carries a secret: %q", i, e.Action, all)
			}
		}
	}
	if before.Epoch == after.Epoch {
		t.Error("reset-epoch did not change the epoch")
	}
	// A failed command leaves no entry.
	if code, _, _ := runIn(t, "", "revoke", "no-such-device", "--db", db); code != exitFail {
		t.Fatalf("revoke of an unknown device: exit %d", code)
	}
	if n, _ := st.AuditLog(ctx, 0, 100); len(n) != len(wants) {
		t.Errorf("a failed revoke wrote an audit entry: %+v", n[0])
	}
}
