package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

// signInAgain signs an existing account in from a new browser.
func (e *env) signInAgain(name, password string) *browser {
	e.t.Helper()
	b := e.browser()
	b.get("/admin/login")
	if r := b.post("/admin/login", b.form("name", name, "password", password)); r.status != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d %s", name, r.status, r.body)
	}
	if r := b.get("/admin/"); r.status != http.StatusOK {
		e.t.Fatalf("console after signing in %s: %d", name, r.status)
	}
	return b
}

// signedIn reports whether the browser's session still opens the console.
func (b *browser) signedIn() bool {
	b.e.t.Helper()
	r := b.get("/admin/")
	return r.status == http.StatusOK && strings.Contains(r.body, "Sign out")
}

// A new password ends every session of the account, whoever changed it:
// the old sessions are refused, by page and by form, and the new password
// signs in. Other accounts' sessions are left alone.
func TestPasswordChangeEndsSessions(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{SignInBurst: 100})
		b1 := e.signIn("salma")
		b2 := e.signInAgain("salma", testPassword)
		other := e.signIn("ahmed")
		if err := web.SetAdminPassword(ctx, e.st, "salma", "a brand new password", "cli", e.clock()); err != nil {
			t.Fatal(err)
		}
		if b1.signedIn() || b2.signedIn() {
			t.Error("a session signed in with the old password survived the change")
		}
		// A form with the old session's token is refused too.
		if r := b1.post("/admin/logout", b1.form()); r.status != http.StatusForbidden {
			t.Errorf("a form of the old session: %d", r.status)
		}
		if !other.signedIn() {
			t.Error("another account's session ended")
		}
		e.signInAgain("salma", "a brand new password")
		bad := e.browser()
		bad.get("/admin/login")
		if r := bad.post("/admin/login", bad.form("name", "salma", "password", testPassword)); r.status != http.StatusUnauthorized {
			t.Errorf("the old password signed in: %d", r.status)
		}
		mustContain(t, "audit", strings.Join(auditDetails(t, e.st), "\n"), "cli:admin.passwd:salma:ended 2 sessions")
	})
}

// Disabling ends the sessions; enabling again (a new password) does not
// bring back the sessions from before, only a new sign-in does.
func TestDisableEndsSessionsForGood(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{SignInBurst: 100})
		b := e.signIn("salma")
		if err := web.DisableAdmin(ctx, e.st, "salma", "cli", e.clock()); err != nil {
			t.Fatal(err)
		}
		if b.signedIn() {
			t.Fatal("the session of a disabled account opens the console")
		}
		if err := web.SetAdminPassword(ctx, e.st, "salma", "a brand new password", "cli", e.clock()); err != nil {
			t.Fatal(err)
		}
		if b.signedIn() {
			t.Error("a new password revived a session from before the account was disabled")
		}
		if !e.signInAgain("salma", "a brand new password").signedIn() {
			t.Error("the new password does not sign in")
		}
		mustContain(t, "audit", strings.Join(auditDetails(t, e.st), "\n"), "cli:admin.disable:salma:ended 1 session")
	})
}

// A session of a disabled account that is still in the database (an
// account disabled behind DisableAdmin's back, as an older safeer-hq did)
// is refused, and enabling the account again does not bring it back.
func TestDisabledAccountsLeftoverSessionRefused(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{SignInBurst: 100})
	b := e.signIn("salma")
	a, _, err := e.st.Admin(ctx, "salma")
	if err != nil {
		t.Fatal(err)
	}
	put := func(a hq.Admin) {
		t.Helper()
		if err := e.st.Write(ctx, func(tx hq.Tx) error { return tx.PutAdmin(ctx, a) }); err != nil {
			t.Fatal(err)
		}
	}
	a.DisabledAt = e.clock()
	put(a) // sessions left in place
	if b.signedIn() {
		t.Fatal("the session of a disabled account opens the console")
	}
	a.DisabledAt = time.Time{}
	put(a) // enabled again, password unchanged, no session ended
	if b.signedIn() {
		t.Error("a session refused while the account was disabled came back when it was enabled")
	}
}

func auditDetails(t *testing.T, st hq.Store) []string {
	t.Helper()
	entries, err := st.AuditLog(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Admin+":"+e.Action+":"+e.Target+":"+e.Detail)
	}
	return out
}
