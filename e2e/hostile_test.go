package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/sync/protocol"
)

// A stolen Ad Dakhiliyah laptop against the real safeer-hq: its token,
// read from its own database, drives the sync API by hand. Nothing of
// Muscat moves, changes or reaches it; Muscat's laptop keeps its rows.
// Then a laptop enrolled for both governorates moves a person, and
// Muscat's laptop drops its copy on its next sync.
func TestHostileDeviceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	h := startHQ(t, filepath.Join(t.TempDir(), "hq.db"), "127.0.0.1:0")
	defer h.stop()
	muscat, dakh, both := newDevice(t, "muscat"), newDevice(t, "dakhiliyah"), newDevice(t, "both")
	muscat.enrol(h, "OM-MA")
	dakh.enrol(h, "OM-DA")
	both.enrol(h, "OM-DA", "OM-MA")

	aisha := muscat.addPerson("Aisha Al Balushi", "OM-MA", "--phone", "91234567")
	moved := muscat.addPerson("Khalid Al Rawahi", "OM-MA", "--phone", "92345678")
	if r := muscat.sync(); r.Applied != 2 {
		t.Fatalf("muscat's sync: %+v", r)
	}
	dakh.sync()
	both.sync()

	// The thief's tools: the laptop's token and its device id.
	st, err := openDevice(context.Background(), dakh.db)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.SyncState(context.Background())
	st.Close()
	if err != nil || state.Token == "" {
		t.Fatalf("the Ad Dakhiliyah laptop's token: %v", err)
	}
	stamp := func(at time.Time, device string) string {
		return protocol.HLC{Wall: at.UnixMilli(), Device: device}.String()
	}
	op := func(row, at string, kv ...any) protocol.Op {
		o := protocol.Op{ID: uuid.NewString(), Table: "person", RowID: row, Fields: map[string]protocol.Field{}}
		for i := 0; i < len(kv); i += 2 {
			o.Fields[kv[i].(string)] = protocol.Field{Value: kv[i+1], HLC: at}
		}
		return o
	}
	now := time.Now()
	attacks := []protocol.Op{
		op(aisha, stamp(now, dakh.id), "governorate", "OM-DA", "notes", "mine now"),
		op(aisha, stamp(now.Add(-400*24*time.Hour), dakh.id), "governorate", "OM-DA", "phone", "+96899999999", "deleted", true),
		op(aisha, stamp(now, dakh.id), "phone", "+96899999999"),
		op(aisha, stamp(now, muscat.id), "phone", "+96899999999"),
		op(aisha, stamp(now, "hq"), "phone", "+96899999999"),
		op(uuid.NewString(), stamp(now.Add(23*time.Hour), dakh.id), "governorate", "OM-DA", "name_en", "From the future"),
	}
	res := hostilePush(t, h.url(), state.Token, attacks)
	for i, r := range res.Results {
		if r.Status != protocol.Rejected || r.Message == "" {
			t.Errorf("attack %d: %+v, want a rejection in words", i, r)
		}
	}
	// Nothing of Muscat reaches the thief by pulling.
	var pull protocol.PullResponse
	hostileGet(t, h.url()+protocol.PathPull+"?cursor=", state.Token, &pull)
	for _, c := range pull.Changes {
		if c.Table == "person" && (c.RowID == aisha || c.RowID == moved) {
			t.Errorf("the Ad Dakhiliyah token pulled Muscat's %s", c.RowID)
		}
	}
	// Muscat's laptop still has Aisha as it made her, and still owns her.
	muscat.sync()
	if p, ok := muscat.person(aisha); !ok || p.Phone != "+96891234567" || p.Governorate != "OM-MA" {
		t.Fatalf("Muscat's Aisha after the attacks: %+v %v", p, ok)
	}
	muscat.must("people", "edit", aisha, "--phone", "91234500")
	if r := muscat.sync(); r.Applied != 1 || r.Rejected != 0 {
		t.Fatalf("Muscat's own edit after the attacks: %+v", r)
	}

	// A move by the laptop of both governorates: Muscat drops its copy,
	// Ad Dakhiliyah gets it.
	both.sync()
	both.must("people", "edit", moved, "--governorate", "OM-DA")
	if r := both.sync(); r.Applied != 1 {
		t.Fatalf("the move: %+v", r)
	}
	muscat.sync()
	if _, ok := muscat.person(moved); ok {
		t.Error("Muscat's laptop still holds the person who moved to Ad Dakhiliyah")
	}
	dakh.sync()
	if p, ok := dakh.person(moved); !ok || p.Governorate != "OM-DA" {
		t.Errorf("Ad Dakhiliyah's laptop after the move: %+v %v", p, ok)
	}
}

func hostilePush(t *testing.T, base, token string, ops []protocol.Op) protocol.PushResponse {
	t.Helper()
	body, err := json.Marshal(protocol.PushRequest{Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+protocol.PathPush, &gz)
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+token)
	var out protocol.PushResponse
	hostileDo(t, req, &out)
	if len(out.Results) != len(ops) {
		t.Fatalf("%d results for %d ops", len(out.Results), len(ops))
	}
	return out
}

func hostileGet(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	hostileDo(t, req, out)
}

func hostileDo(t *testing.T, req *http.Request, out any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rd io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	}
	b, _ := io.ReadAll(rd)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(fmt.Errorf("%s: %w: %s", req.URL.Path, err, b))
	}
}

// A laptop's database restored from a backup (which holds no sync token)
// enrols again with a new code, as the same device, and syncs; the token
// of the copy it replaced stops working.
func TestRestoredBackupEnrolsAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	h := startHQ(t, filepath.Join(t.TempDir(), "hq.db"), "127.0.0.1:0")
	defer h.stop()
	d := newDevice(t, "nizwa")
	d.enrol(h, "OM-DA")
	noor := d.addPerson("Noor Al Hinai", "OM-DA")
	d.sync()
	backup := filepath.Join(t.TempDir(), "restored.db")
	d.must("backup", backup)
	// The restored copy, with the device's key next to it (the key is a
	// file of its own, never in the backup).
	key, err := os.ReadFile(d.db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup+".key", key, 0o600); err != nil {
		t.Fatal(err)
	}
	r := &dev{t: t, name: "nizwa-restored", db: backup}
	if code, out, errs := r.run("sync"); code == 0 || !strings.Contains(out+errs, "enrol") {
		t.Fatalf("a restored backup's sync: exit %d, %s%s", code, out, errs)
	}
	code := h.admin("enrol", "--governorate", "OM-DA", "--name", "nizwa again")
	var res struct {
		DeviceID string `json:"device_id"`
	}
	r.json(&res, "enrol", "--hq", h.url(), "--code", code)
	if res.DeviceID != d.id {
		t.Fatalf("enrolled again as %q, want the same device %q", res.DeviceID, d.id)
	}
	r.must("people", "edit", noor, "--phone", "91234567")
	if rep := r.sync(); rep.Applied != 1 {
		t.Fatalf("the restored laptop's sync: %+v", rep)
	}
	// The copy it replaced holds the old token: refused.
	if code, _, _ := d.run("sync"); code == 0 {
		t.Error("the old copy's token still syncs")
	}
}
