// Package e2e_test runs Safeer's two real programs on loopback: safeer-hq
// serving its sync API on a SQLite file, and safeer devices enrolled with
// it, edited, synced, and revoked, all through their command lines.
package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/protected"
)

var bin struct{ safeer, hq string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "safeer-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin.safeer = filepath.Join(dir, "safeer")
	bin.hq = filepath.Join(dir, "safeer-hq")
	if runtime.GOOS == "windows" {
		bin.safeer += ".exe"
		bin.hq += ".exe"
	}
	for out, pkg := range map[string]string{bin.safeer: "../cmd/safeer", bin.hq: "../cmd/safeer-hq"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n", pkg, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hqProc is a running safeer-hq serve.
type hqProc struct {
	t    *testing.T
	db   string
	addr string
	cmd  *exec.Cmd
	done chan error
}

var listening = regexp.MustCompile(`addr=([0-9.]+:[0-9]+)`)

// startHQ serves db on addr (127.0.0.1:0 for a free port) and waits until
// it listens.
func startHQ(t *testing.T, db, addr string, extra ...string) *hqProc {
	t.Helper()
	cmd := exec.Command(bin.hq, append([]string{"serve", "--addr", addr, "--db", db}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hqProc{t: t, db: db, cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
			if testing.Verbose() {
				t.Logf("safeer-hq: %s", line)
			}
		}
		h.done <- cmd.Wait()
	}()
	select {
	case h.addr = <-found:
	case err := <-h.done:
		t.Fatalf("safeer-hq serve exited: %v", err)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("safeer-hq serve did not start listening")
	}
	t.Cleanup(h.stop)
	return h
}

func (h *hqProc) url() string { return "http://" + h.addr }

// stop asks the server to shut down (SIGTERM), killing it if it lingers.
func (h *hqProc) stop() {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(15 * time.Second):
		h.cmd.Process.Kill()
		<-h.done
	}
}

// admin runs a safeer-hq command on the server's database.
func (h *hqProc) admin(args ...string) string {
	h.t.Helper()
	cmd := exec.Command(bin.hq, append(args, "--db", h.db)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		h.t.Fatalf("safeer-hq %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String())
}

// dev is one device: a database file driven through the safeer command.
type dev struct {
	t    *testing.T
	name string
	db   string
	id   string
}

// newDevice is a new computer: its database made encrypted, as the first
// command would, but with the test databases' cheap argon2id
// (internal/testharness/protected); every command gives it the passphrase
// (safeerCommand).
func newDevice(t *testing.T, name string) *dev {
	d := &dev{t: t, name: name, db: filepath.Join(t.TempDir(), name+".db")}
	if err := protected.Create(context.Background(), d.db); err != nil {
		t.Fatal(err)
	}
	return d
}

// safeerCommand is the real safeer on the database db, under locale (LANG
// and LC_ALL), with the test passphrase given as a script gives it
// (--passphrase-env): every run of safeer in these tests is made here.
func safeerCommand(ctx context.Context, db, locale string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin.safeer, append(append([]string{"--db", db}, protected.Args()...), args...)...)
	cmd.Env = append(os.Environ(), protected.Env(), "LANG="+locale, "LC_ALL="+locale)
	return cmd
}

// openDevice opens a device's database in this process, unlocked, as the
// tests read and edit it between runs of safeer.
func openDevice(ctx context.Context, db string) (*data.Store, error) {
	return protected.Open(ctx, db)
}

// run runs safeer on the device's database and returns exit code, stdout
// and stderr.
func (d *dev) run(args ...string) (int, string, string) {
	d.t.Helper()
	return d.runIn("C.UTF-8", args...)
}

// runIn runs safeer under locale (LANG and LC_ALL): its messages come in
// that locale's language (Arabic for ar_*, English otherwise).
func (d *dev) runIn(locale string, args ...string) (int, string, string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := safeerCommand(ctx, d.db, locale, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("run safeer: %v", err)
	}
	return code, out.String(), errb.String()
}

func (d *dev) must(args ...string) string {
	d.t.Helper()
	code, out, errs := d.run(args...)
	if code != 0 {
		d.t.Fatalf("%s: safeer %v: exit %d\n%s%s", d.name, args, code, out, errs)
	}
	return out
}

func (d *dev) json(v any, args ...string) {
	d.t.Helper()
	out := d.must(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		d.t.Fatalf("%s: safeer %v: not JSON: %v\n%s", d.name, args, err, out)
	}
}

func (d *dev) enrol(h *hqProc, govs ...string) {
	d.t.Helper()
	args := []string{"enrol"}
	for _, g := range govs {
		args = append(args, "--governorate", g)
	}
	code := h.admin(append(args, "--name", d.name)...)
	var res struct {
		DeviceID     string   `json:"device_id"`
		Governorates []string `json:"governorates"`
	}
	d.json(&res, "enrol", "--hq", h.url(), "--code", code, "--name", d.name)
	if res.DeviceID == "" || strings.Join(res.Governorates, ",") != strings.Join(govs, ",") {
		d.t.Fatalf("%s enrolled as %+v", d.name, res)
	}
	d.id = res.DeviceID
}

type report struct {
	Pushed    int    `json:"pushed"`
	Applied   int    `json:"applied"`
	Duplicate int    `json:"duplicate"`
	Conflict  int    `json:"conflict"`
	Rejected  int    `json:"rejected"`
	Pulled    int    `json:"pulled"`
	Cursor    string `json:"cursor"`
	Resynced  bool   `json:"resynced"`
}

func (d *dev) sync() report {
	d.t.Helper()
	var r report
	d.json(&r, "sync")
	return r
}

type status struct {
	Enrolled         bool      `json:"enrolled"`
	Online           bool      `json:"online"`
	OpsWaiting       int       `json:"ops_waiting"`
	ConflictsWaiting int       `json:"conflicts_waiting"`
	RejectedOps      int       `json:"rejected_ops"`
	Revoked          bool      `json:"revoked"`
	HQ               *struct { // what HQ knows of the device, when it answered
		LastPush         *time.Time `json:"last_push"`
		PendingConflicts int        `json:"pending_conflicts"`
		Cursor           string     `json:"cursor"`
	} `json:"hq"`
	Problem *struct {
		Code string `json:"code"`
		En   string `json:"en"`
		Ar   string `json:"ar"`
	} `json:"problem"`
}

func (d *dev) status() status {
	d.t.Helper()
	var s status
	d.json(&s, "sync", "status")
	return s
}

func (d *dev) addPerson(nameEn, gov string, more ...string) string {
	d.t.Helper()
	var r struct{ ID string }
	d.json(&r, append([]string{"people", "add", "--name-en", nameEn, "--governorate", gov}, more...)...)
	return r.ID
}

type person struct {
	ID          string `json:"id"`
	NameEn      string `json:"name_en"`
	Phone       string `json:"phone"`
	Governorate string `json:"governorate"`
}

// person returns a person, or ok false when the device does not have them.
func (d *dev) person(id string) (person, bool) {
	d.t.Helper()
	code, out, _ := d.run("people", "show", id, "--json")
	if code != 0 {
		return person{}, false
	}
	var r struct{ Person person }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		d.t.Fatalf("people show: %v\n%s", err, out)
	}
	return r.Person, true
}

func TestTwoGovernoratesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	hqDB := filepath.Join(t.TempDir(), "hq.db")
	h := startHQ(t, hqDB, "127.0.0.1:0")

	// Muscat's coordinator, Ad Dakhiliyah's, and a second laptop in Muscat.
	muscat, dakh, muscat2 := newDevice(t, "muscat"), newDevice(t, "dakhiliyah"), newDevice(t, "muscat-2")
	muscat.enrol(h, "OM-MA")
	dakh.enrol(h, "OM-DA")
	muscat2.enrol(h, "OM-MA")

	// Offline edits on both sides.
	salim := muscat.addPerson("Salim Al Harthy", "OM-MA", "--phone", "91234567")
	var ws struct{ ID string }
	muscat.json(&ws, "workshops", "add", "--title-en", "Smart parking", "--date", "2026-12-01", "--hours", "3", "--governorate", "OM-MA")
	muscat.must("attend", ws.ID, salim)
	noor := dakh.addPerson("Noor Al Hinai", "OM-DA")
	// Muscat's device may not write Ad Dakhiliyah's roster: refused, kept.
	stray := muscat.addPerson("Stray", "OM-DA")

	r := muscat.sync()
	if r.Pushed != 4 || r.Applied != 3 || r.Rejected != 1 {
		t.Fatalf("muscat's first sync: %+v", r)
	}
	if r := dakh.sync(); r.Applied != 1 {
		t.Fatalf("dakhiliyah's first sync: %+v", r)
	}
	if r := muscat2.sync(); r.Pulled < 3 {
		t.Fatalf("muscat-2 pulled %+v", r)
	}
	muscat.sync()

	// Each side holds its governorate's people, and only those.
	if p, ok := muscat2.person(salim); !ok || p.Phone != "+96891234567" {
		t.Fatalf("muscat-2 does not have Salim: %+v", p)
	}
	if _, ok := muscat.person(noor); ok {
		t.Fatal("Muscat's device got Ad Dakhiliyah's person")
	}
	if _, ok := dakh.person(salim); ok {
		t.Fatal("Ad Dakhiliyah's device got Muscat's person")
	}
	if _, ok := muscat2.person(stray); ok {
		t.Fatal("a refused person reached another device")
	}
	var shown struct {
		Attendance []struct {
			Person person `json:"person"`
		} `json:"attendance"`
	}
	muscat2.json(&shown, "workshops", "show", ws.ID)
	if len(shown.Attendance) != 1 || shown.Attendance[0].Person.ID != salim {
		t.Fatalf("muscat-2's workshop attendance %+v", shown)
	}
	if s := muscat.status(); s.RejectedOps != 1 || s.OpsWaiting != 0 || !s.Online {
		t.Fatalf("muscat status %+v", s)
	}

	// The same field edited on both Muscat laptops: the later edit wins,
	// the earlier is in the conflict log on both, and a person settles it.
	muscat.must("people", "edit", salim, "--phone", "92222222")
	time.Sleep(20 * time.Millisecond)
	muscat2.must("people", "edit", salim, "--phone", "93333333")
	muscat2.sync()
	if r := muscat.sync(); r.Conflict != 1 {
		t.Fatalf("muscat's conflicting sync: %+v", r)
	}
	muscat2.sync()
	for _, d := range []*dev{muscat, muscat2} {
		if p, _ := d.person(salim); p.Phone != "+96893333333" {
			t.Fatalf("%s: phone %s, want the later edit", d.name, p.Phone)
		}
		if s := d.status(); s.ConflictsWaiting != 1 || s.HQ == nil || s.HQ.PendingConflicts != 1 || s.HQ.LastPush == nil || s.HQ.Cursor == "" {
			t.Fatalf("%s: %d conflicts waiting, HQ's view %+v", d.name, s.ConflictsWaiting, s.HQ)
		}
	}
	var conflicts []struct {
		ID     string `json:"id"`
		Field  string `json:"field"`
		Winner any    `json:"winner"`
		Loser  any    `json:"loser"`
	}
	muscat.json(&conflicts, "conflicts")
	if len(conflicts) != 1 || conflicts[0].Field != "phone" || conflicts[0].Loser != "+96892222222" {
		t.Fatalf("conflicts %+v", conflicts)
	}
	muscat.must("conflicts", "resolve", conflicts[0].ID, "--take", "loser")
	muscat.sync()
	muscat2.sync()
	for _, d := range []*dev{muscat, muscat2} {
		if p, _ := d.person(salim); p.Phone != "+96892222222" {
			t.Fatalf("%s: phone %s after resolving", d.name, p.Phone)
		}
		if s := d.status(); s.ConflictsWaiting != 0 {
			t.Fatalf("%s: %d conflicts still waiting", d.name, s.ConflictsWaiting)
		}
	}

	// HQ restarts between two syncs: nothing is lost, nothing doubled.
	muscat.must("people", "edit", salim, "--notes", "met at the workshop")
	h.stop()
	if code, _, errs := muscat.run("sync"); code == 0 || !strings.Contains(errs, "cannot be reached") {
		t.Fatalf("sync with HQ down: exit %d\n%s", code, errs)
	}
	if s := muscat.status(); s.OpsWaiting != 1 || s.Online || s.HQ != nil {
		t.Fatalf("muscat with HQ down: %+v", s)
	}
	h = startHQ(t, hqDB, h.addr)
	if r := muscat.sync(); r.Applied != 1 {
		t.Fatalf("sync after HQ's restart: %+v", r)
	}

	// HQ revokes Ad Dakhiliyah's device: it stops, keeps its data and its
	// outbox, and says so.
	h.admin("revoke", dakh.id)
	dakh.addPerson("Written after revocation", "OM-DA")
	// The command line speaks the locale's language, one at a time.
	code, _, errs := dakh.run("sync")
	if code != 1 || !strings.Contains(errs, "revoked") {
		t.Fatalf("revoked sync: exit %d\n%s", code, errs)
	}
	code, _, errs = dakh.runIn("ar_OM.UTF-8", "sync")
	if code != 1 || !strings.Contains(errs, "ألغى") {
		t.Fatalf("revoked sync under ar_OM: exit %d\n%s", code, errs)
	}
	s := dakh.status()
	if !s.Revoked || s.OpsWaiting != 1 || s.Problem == nil || s.Problem.Code != "revoked" {
		t.Fatalf("revoked device status %+v", s)
	}
	if _, ok := dakh.person(noor); !ok {
		t.Fatal("the revoked device lost its data")
	}
	// The others are not affected.
	if r := muscat2.sync(); r.Pulled == 0 {
		t.Fatalf("muscat-2 after the revocation: %+v", r)
	}
	if p, _ := muscat2.person(salim); p.Phone != "+96892222222" {
		t.Fatalf("muscat-2: %+v", p)
	}
	var devices []map[string]any
	if err := json.Unmarshal([]byte(h.admin("devices", "--json")), &devices); err != nil || len(devices) != 3 {
		t.Fatalf("devices %v: %v", devices, err)
	}
}

// copyDB copies a stopped server's SQLite database (and its WAL, if any).
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(to + suffix)
		b, err := os.ReadFile(from + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHQRestoredFromBackup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	dir := t.TempDir()
	hqDB, backup := filepath.Join(dir, "hq.db"), filepath.Join(dir, "backup.db")
	h := startHQ(t, hqDB, "127.0.0.1:0")
	a, b := newDevice(t, "a"), newDevice(t, "b")
	a.enrol(h, "OM-MA")
	b.enrol(h, "OM-MA")
	first := a.addPerson("Before the backup", "OM-MA")
	a.sync()
	b.sync()

	h.stop()
	copyDB(t, hqDB, backup)
	h = startHQ(t, hqDB, h.addr)

	// Acknowledged by HQ after the backup was taken: gone from A's outbox.
	second := a.addPerson("After the backup", "OM-MA")
	a.must("people", "edit", first, "--phone", "92222222")
	if r := a.sync(); r.Applied != 2 {
		t.Fatalf("sync: %+v", r)
	}
	// B edits offline meanwhile.
	third := b.addPerson("B offline", "OM-MA")

	// HQ's disk fails; it is restored from the backup and given a new epoch.
	h.stop()
	copyDB(t, backup, hqDB)
	h.admin("reset-epoch")
	h = startHQ(t, hqDB, h.addr)

	r := a.sync()
	if !r.Resynced {
		t.Fatalf("A's sync after the restore: %+v", r)
	}
	if s := a.status(); s.OpsWaiting != 0 {
		t.Fatalf("A's outbox after the resync: %d", s.OpsWaiting)
	}
	if r := b.sync(); !r.Resynced {
		t.Fatalf("B's sync after the restore: %+v", r)
	}
	a.sync()
	// Everything written anywhere is everywhere: nothing the restore lost
	// stays lost, no unsent edit was dropped.
	for _, d := range []*dev{a, b} {
		for _, id := range []string{first, second, third} {
			if _, ok := d.person(id); !ok {
				t.Fatalf("%s lacks %s after the restore", d.name, id)
			}
		}
		if p, _ := d.person(first); p.Phone != "+96892222222" {
			t.Fatalf("%s: phone %q, the edit HQ lost did not come back", d.name, p.Phone)
		}
	}
}
