package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/sync/protocol"
)

// run runs safeer-hq with args and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain(&out, &errOut)
	m.Getenv = func(string) string { return "" }
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestCommandLineMistakes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hq.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, exitUsage, "Usage: safeer-hq"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown flag", []string{"devices", "--db", db, "--colour"}, exitUsage, "flag provided but not defined: -colour"},
		{"enrol without governorate", []string{"enrol", "--db", db, "--name", "x"}, exitUsage, "--governorate"},
		{"enrol without name", []string{"enrol", "--db", db, "--governorate", "OM-MA"}, exitUsage, "--name"},
		{"enrol bad governorate", []string{"enrol", "--db", db, "--governorate", "OM-XX", "--name", "x"}, exitFail, "not a governorate code"},
		{"revoke nothing", []string{"revoke", "--db", db}, exitUsage, "name one device"},
		{"revoke unknown", []string{"revoke", "--db", db, "nope"}, exitFail, `no device "nope"`},
		{"stray argument", []string{"devices", "--db", db, "extra"}, exitUsage, `unexpected argument "extra"`},
		{"bad DSN kind", []string{"devices", "--db", "mysql://root@localhost/x"}, exitFail, `unsupported kind "mysql"`},
		{"unreachable postgres", []string{"devices", "--db", "postgres://u:pw@127.0.0.1:1/x?connect_timeout=2"}, exitFail, "cannot reach PostgreSQL at 127.0.0.1:1/x"},
		{"bad postgres URL", []string{"devices", "--db", "postgres://u:pw@127.0.0.1:5432/x?sslmode=nope"}, exitFail, "PostgreSQL URL postgres://u:xxxxx@"},
		{"not a database", []string{"devices", "--db", writeJunk(t)}, exitFail, "not a SQLite database"},
		{"serve plain HTTP in public", []string{"serve", "--db", db, "--addr", "0.0.0.0:8080"}, exitFail, "--insecure-http"},
		{"serve half TLS", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", "c.pem"}, exitFail, "both --tls-cert and --tls-key"},
		{"serve bad trusted proxy", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1,localhost"}, exitUsage, `trusted proxy "localhost" is not an address`},
		{"serve bad addr", []string{"serve", "--db", db, "--addr", "nonsense"}, exitFail, "not HOST:PORT"},
		{"serve public-url not https", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--public-url", "http://hq.example.om"}, exitUsage, "did:web needs an https:// address"},
		{"serve public-url with a path", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--public-url", "https://example.om/hq"}, exitUsage, "without a path"},
		{"serve public-url an IP", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--public-url", "https://10.0.0.1"}, exitUsage, "not an IP address"},
		{"serve missing cert", []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", "/nope/c.pem", "--tls-key", "/nope/k.pem"}, exitFail, "load TLS certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("a stack trace reached the user: %s", stderr)
			}
			if strings.Contains(stderr, ":pw@") {
				t.Errorf("the password was shown: %s", stderr)
			}
		})
	}
}

func writeJunk(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(p, bytes.Repeat([]byte("junk "), 1000), 0o600)
	return p
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "help")
	for _, c := range []string{"serve", "enrol", "devices", "revoke", "key", "reset-epoch", "verify-credential"} {
		if !strings.Contains(out, "  "+c) {
			t.Errorf("help does not list %s", c)
		}
	}
	if code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hq.db")
	code, out, stderr := run(t, "key", "--db", db)
	if code != 0 {
		t.Fatalf("key: %d %s", code, stderr)
	}
	pub, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(out))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("key printed %q: %v", out, err)
	}
	fi, err := os.Stat(db + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	// The same key every time, and --hex prints the same bytes.
	_, out2, _ := run(t, "key", "--db", db)
	_, hexOut, _ := run(t, "key", "--db", db, "--hex")
	if out2 != out || strings.TrimSpace(hexOut) != hex.EncodeToString(pub) {
		t.Fatalf("key changed: %q %q %q", out, out2, hexOut)
	}
	// --key names the file.
	other := filepath.Join(t.TempDir(), "k", "hq.key")
	if code, out3, _ := run(t, "key", "--db", db, "--key", other); code != 0 || out3 == out {
		t.Fatalf("--key: %d %q", code, out3)
	}
	// A key file that is not a key is an error in words.
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte("hello"), 0o600)
	if code, _, stderr := run(t, "key", "--key", bad); code != exitFail || !strings.Contains(stderr, "not a PEM private key") {
		t.Fatalf("bad key: %d %q", code, stderr)
	}
}

// TestEndToEnd runs the real commands against a served HQ: enrol a device
// with a code, push and pull, list devices, revoke, reset the epoch, shut
// down on cancel.
func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { endToEnd(t, filepath.Join(t.TempDir(), "hq.db"), "") })
	t.Run("postgres", func(t *testing.T) {
		pgtest.Base(t)
		endToEnd(t, pgtest.DSN(t), filepath.Join(t.TempDir(), "hq.key"))
	})
}

func endToEnd(t *testing.T, db, key string) {
	keyArgs := []string{}
	if key != "" {
		keyArgs = []string{"--key", key}
	}
	code, out, stderr := run(t, "enrol", "--db", db, "--governorate", "OM-MA", "--governorate", "OM-DA", "--name", "Salalah laptop")
	if code != 0 {
		t.Fatalf("enrol: %d %s", code, stderr)
	}
	enrolCode := strings.TrimSpace(out)
	if len(enrolCode) != 11 || !strings.Contains(stderr, "valid until") {
		t.Fatalf("enrol printed %q / %q", out, stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	var logs bytes.Buffer
	m := NewMain(&bytes.Buffer{}, &logs)
	m.Getenv = func(string) string { return "" }
	m.Ready = func(a net.Addr) { addrc <- a }
	exited := make(chan int, 1)
	go func() {
		exited <- m.Run(ctx, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, keyArgs...))
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

	post := func(path, token string, body any, out any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(out)
		return resp.StatusCode
	}
	pub, devKey, _ := ed25519.GenerateKey(rand.Reader)
	devID := uuid.NewString()
	var ch protocol.EnrolChallenge
	if st := post(protocol.PathEnrolChallenge, "", protocol.EnrolChallengeRequest{Code: enrolCode}, &ch); st != 200 {
		t.Fatalf("enrolment challenge over HTTP: %d", st)
	}
	enrolReq := protocol.EnrolRequest{Code: enrolCode, DeviceID: devID}
	protocol.SignEnrol(&enrolReq, devKey, ch.Nonce)
	var er protocol.EnrolResponse
	if st := post(protocol.PathEnrol, "", enrolReq, &er); st != 200 {
		t.Fatalf("enrol over HTTP: %d", st)
	}
	_, keyOut, _ := run(t, append([]string{"key", "--db", db}, keyArgs...)...)
	hqPub, _ := base64.RawURLEncoding.DecodeString(strings.TrimSpace(keyOut))
	if !bytes.Equal(hqPub, er.HQPublicKey) || !certificate.VerifyEndorsement(hqPub, devID, pub, er.Endorsement) {
		t.Fatal("safeer-hq key does not print the key that endorsed the device")
	}

	clock := protocol.NewClock(devID, protocol.HLC{}, nil)
	stamp := clock.Now().String()
	var pr protocol.PushResponse
	op := protocol.Op{ID: uuid.NewString(), Table: "person", RowID: uuid.NewString(),
		Fields: map[string]protocol.Field{"name_ar": {Value: "مريم", HLC: stamp}, "governorate": {Value: "OM-DA", HLC: stamp}}}
	if st := post(protocol.PathPush, er.Token, protocol.PushRequest{Ops: []protocol.Op{op}}, &pr); st != 200 || pr.Results[0].Status != protocol.Applied {
		t.Fatalf("push: %d %+v", st, pr)
	}
	get := func(path, token string, out any) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(out)
		return resp.StatusCode
	}
	var pull protocol.PullResponse
	if st := get(protocol.PathPull, er.Token, &pull); st != 200 || len(pull.Changes) != 1 || pull.Changes[0].Fields["name_ar"].Value != "مريم" {
		t.Fatalf("pull: %d %+v", st, pull)
	}

	code, out, _ = run(t, "devices", "--db", db, "--json")
	var devs []hq.DeviceInfo
	if err := json.Unmarshal([]byte(out), &devs); code != 0 || err != nil || len(devs) != 1 || devs[0].ID != devID ||
		devs[0].LastPush == nil || devs[0].LastPull == nil || devs[0].Name != "Salalah laptop" {
		t.Fatalf("devices --json: %d %v %s", code, err, out)
	}
	code, out, _ = run(t, "devices", "--db", db)
	if code != 0 || !strings.Contains(out, devID) || !strings.Contains(out, "OM-DA,OM-MA") || !strings.Contains(out, "active") {
		t.Fatalf("devices: %s", out)
	}

	code, out, _ = run(t, "reset-epoch", "--db", db)
	if code != 0 || !strings.Contains(out, "New epoch") {
		t.Fatalf("reset-epoch: %d %s", code, out)
	}
	var e protocol.ErrorResponse
	if st := get(protocol.PathPull+"?cursor="+pull.NextCursor, er.Token, &e); st != 409 || e.Error != protocol.ErrMustResync {
		t.Fatalf("pull after reset-epoch: %d %+v", st, e)
	}

	if code, out, stderr := run(t, "revoke", "--db", db, devID); code != 0 || !strings.Contains(out, "Revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, stderr)
	}
	if st := get(protocol.PathPull, er.Token, &e); st != 401 || e.Error != protocol.ErrDeviceRevoked {
		t.Fatalf("pull after revoke: %d %+v", st, e)
	}
	_, out, _ = run(t, "devices", "--db", db)
	if !strings.Contains(out, "revoked") {
		t.Fatalf("devices after revoke: %s", out)
	}

	cancel()
	select {
	case c := <-exited:
		if c != 0 {
			t.Fatalf("serve exited %d after cancel: %s", c, logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), "shutting down") || !strings.Contains(logs.String(), "path="+protocol.PathPush) {
		t.Errorf("serve log: %s", logs.String())
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	db := filepath.Join(dir, "hq.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	var logs bytes.Buffer
	m := NewMain(&bytes.Buffer{}, &logs)
	m.Getenv = func(string) string { return "" }
	m.Ready = func(a net.Addr) { addrc <- a }
	exited := make(chan int, 1)
	// TLS makes a public address acceptable without --insecure-http.
	go func() {
		exited <- m.Run(ctx, []string{"serve", "--db", db, "--addr", "0.0.0.0:0", "--tls-cert", cert, "--tls-key", key})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case c := <-exited:
		t.Fatalf("serve exited %d: %s", c, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	_, port, _ := net.SplitHostPort(addr.String())
	client := tlsClient(t, cert)
	resp, err := client.Get("https://127.0.0.1:" + port + protocol.PathPing)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ping over TLS: %d", resp.StatusCode)
	}
	cancel()
	if c := <-exited; c != 0 {
		t.Fatalf("exit %d: %s", c, logs.String())
	}
}
