package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// fileWorld is a real HQ (SQLite on disk, on loopback) and the means to
// read sync files at it as safeer-hq sync import does: a second hq.Server
// over the same database.
type fileWorld struct {
	t   *testing.T
	hq  *synccheck.HQ
	srv *hq.Server
	dir string
}

func newFileWorld(t *testing.T) *fileWorld {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "hq.db")
	h, err := synccheck.StartHQ(context.Background(), func(ctx context.Context) (hq.Store, error) { return sqlite.Open(ctx, path) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	srv, err := hq.NewServer(context.Background(), h.Store(), h.Key, hq.Options{Logger: synccheck.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	return &fileWorld{t: t, hq: h, srv: srv, dir: dir}
}

func (w *fileWorld) device(name string, govs ...string) *synccheck.Device {
	w.t.Helper()
	d, err := synccheck.NewDevice(context.Background(), w.hq, "", w.dir, name, govs, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { d.Close() })
	return d
}

// export writes d's request into the world's folder.
func (w *fileWorld) export(d *synccheck.Device) (string, client.ExportReport) {
	w.t.Helper()
	rep, err := d.Client.ExportTo(context.Background(), w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	return rep.Path, rep
}

// importAtHQ reads a request at HQ and writes the reply next to it.
func (w *fileWorld) importAtHQ(path string) (string, *hq.SyncImport) {
	w.t.Helper()
	f, err := os.Open(path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var reply bytes.Buffer
	res, err := w.srv.ImportSyncFile(context.Background(), f, &reply, hq.CLI)
	if err != nil {
		w.t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(path), syncfile.ReplyNameFor(path))
	if err := syncfile.WriteFile(out, reply.Bytes()); err != nil {
		w.t.Fatal(err)
	}
	return out, res
}

// converged fails unless d holds exactly HQ's rows of its scope.
func (w *fileWorld) converged(d *synccheck.Device) {
	w.t.Helper()
	ctx := context.Background()
	hd, err := synccheck.HQDump(ctx, w.hq.Store(), d.Govs)
	if err != nil {
		w.t.Fatal(err)
	}
	dd, err := synccheck.DeviceDump(ctx, d.Store)
	if err != nil {
		w.t.Fatal(err)
	}
	if diffs := synccheck.Compare(hd, dd); len(diffs) > 0 {
		w.t.Fatalf("%s differs from HQ in %d ways, e.g. %s", d.Name, len(diffs), strings.Join(diffs[:min(5, len(diffs))], "; "))
	}
	if n, _ := d.Store.OutboxLen(ctx); n != 0 {
		w.t.Fatalf("%s has %d ops still queued", d.Name, n)
	}
}

// snapshot is what a refused or stale file must leave alone.
type snapshot struct {
	dump   synccheck.Dump
	outbox int
	cursor string
	runs   int
}

func snap(t *testing.T, d *synccheck.Device) snapshot {
	t.Helper()
	ctx := context.Background()
	dump, err := synccheck.DeviceDump(ctx, d.Store)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := d.Store.OutboxLen(ctx)
	st, _ := d.Store.SyncState(ctx)
	runs, _ := d.Store.SyncLog(ctx, 1000)
	return snapshot{dump, n, st.Cursor, len(runs)}
}

func (s snapshot) same(t *testing.T, o snapshot, what string) {
	t.Helper()
	if d := synccheck.Compare(s.dump, o.dump); len(d) > 0 || s.outbox != o.outbox || s.cursor != o.cursor || s.runs != o.runs {
		t.Errorf("%s changed the device: %d row differences, outbox %d → %d, cursor %s → %s, history %d → %d runs",
			what, len(d), s.outbox, o.outbox, s.cursor, o.cursor, s.runs, o.runs)
	}
}

// A device with no link edits, writes its request; HQ reads it (while
// another device syncs by network), and the reply brought back makes the
// device equal to HQ, with the run in its history like a network one.
func TestSyncByFile(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	net := w.device("net", "OM-MA")
	if err := synccheck.ImportRoster(ctx, field.Store, 40, 1, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	if err := synccheck.ImportRoster(ctx, net.Store, 30, 2, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	path, exp := w.export(field)
	if exp.Ops == 0 || exp.Bytes == 0 || !syncfile.IsRequestName(path) {
		t.Fatalf("export: %+v", exp)
	}
	replyPath, res := w.importAtHQ(path)
	if res.Counts.Applied != exp.Ops || res.Counts.Pulled == 0 {
		t.Fatalf("at HQ: %+v", res.Counts)
	}
	rep, err := field.Client.Import(ctx, replyPath)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Again || rep.Stale || rep.Acked != exp.Ops || rep.Pulled == 0 {
		t.Fatalf("reply: %+v", rep)
	}
	w.converged(field)
	runs, _ := field.Store.SyncLog(ctx, 10)
	if len(runs) == 0 || runs[0].Trigger != client.TriggerFile || runs[0].ErrorCode != "" || runs[0].Applied != exp.Ops {
		t.Errorf("history: %+v", runs)
	}
	st, _ := field.Store.SyncState(ctx)
	if st.LastSyncAt.IsZero() {
		t.Error("a file sync is not the last sync")
	}
	// Then by network again, as if nothing happened: nothing to move.
	if r, err := field.Client.Sync(ctx); err != nil || r.Pushed != 0 || r.Pulled != 0 {
		t.Errorf("network after file: %+v %v", r, err)
	}

	// The same reply again: nothing changes, and it says so.
	before := snap(t, field)
	again, err := field.Client.Import(ctx, replyPath)
	if err != nil || !again.Again || again.Message().Code != "syncfile.reply_again" {
		t.Errorf("reply twice: %+v %v", again, err)
	}
	before.same(t, snap(t, field), "a reply loaded twice")
}

// A reply that comes back after a newer sync by network changes nothing:
// its ops are acknowledged already and its pages are behind the cursor.
func TestOldReplyAfterNewerSync(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	other := w.device("other", "OM-MA")
	if err := synccheck.ImportRoster(ctx, field.Store, 10, 3, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	path, _ := w.export(field)
	replyPath, _ := w.importAtHQ(path)
	// Newer news, and the device syncs by network before the reply is back.
	if err := synccheck.ImportRoster(ctx, other.Store, 5, 4, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := field.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	w.converged(field)
	before := snap(t, field)
	rep, err := field.Client.Import(ctx, replyPath)
	if err != nil || !rep.Stale || rep.Changed() || rep.Message().Code != "syncfile.reply_stale" {
		t.Errorf("old reply: %+v %v", rep, err)
	}
	before.same(t, snap(t, field), "an old reply")
	w.converged(field)
}

// A reply ahead of a network sync that came in between: only its pages
// ahead of the cursor are applied, the cursor never goes back.
func TestReplyPartlyAhead(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	other := w.device("other", "OM-MA")
	if err := synccheck.ImportRoster(ctx, field.Store, 10, 5, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	path, _ := w.export(field)
	// The device syncs by network first (its ops go, the cursor moves),
	// then another device's news, then HQ reads the older file.
	if _, err := field.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := synccheck.ImportRoster(ctx, other.Store, 7, 6, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	replyPath, res := w.importAtHQ(path)
	if res.Counts.Duplicate != 10 {
		t.Errorf("at HQ: %+v", res.Counts)
	}
	rep, err := field.Client.Import(ctx, replyPath)
	if err != nil || rep.Acked != 0 || rep.Ignored != 10 || rep.Pulled == 0 {
		t.Errorf("reply: %+v %v", rep, err)
	}
	w.converged(field)
}

// Files the device must refuse, each with its message, nothing changed.
func TestBadReplies(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	second := w.device("second", "OM-MA")
	for _, d := range []*synccheck.Device{field, second} {
		if err := synccheck.ImportRoster(ctx, d.Store, 3, 7, "OM-MA"); err != nil {
			t.Fatal(err)
		}
	}
	path, _ := w.export(field)
	replyPath, _ := w.importAtHQ(path)
	otherPath, _ := w.export(second)
	otherReply, _ := w.importAtHQ(otherPath)
	good, _ := os.ReadFile(replyPath)
	changed := bytes.Clone(good)
	changed[len(changed)/2] ^= 0x20
	// A reply signed by someone else than HQ, sealed to this device.
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	devKey, err := loadKey(field)
	if err != nil {
		t.Fatal(err)
	}
	var forged bytes.Buffer
	if err := syncfile.SealReply(&forged, &syncfile.Reply{FileID: "f", InReplyTo: "x", DeviceID: field.Store.DeviceID()},
		forger, devKey.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	// A request where a reply belongs.
	own, _ := os.ReadFile(path)
	cases := map[string]struct {
		file []byte
		want message.Code
	}{
		"truncated":            {good[:40], syncfile.Truncated},
		"one byte changed":     {changed, syncfile.Damaged},
		"another device's":     {mustRead(t, otherReply), syncfile.WrongRecipient},
		"its own request":      {own, syncfile.WrongRecipient},
		"not signed by HQ":     {forged.Bytes(), syncfile.BadSignature},
		"not a sync file":      {[]byte("name,phone\nAisha,+96891234567\n"), syncfile.NotSyncFile},
		"nothing":              {nil, syncfile.Truncated},
		"a newer Safeer's one": {newerVersion(t, field, devKey), syncfile.NewerVersion},
	}
	before := snap(t, field)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := field.Client.ImportReply(ctx, bytes.NewReader(c.file))
			var fe *syncfile.Error
			if !errors.As(err, &fe) || fe.Code() != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
			m, ok := message.Find(err)
			if !ok || m.In(message.Arabic) == "" || m.In(message.Arabic) == m.English() {
				t.Errorf("no Arabic message: %v", err)
			}
		})
	}
	before.same(t, snap(t, field), "refused replies")
}

// newerVersion is a reply as a newer Safeer would seal it: HQ's key,
// this device, format version 2.
func newerVersion(t *testing.T, d *synccheck.Device, devKey ed25519.PrivateKey) []byte {
	t.Helper()
	// The sealed content as syncfile lays it out, with version 2.
	content := []byte("SAFEER SYNC\n")
	content = binary.BigEndian.AppendUint16(content, 2)
	content = append(content, 2, 2, 'h', 'q')
	content = append(content, devKey.Public().(ed25519.PublicKey)...)
	content = binary.BigEndian.AppendUint32(content, 0)
	content = append(content, make([]byte, ed25519.SignatureSize)...)
	sk, err := ssh.NewPublicKey(devKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	r, err := agessh.NewEd25519Recipient(sk)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	aw, err := age.Encrypt(&b, r)
	if err != nil {
		t.Fatal(err)
	}
	aw.Write(content)
	aw.Close()
	return b.Bytes()
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadKey(d *synccheck.Device) (ed25519.PrivateKey, error) {
	return certificate.LoadOrCreateKey(d.Store.KeyPath())
}

// A device that is not enrolled, or was revoked, writes no request.
func TestExportRefused(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	loose, err := data.Open(ctx, filepath.Join(w.dir, "loose.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	var b bytes.Buffer
	_, err = client.New(loose).ExportRequest(ctx, &b)
	if m, ok := message.Find(err); !ok || m.Code != "syncfile.not_enrolled" || b.Len() != 0 {
		t.Errorf("not enrolled: %v", err)
	}
	d := w.device("gone", "OM-MA")
	if err := d.Store.MarkRevoked(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Client.ExportRequest(ctx, &b)
	if m, ok := message.Find(err); !ok || m.Code != "syncfile.device_revoked" || b.Len() != 0 {
		t.Errorf("revoked: %v", err)
	}
	if _, err := d.Client.Export(ctx, filepath.Join(w.dir, "no", "such", "folder", "x"+syncfile.RequestExt)); err == nil {
		t.Error("export into a missing folder succeeded")
	}
}

// The relay: a device with a link carries another's request to HQ and
// brings the reply back next to it; it cannot read either.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	carrier := w.device("carrier", "OM-DA")
	if err := synccheck.ImportRoster(ctx, field.Store, 12, 8, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	stick := filepath.Join(w.dir, "stick")
	os.Mkdir(stick, 0o755)
	rep, err := field.Client.ExportTo(ctx, stick)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(stick, "broken"+syncfile.RequestExt), []byte("not sealed"), 0o644)
	results, err := carrier.Client.Relay(ctx, stick)
	if err != nil || len(results) != 2 {
		t.Fatalf("relay: %+v %v", results, err)
	}
	var okOne client.RelayResult
	for _, r := range results {
		if strings.HasPrefix(filepath.Base(r.Path), "broken") {
			if r.Error == nil || r.Error.Code != syncfile.NotSyncFile {
				t.Errorf("broken file: %+v", r)
			}
			continue
		}
		okOne = r
	}
	if okOne.Reply == "" || okOne.Author != field.Store.DeviceID() || okOne.Path != rep.Path {
		t.Fatalf("relayed: %+v", okOne)
	}
	if _, err := field.Client.Import(ctx, okOne.Reply); err != nil {
		t.Fatal(err)
	}
	w.converged(field)
	if _, err := carrier.Client.Relay(ctx, t.TempDir()); err == nil {
		t.Error("relay of an empty folder said nothing")
	}
}

// A device whose cursor went back after it wrote its request (an upgrade
// that pulls everything again resets it) takes the reply's answers but
// not its pages, which would leave a gap before them; the next sync
// brings everything.
func TestReplyAfterCursorReset(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	other := w.device("other", "OM-MA")
	if err := synccheck.ImportRoster(ctx, other.Store, 6, 9, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := field.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := synccheck.ImportRoster(ctx, field.Store, 4, 10, "OM-MA"); err != nil {
		t.Fatal(err)
	}
	path, _ := w.export(field)
	replyPath, _ := w.importAtHQ(path)
	if err := field.Store.ResetSyncCursor(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := field.Client.Import(ctx, replyPath)
	if err != nil || rep.Acked != 4 || rep.Pages != 0 || rep.Skipped == 0 {
		t.Fatalf("reply after a reset: %+v %v", rep, err)
	}
	if st, _ := field.Store.SyncState(ctx); st.Cursor != "" {
		t.Errorf("the cursor moved to %q past a gap", st.Cursor)
	}
	if r, err := field.Client.Sync(ctx); err != nil || r.Pulled < 10 {
		t.Fatalf("network after: %+v %v", r, err)
	}
	w.converged(field)
}

// refusedOffline gives d two people synced with HQ, then, with d offline,
// an administrator moves the second to a governorate d is not enrolled
// for and d merges the first into them: HQ will refuse the merge (out of
// scope) for good, as TestRefusedOpGivesWayToHQ (package hq) has it by
// network.
func refusedOffline(t *testing.T, w *fileWorld, d *synccheck.Device) (p, q safeer.Person) {
	t.Helper()
	ctx := context.Background()
	p = safeer.Person{NameEn: "Salim " + d.Name, Governorate: "OM-MA", Phone: "91234567"}
	q = safeer.Person{NameEn: "Salim A. " + d.Name, Governorate: "OM-MA"}
	for _, x := range []*safeer.Person{&p, &q} {
		if err := d.Store.AddPerson(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Edit(ctx, func(e *hq.EditTx) error {
		_, err := e.Set("person", q.ID, map[string]any{"governorate": "OM-DA"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.MergePeople(ctx, p.ID, q.ID, nil); err != nil {
		t.Fatal(err)
	}
	return p, q
}

// An op HQ refuses in a file sync gives way to HQ's copy as after a
// network sync: the reply carries HQ's copy of the refused rows, and the
// device equals HQ once it is loaded, with its cursor where the reply put
// it (nothing to pull again). A reply without that copy (Refused absent)
// leaves the cursor at the start, so the next sync, here by file, brings
// everything and the device equals HQ then.
func TestRefusedByFileGivesWay(t *testing.T) {
	ctx := context.Background()
	w := newFileWorld(t)
	field := w.device("field", "OM-MA")
	p, _ := refusedOffline(t, w, field)
	path, _ := w.export(field)
	replyPath, res := w.importAtHQ(path)
	if res.Counts.Rejected == 0 {
		t.Fatalf("HQ took the merge into a person of another governorate: %+v", res.Counts)
	}
	rep, err := field.Client.Import(ctx, replyPath)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected == 0 || rep.TakenBack == 0 || rep.Full {
		t.Fatalf("reply: %+v", rep)
	}
	if rej, err := field.Store.RejectedOps(ctx, 10); err != nil || len(rej) == 0 {
		t.Fatalf("refused ops listed: %+v %v", rej, err)
	}
	got, err := field.Store.Person(ctx, p.ID)
	if err != nil || got.MergedInto != "" {
		t.Fatalf("after the refusal the device has %+v (%v); HQ has them not merged", got, err)
	}
	w.converged(field)
	if st, _ := field.Store.SyncState(ctx); st.Cursor != rep.Cursor || st.Cursor == "" {
		t.Fatalf("cursor %q, the reply's pages end at %q", st.Cursor, rep.Cursor)
	}
	if r, err := field.Client.Sync(ctx); err != nil || r.Pushed != 0 || r.Pulled != 0 || r.Rejected != 0 {
		t.Fatalf("network after the file: %+v %v", r, err)
	}
	w.converged(field)

	// A reply with no copy of the refused rows (Refused absent).
	old := w.device("old", "OM-MA")
	refusedOffline(t, w, old)
	path, _ = w.export(old)
	replyPath, _ = w.importAtHQ(path)
	key, err := loadKey(old)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(replyPath)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := syncfile.OpenReply(f, key, func(string) (ed25519.PublicKey, bool, error) {
		return w.hq.Key.Public().(ed25519.PublicKey), false, nil
	})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if reply.Refused == nil {
		t.Fatal("HQ's reply has no copy of the refused rows")
	}
	reply.Refused = nil
	var b bytes.Buffer
	if err := syncfile.SealReply(&b, reply, w.hq.Key, key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	rep, err = old.Client.ImportReply(ctx, &b)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TakenBack == 0 || !rep.Full {
		t.Fatalf("reply without the rows: %+v", rep)
	}
	if st, _ := old.Store.SyncState(ctx); st.Cursor != "" {
		t.Fatalf("cursor %q: the next sync would not pull everything", st.Cursor)
	}
	path, _ = w.export(old)
	replyPath, res = w.importAtHQ(path)
	if rep, err = old.Client.Import(ctx, replyPath); err != nil || res.Counts.Resync || rep.Pulled == 0 {
		t.Fatalf("the next file sync: %+v %+v %v", res.Counts, rep, err)
	}
	w.converged(old)
}
