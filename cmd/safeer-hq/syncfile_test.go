package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// safeer-hq sync import reads a device's file from the disk and writes the
// reply next to it; the same file again says so; a damaged one is refused
// in words (Arabic under an Arabic locale) with exit code 1.
func TestSyncImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hq.db")
	code, out, stderr := run(t, "enrol", "--db", db, "--governorate", "OM-MA", "--name", "Ibri laptop")
	if code != 0 {
		t.Fatalf("enrol: %s", stderr)
	}
	enrolCode := strings.TrimSpace(out)
	ctx := context.Background()
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	hqKey, err := hq.LoadOrCreateKey(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := hq.NewServer(ctx, st, hqKey, hq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(srv.Handler())
	post := func(path string, body, out any) {
		b, _ := json.Marshal(body)
		resp, err := http.Post(h.URL+path, "application/json", bytes.NewReader(b))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, err, resp.Status)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(out)
	}
	_, devKey, _ := ed25519.GenerateKey(rand.Reader)
	devID := uuid.NewString()
	var ch protocol.EnrolChallenge
	post(protocol.PathEnrolChallenge, protocol.EnrolChallengeRequest{Code: enrolCode}, &ch)
	req := protocol.EnrolRequest{Code: enrolCode, DeviceID: devID}
	protocol.SignEnrol(&req, devKey, ch.Nonce)
	var er protocol.EnrolResponse
	post(protocol.PathEnrol, req, &er)
	h.Close()
	st.Close()

	stamp := protocol.HLC{Wall: time.Now().UnixMilli(), Device: devID}.String()
	var file bytes.Buffer
	if err := syncfile.SealRequest(&file, &syncfile.Request{FileID: uuid.NewString(), DeviceID: devID, Ops: []protocol.Op{{
		ID: uuid.NewString(), Table: "person", RowID: uuid.NewString(),
		Fields: map[string]protocol.Field{"name_en": {Value: "Muna", HLC: stamp}, "governorate": {Value: "OM-MA", HLC: stamp}},
	}}}, devKey, ed25519.PublicKey(er.HQPublicKey)); err != nil {
		t.Fatal(err)
	}
	stick := filepath.Join(dir, "stick")
	os.Mkdir(stick, 0o755)
	path := filepath.Join(stick, syncfile.RequestName(devID, time.Now()))
	if err := syncfile.WriteFile(path, file.Bytes()); err != nil {
		t.Fatal(err)
	}
	replies := filepath.Join(dir, "replies")
	os.Mkdir(replies, 0o755)
	code, out, stderr = run(t, "sync", "import", path, "--db", db, "--reply-dir", replies)
	if code != 0 || !strings.Contains(out, "1 changes taken, 0 refused") {
		t.Fatalf("import: %d %q %q", code, out, stderr)
	}
	reply := filepath.Join(replies, syncfile.ReplyNameFor(path))
	b, err := os.ReadFile(reply)
	if err != nil {
		t.Fatal(err)
	}
	r, err := syncfile.OpenReply(bytes.NewReader(b), devKey, func(string) (ed25519.PublicKey, bool, error) {
		return ed25519.PublicKey(er.HQPublicKey), false, nil
	})
	if err != nil || len(r.Push.Results) != 1 || r.Push.Results[0].Status != protocol.Applied {
		t.Fatalf("reply: %+v %v", r, err)
	}
	code, out, _ = run(t, "sync", "import", path, "--db", db)
	if code != 0 || !strings.Contains(out, "was read before: nothing changed") {
		t.Errorf("again: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(stick, syncfile.ReplyNameFor(path))); err != nil {
		t.Errorf("the reply is not next to the file: %v", err)
	}

	cut := filepath.Join(stick, "cut"+syncfile.RequestExt)
	os.WriteFile(cut, file.Bytes()[:50], 0o644)
	var o, e bytes.Buffer
	m := NewMain(&o, &e)
	m.Getenv = func(k string) string {
		if k == "LANG" {
			return "ar_OM.UTF-8"
		}
		return ""
	}
	if code := m.Run(ctx, []string{"sync", "import", cut, "--db", db}); code != exitFail || !strings.Contains(e.String(), "ناقص") {
		t.Errorf("cut file: %d %q", code, e.String())
	}
	if code, _, stderr := run(t, "sync", "export"); code != exitUsage || !strings.Contains(stderr, "sync import FILE") {
		t.Errorf("sync export at HQ: %d %q", code, stderr)
	}
}
