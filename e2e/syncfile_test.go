package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// people lists a device's people, id and English name, sorted.
func (d *dev) people() []string {
	d.t.Helper()
	var out struct {
		Results []struct {
			ID     string `json:"id"`
			NameEn string `json:"name_en"`
		} `json:"results"`
	}
	_, s, _ := d.run("people", "search", "--limit", "0", "--json")
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		d.t.Fatalf("people search: %v\n%s", err, s)
	}
	var ids []string
	for _, r := range out.Results {
		ids = append(ids, r.ID+" "+r.NameEn)
	}
	sort.Strings(ids)
	return ids
}

// Sync with no network between the device and HQ, with the real programs:
// a device edits and writes a sync file on a "stick"; safeer-hq sync import
// reads it at HQ while another device syncs over the network; the reply
// goes back and the device is then as HQ is. A third device relays a
// fourth's file over its own link. A damaged file and a reply loaded
// twice are said in words, in Arabic under an Arabic locale.
func TestSyncByFileEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	dir := t.TempDir()
	h := startHQ(t, filepath.Join(dir, "hq.db"), "127.0.0.1:0")
	field := newDevice(t, "field")
	field.enrol(h, "OM-MA")
	net := newDevice(t, "net")
	net.enrol(h, "OM-MA")
	carrier := newDevice(t, "carrier")
	carrier.enrol(h, "OM-DA")
	far := newDevice(t, "far")
	far.enrol(h, "OM-MA")

	// Offline edits on the field device (it never syncs by network below).
	var mine []string
	for _, n := range []string{"Aisha Al Balushi", "Salim Al Harthy", "Maryam Al Rawahi"} {
		mine = append(mine, field.addPerson(n, "OM-MA"))
	}
	stick := filepath.Join(dir, "stick")
	os.Mkdir(stick, 0o755)
	var exp struct {
		Path string `json:"path"`
		Ops  int    `json:"ops"`
	}
	field.json(&exp, "sync", "export", "--out", stick)
	if exp.Ops < 3 || !strings.HasPrefix(exp.Path, stick) {
		t.Fatalf("export: %+v", exp)
	}

	// Meanwhile, by network.
	theirs := net.addPerson("Khalid Al Kindi", "OM-MA")
	if r := net.sync(); r.Applied != 1 {
		t.Fatalf("network sync: %+v", r)
	}

	// At HQ (the server still running on the same database).
	replies := filepath.Join(dir, "replies")
	os.Mkdir(replies, 0o755)
	out := h.admin("sync", "import", exp.Path, "--reply-dir", replies)
	if !strings.Contains(out, "changes taken, 0 refused") {
		t.Fatalf("safeer-hq sync import: %s", out)
	}
	again := h.admin("sync", "import", exp.Path, "--reply-dir", replies)
	if !strings.Contains(again, "read before: nothing changed") {
		t.Errorf("the same file again: %s", again)
	}
	reply := filepath.Join(replies, strings.TrimSuffix(filepath.Base(exp.Path), ".safeer-sync")+".safeer-reply")

	// A damaged reply first: refused in words, nothing changed.
	b, err := os.ReadFile(reply)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.safeer-reply")
	b2 := append([]byte(nil), b...)
	b2[len(b2)/2] ^= 1
	os.WriteFile(bad, b2, 0o644)
	code, _, stderr := field.runIn("ar_OM.UTF-8", "sync", "import", bad)
	if code != 1 || !strings.Contains(stderr, "تالف") {
		t.Errorf("damaged reply: %d %q", code, stderr)
	}
	if s := field.status(); s.OpsWaiting < 3 {
		t.Errorf("a refused reply acknowledged ops: %+v", s)
	}

	var rep struct {
		Acked  int `json:"acked"`
		Pulled int `json:"pulled"`
		Again  bool
	}
	field.json(&rep, "sync", "import", reply)
	if rep.Acked != exp.Ops || rep.Pulled == 0 {
		t.Fatalf("import reply: %+v", rep)
	}
	if _, ok := field.person(theirs); !ok {
		t.Error("the reply did not bring the network device's person")
	}
	if s := field.status(); s.OpsWaiting != 0 {
		t.Errorf("after the reply: %d ops waiting", s.OpsWaiting)
	}
	field.json(&rep, "sync", "import", reply)
	if !rep.Again {
		t.Errorf("a reply loaded twice is not said so: %+v", rep)
	}

	// The network device gets the field device's people; both are as HQ is.
	net.sync()
	for _, id := range mine {
		if _, ok := net.person(id); !ok {
			t.Errorf("person %s from the file did not reach the network device", id)
		}
	}
	if a, n := field.people(), net.people(); strings.Join(a, "\n") != strings.Join(n, "\n") || len(a) != 4 {
		t.Errorf("field and network devices differ:\n%v\n%v", a, n)
	}

	// The relay: far writes a file, the carrier takes it to HQ over its
	// own link and brings the reply back next to it.
	farPerson := far.addPerson("Huda Al Shukaili", "OM-MA")
	relay := filepath.Join(dir, "relay")
	os.Mkdir(relay, 0o755)
	far.json(&exp, "sync", "export", "--out", relay)
	carrier.must("sync", "relay", relay)
	far.json(&rep, "sync", "import", strings.TrimSuffix(exp.Path, ".safeer-sync")+".safeer-reply")
	if rep.Acked != exp.Ops {
		t.Errorf("relayed reply: %+v", rep)
	}
	net.sync()
	if _, ok := net.person(farPerson); !ok {
		t.Error("the relayed person did not reach HQ")
	}
	if a, n := far.people(), net.people(); strings.Join(a, "\n") != strings.Join(n, "\n") {
		t.Errorf("the relayed device differs from the network one:\n%v\n%v", a, n)
	}
	if _, ok := carrier.person(farPerson); ok {
		t.Error("the carrier (another governorate) got the person it carried")
	}
}
