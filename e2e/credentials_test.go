package e2e_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCredentialsEndToEnd: safeer-hq serve --public-url issues the Open
// Badges credential of a certificate a real device issued and synced; the
// device pulls it and exports it (safeer certificates export
// --open-badges); safeer-hq verify-credential and /verify.json find it
// valid, and revoked once the device revokes the certificate and syncs.
func TestCredentialsEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hq.db")
	h := startHQ(t, db, "127.0.0.1:0", "--public-url", "https://hq.example.om")
	d := newDevice(t, "muscat")
	d.enrol(h, "OM-MA")
	aisha := d.addPerson("Aisha Al Harthy", "OM-MA", "--name-ar", "عائشة الحارثية", "--wilayat", "Muttrah")
	var ws struct{ ID string }
	d.json(&ws, "workshops", "add", "--title-ar", "المدن الذكية", "--title-en", "Smart cities",
		"--date", time.Now().AddDate(0, 0, -2).Format("2006-01-02"), "--hours", "3", "--governorate", "OM-MA", "--wilayat", "Muttrah")
	d.must("attend", ws.ID, aisha)
	d.must("certificates", "issue", "--workshop", ws.ID, "--split", filepath.Join(t.TempDir(), "pdf"),
		"--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai")
	var list struct {
		Certificates []struct {
			Code string `json:"code"`
		} `json:"certificates"`
	}
	d.json(&list, "certificates", "list", "--workshop", ws.ID)
	if len(list.Certificates) != 1 {
		t.Fatalf("certificates %+v", list)
	}
	code := list.Certificates[0].Code

	// HQ issues the credential once the push lands; a later sync brings it.
	dir := filepath.Join(t.TempDir(), "badges")
	var exported struct {
		Credentials int      `json:"credentials"`
		Files       []string `json:"files"`
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		d.sync()
		d.json(&exported, "certificates", "export", "--open-badges", dir)
		if exported.Credentials == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the device never received its credential")
		}
		time.Sleep(200 * time.Millisecond)
	}
	file := exported.Files[0]
	token, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(token), "eyJ") {
		t.Fatalf("%s: %q %v", file, token, err)
	}

	hqVerify := func() (int, string) {
		cmd := exec.Command(bin.hq, "verify-credential", file, "--public-url", "https://hq.example.om", "--db", db)
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}
	webVerify := func() string {
		resp, err := http.Get(h.url() + "/verify.json?credential=" + url.QueryEscape(string(token)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct {
			Status string `json:"status"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != 200 {
			t.Fatalf("verify.json: %d %v", resp.StatusCode, err)
		}
		return a.Status
	}
	if code, out := hqVerify(); code != 0 || !strings.HasPrefix(out, "valid") {
		t.Fatalf("safeer-hq verify-credential: exit %d\n%s", code, out)
	}
	if st := webVerify(); st != "valid" {
		t.Fatalf("/verify.json: %s", st)
	}
	resp, err := http.Get(h.url() + "/.well-known/did.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID string `json:"id"`
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc.ID != "did:web:hq.example.om" {
		t.Fatalf("DID document %+v", doc)
	}

	d.must("certificates", "revoke", code, "--reason", "attendance recorded in error")
	d.sync()
	if st := webVerify(); st != "revoked" {
		t.Fatalf("/verify.json after the revocation: %s", st)
	}
	if code, out := hqVerify(); code != 1 || !strings.HasPrefix(out, "revoked") {
		t.Fatalf("safeer-hq verify-credential after the revocation: exit %d\n%s", code, out)
	}
}
