package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runIn runs safeer-hq with stdin.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain(&out, &errOut)
	m.Getenv = func(string) string { return "" }
	m.Stdin = strings.NewReader(stdin)
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestAdminCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hq.db")
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		out, err    string
	}{
		{"list empty", "", []string{"admin", "list", "--db", db}, exitOK, "No accounts yet", ""},
		{"add", "correct horse battery\n", []string{"admin", "add", "salma", "--db", db}, exitOK, "Added salma", ""},
		{"add twice", "correct horse battery\n", []string{"admin", "add", "salma", "--db", db}, exitFail, "", "already exists"},
		{"short password", "short\n", []string{"admin", "add", "ahmed", "--db", db}, exitFail, "", "at least 12 characters"},
		{"no password", "", []string{"admin", "add", "ahmed", "--db", db}, exitFail, "", "no password on stdin"},
		{"bad name", "correct horse battery\n", []string{"admin", "add", "sal ma", "--db", db}, exitUsage, "", "letters, digits"},
		{"no verb", "", []string{"admin", "--db", db}, exitUsage, "", "add NAME"},
		{"unknown verb", "", []string{"admin", "promote", "x", "--db", db}, exitUsage, "", `unknown "promote"`},
		{"two names", "", []string{"admin", "add", "a", "b", "--db", db}, exitUsage, "", "name one account"},
		{"passwd", "another long password\n", []string{"admin", "passwd", "salma", "--db", db}, exitOK, "Changed the password of salma", ""},
		{"passwd nobody", "another long password\n", []string{"admin", "passwd", "nobody", "--db", db}, exitFail, "", `no account "nobody"`},
		{"add ahmed", "ahmed's long password\r\n", []string{"admin", "add", "ahmed", "--db", db}, exitOK, "Added ahmed", ""},
		{"disable", "", []string{"admin", "disable", "ahmed", "--db", db}, exitOK, "Disabled ahmed", ""},
	}
	for _, tc := range tests {
		code, out, stderr := runIn(t, tc.stdin, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(stderr, tc.err) {
			t.Errorf("%s: exit %d, out %q, err %q", tc.name, code, out, stderr)
		}
		if strings.Contains(out+stderr, "horse") || strings.Contains(out+stderr, "another long") {
			t.Errorf("%s: the password was echoed", tc.name)
		}
	}
	_, out, _ := runIn(t, "", "admin", "list", "--db", db)
	if !regexp.MustCompile(`(?m)^ahmed\s+\S+ \S+\s+disabled`).MatchString(out) || !regexp.MustCompile(`(?m)^salma\s+\S+ \S+\s+active`).MatchString(out) {
		t.Errorf("admin list:\n%s", out)
	}
	if code, out, _ := run(t, "help"); code != exitOK || !strings.Contains(out, "  admin") {
		t.Errorf("help does not list admin: %s", out)
	}
}

// TestServeWeb: safeer-hq serve serves the verification page and the
// console next to the sync API, and an account made with admin add signs in.
func TestServeWeb(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hq.db")
	if code, _, stderr := runIn(t, "correct horse battery\n", "admin", "add", "salma", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	var logs bytes.Buffer
	m := NewMain(&bytes.Buffer{}, &logs)
	m.Getenv = func(string) string { return "" }
	m.Ready = func(a net.Addr) { addrc <- a }
	exited := make(chan int, 1)
	go func() {
		exited <- m.Run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--trusted-proxy", "10.0.0.0/8,127.0.0.1"})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case c := <-exited:
		t.Fatalf("serve exited %d: %s", c, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(path string) (int, string, http.Header) {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if st, body, h := get("/verify"); st != 200 || !strings.Contains(body, `lang="ar"`) || h.Get("Content-Security-Policy") == "" {
		t.Fatalf("/verify: %d", st)
	}
	if st, body, _ := get("/v1/ping"); st != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("/v1/ping: %d %s", st, body)
	}
	st, body, _ := get("/admin/") // redirected to the sign-in form
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if st != 200 || tok == nil {
		t.Fatalf("sign-in form: %d", st)
	}
	// Through a trusted proxy (--trusted-proxy names 127.0.0.1, the
	// test's own address), the client is the one the proxy names.
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/login",
		strings.NewReader(url.Values{"csrf": {tok[1]}, "name": {"salma"}, "password": {"correct horse battery"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "192.0.2.55, 10.1.2.3")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Sign out salma") {
		t.Fatalf("sign in: %d %s", resp.StatusCode, b)
	}
	st2, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	log, err := st2.AuditLog(ctx, 0, 1)
	if err != nil || len(log) != 1 || log[0].Action != "signin" || log[0].Remote != "192.0.2.55" {
		t.Errorf("audit entry of the sign-in: %+v %v (want from 192.0.2.55)", log, err)
	}
	// admin passwd, run while HQ serves, ends the session at once.
	if code, _, stderr := runIn(t, "a whole new password\n", "admin", "passwd", "salma", "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	if st, body, _ := get("/admin/"); st != 200 || strings.Contains(body, "Sign out salma") || !strings.Contains(body, `action="/admin/login"`) {
		t.Errorf("the session outlived admin passwd: %d", st)
	}
	cancel()
	if code := <-exited; code != 0 {
		t.Fatalf("exit %d: %s", code, logs.String())
	}
}
