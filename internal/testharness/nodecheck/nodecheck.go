// Package nodecheck runs the independent checker of Open Badges
// credentials (credential/testdata/node/check.mjs: Node.js with the npm
// packages jose, ajv and ajv-formats, installed by make deps-node) on a
// token, against a TLS test server whose name example.com resolves to
// 127.0.0.1. For tests only: credential's and hq/web's share it.
package nodecheck

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Dir is the checker's folder, found from this file, so any package's
// test can run it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "credential", "testdata", "node")
}

// Run runs check.mjs on token, trusting cert (the test server's), and
// returns what it printed on stdout and stderr and how it exited (an
// error when a check refused the token). Node and the packages must be
// there: the test fails rather than skips without them.
func Run(t testing.TB, cert *x509.Certificate, token string) (out []byte, stderr string, err error) {
	t.Helper()
	node, lerr := exec.LookPath("node")
	if lerr != nil {
		t.Fatalf("node is not installed: these tests check credentials with an independent implementation in Node.js (make deps-node installs it): %v", lerr)
	}
	dir := Dir()
	for _, pkg := range []string{"jose", "ajv", "ajv-formats"} {
		if _, serr := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); serr != nil {
			t.Fatalf("npm package %s is not installed in %s: run make deps-node", pkg, dir)
		}
	}
	tmp := t.TempDir()
	ca := filepath.Join(tmp, "ca.pem")
	if werr := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); werr != nil {
		t.Fatal(werr)
	}
	file := filepath.Join(tmp, "credential.jwt")
	if werr := os.WriteFile(file, []byte(token), 0o600); werr != nil {
		t.Fatal(werr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", file)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ca, "SAFEER_RESOLVE=example.com=127.0.0.1")
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err = cmd.Output()
	return out, errb.String(), err
}

// Client is an HTTP client of the TLS test server srv that reaches it by
// the name host (example.com:port, the name the credentials carry), as
// the Node.js checker does: Go's side of the same test sees what it sees.
func Client(srv *httptest.Server, host string) *http.Client {
	tr := srv.Client().Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if a == host {
			a = addr
		}
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
