package web_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// attempt posts a sign-in from the client address given, through the
// trusted proxy on 127.0.0.1, and returns the status and Retry-After.
func (b *browser) attempt(from, name, password string) (int, string, string) {
	b.e.t.Helper()
	if b.csrf == "" {
		b.get("/admin/login")
	}
	r := b.post("/admin/login", b.form("name", name, "password", password), "X-Forwarded-For", from)
	return r.status, r.header.Get("Retry-After"), r.body
}

func backoffConfig(t *testing.T) web.Config {
	// The per-address limit is out of the way: every attempt below comes
	// from another address anyway.
	return web.Config{SignInBurst: 1000, TrustedProxies: trustedProxies(t, "127.0.0.1")}
}

// After five failures in a row an account waits, whatever addresses the
// guesses come from, with the wait doubling up to its cap; even the right
// password waits. A name that is no account behaves exactly the same, so
// the back-off tells nothing of which names exist. A success starts the
// count again.
func TestAccountBackoff(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t), backoffConfig(t))
		e.addAdmin("salma", testPassword)
		b := e.browser()
		addr := 0
		next := func() string { addr++; return fmt.Sprintf("198.51.100.%d", addr) }
		for _, name := range []string{"salma", "nobody"} {
			for i := range 5 {
				if st, _, _ := b.attempt(next(), name, "wrong guess number "+fmt.Sprint(i)); st != http.StatusUnauthorized {
					t.Fatalf("%s, guess %d: %d", name, i+1, st)
				}
			}
			st, wait, body := b.attempt(next(), name, testPassword)
			if st != http.StatusTooManyRequests || wait != "30" || !strings.Contains(body, "Too many failed sign-ins with this name. Wait 30 seconds") {
				t.Fatalf("%s after 5 failures: %d, Retry-After %q", name, st, wait)
			}
		}
		// Waits double with each failure after the wait, up to 15 minutes.
		for _, want := range []string{"60", "120", "240", "480", "900", "900"} {
			e.advance(16 * time.Minute)
			for _, name := range []string{"salma", "nobody"} {
				if st, _, _ := b.attempt(next(), name, "yet another guess"); st != http.StatusUnauthorized {
					t.Fatalf("%s after the wait: %d", name, st)
				}
				if st, wait, _ := b.attempt(next(), name, "yet another guess"); st != http.StatusTooManyRequests || wait != want {
					t.Errorf("%s: %d, Retry-After %q, want %s", name, st, wait, want)
				}
			}
		}
		e.advance(16 * time.Minute)
		if st, _, body := b.attempt(next(), "salma", testPassword); st != http.StatusSeeOther {
			t.Fatalf("the right password after the wait: %d %s", st, body)
		}
		// The success started the count again: five free failures, then 30
		// seconds, not 15 minutes.
		b = e.browser()
		for i := range 5 {
			if st, _, _ := b.attempt(next(), "salma", "wrong again "+fmt.Sprint(i)); st != http.StatusUnauthorized {
				t.Fatalf("after a success, guess %d: %d", i+1, st)
			}
		}
		if st, wait, _ := b.attempt(next(), "salma", testPassword); st != http.StatusTooManyRequests || wait != "30" {
			t.Errorf("after a success and 5 failures: %d, Retry-After %q", st, wait)
		}
		// An administrator's new password clears the wait.
		if err := web.SetAdminPassword(ctx, e.st, "salma", "a brand new password", "cli", e.clock()); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := b.attempt(next(), "salma", "a brand new password"); st != http.StatusSeeOther {
			t.Errorf("after admin passwd: %d", st)
		}
		acts := strings.Join(auditDetails(t, e.st), "\n")
		mustContain(t, "audit", acts, "salma:signin.failed::failure 5 in a row; the name waits 30 seconds",
			"nobody:signin.failed::failure 1 in a row")
	})
}

// Attempts sent side by side cannot slip past the count: of many wrong
// guesses at once, only the free ones are checked.
func TestAccountBackoffConcurrent(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t), backoffConfig(t))
		e.addAdmin("salma", testPassword)
		const n = 16
		browsers := make([]*browser, n)
		for i := range browsers {
			browsers[i] = e.browser()
			browsers[i].get("/admin/login")
		}
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i, b := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, _, _ := b.attempt(fmt.Sprintf("203.0.113.%d", i+1), "salma", "a wrong guess")
				statuses[i] = st
			}()
		}
		wg.Wait()
		counts := map[int]int{}
		for _, st := range statuses {
			counts[st]++
		}
		if counts[http.StatusUnauthorized] != web.DefaultSignInFreeFailures || counts[http.StatusTooManyRequests] != n-web.DefaultSignInFreeFailures {
			t.Errorf("statuses %v: want %d × 401 and the rest 429", counts, web.DefaultSignInFreeFailures)
		}
	})
}

// Two safeer-hq processes on one database share an account's back-off:
// failures spread over both, from different addresses, add up.
func TestAccountBackoffSharedBetweenServers(t *testing.T) {
	shared := func(t *testing.T, a, b hq.Store) {
		ea, eb := newEnv(t, a, backoffConfig(t)), newEnv(t, b, backoffConfig(t))
		ea.addAdmin("salma", testPassword)
		ba, bb := ea.browser(), eb.browser()
		for i := range 5 {
			br := ba
			if i%2 == 1 {
				br = bb
			}
			if st, _, _ := br.attempt(fmt.Sprintf("198.51.100.%d", i+1), "salma", "wrong guess"); st != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, st)
			}
		}
		for _, br := range []*browser{ba, bb} {
			if st, wait, _ := br.attempt("198.51.100.77", "salma", testPassword); st != http.StatusTooManyRequests || wait != "30" {
				t.Errorf("after 5 failures spread over two servers: %d, Retry-After %q", st, wait)
			}
		}
		ea.advance(31 * time.Second)
		eb.advance(31 * time.Second)
		if st, _, _ := bb.attempt("198.51.100.78", "salma", testPassword); st != http.StatusSeeOther {
			t.Fatalf("the right password after the wait: %d", st)
		}
		// The success on one server started the count again for both.
		for i := range 5 {
			if st, _, _ := ba.attempt("198.51.100.79", "salma", "wrong "+fmt.Sprint(i)); st != http.StatusUnauthorized {
				t.Fatalf("after the success, guess %d on the other server: %d", i+1, st)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hq.db")
		a, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		shared(t, a, b)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		a, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		shared(t, a, b)
	})
}
