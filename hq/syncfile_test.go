package hq_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// keyed is an enrolled device that keeps its private key, as a real one
// does (next to its database): it signs its sync files and opens HQ's
// replies with it.
type keyed struct {
	*device
	key ed25519.PrivateKey
}

func (e *env) enrolKeyed(govs ...string) *keyed {
	e.t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	id := uuid.NewString()
	var resp protocol.EnrolResponse
	if st := e.signedEnrol(protocol.EnrolRequest{Code: e.code(govs...), DeviceID: id}, key, &resp); st != 200 {
		e.t.Fatalf("enrol: status %d", st)
	}
	return &keyed{device: &device{e: e, id: id, token: resp.Token, pub: pub, revs: map[string]int64{},
		clock: protocol.NewClock(id, protocol.HLC{}, e.clock)}, key: key}
}

// request seals a request of the device with ops and its cursor.
func (d *keyed) request(ops ...protocol.Op) []byte {
	d.e.t.Helper()
	var b bytes.Buffer
	req := &syncfile.Request{FileID: uuid.NewString(), DeviceID: d.id, Created: d.e.clock(),
		Clock: d.clock.Now().String(), Cursor: d.cursor, Ops: ops}
	if err := syncfile.SealRequest(&b, req, d.key, d.e.key.Public().(ed25519.PublicKey)); err != nil {
		d.e.t.Fatal(err)
	}
	return b.Bytes()
}

// openReply opens a reply as the device and takes its cursor.
func (d *keyed) openReply(b []byte) *syncfile.Reply {
	d.e.t.Helper()
	r, err := syncfile.OpenReply(bytes.NewReader(b), d.key, func(a string) (ed25519.PublicKey, bool, error) {
		if a == syncfile.HQAuthor {
			return d.e.key.Public().(ed25519.PublicKey), false, nil
		}
		return nil, false, nil
	})
	if err != nil {
		d.e.t.Fatalf("open reply: %v", err)
	}
	if len(r.Pages) > 0 {
		d.cursor = r.Pages[len(r.Pages)-1].NextCursor
	}
	return r
}

func importFile(t *testing.T, e *env, file []byte) (*hq.SyncImport, []byte, error) {
	t.Helper()
	var reply bytes.Buffer
	res, err := e.srv.ImportSyncFile(ctx, bytes.NewReader(file), &reply, hq.CLI)
	return res, reply.Bytes(), err
}

func fileCode(t *testing.T, err error) message.Code {
	t.Helper()
	var fe *syncfile.Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *syncfile.Error", err)
	}
	return fe.Code()
}

// A request read at HQ is a push and a pull: its ops land under the same
// rules (one is out of scope), its reply carries every op's result and
// every change of the device's scope since its cursor, HQ's own included;
// and the same file read again changes nothing and hands out the same
// reply.
func TestImportSyncFile(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t))
		net := e.enrol(ma)
		field := e.enrolKeyed(ma)
		// Another device's news, pushed by network before the file.
		other := uuid.NewString()
		net.push(net.op("person", other, "name_en", "Salim", "governorate", ma))
		field.pullAll(100) // the field device saw it once, then went offline
		later := uuid.NewString()
		net.push(net.op("person", later, "name_en", "Huda", "governorate", ma))

		mine, theirs := uuid.NewString(), uuid.NewString()
		ops := []protocol.Op{
			field.op("person", mine, "name_en", "Aisha", "governorate", ma),
			field.op("person", theirs, "name_en", "Khalid", "governorate", da), // not its governorate
			field.op("person", other, "phone", "+96891234567"),
		}
		file := field.request(ops...)
		res, replyBytes, err := importFile(t, e, file)
		if err != nil {
			t.Fatal(err)
		}
		if res.Again || res.Device.ID != field.id || res.Ops != 3 || res.Counts.Applied != 2 || res.Counts.Rejected != 1 {
			t.Fatalf("import: %+v", res)
		}
		reply := field.openReply(replyBytes)
		if reply.InReplyTo == "" || reply.DeviceID != field.id || len(reply.Push.Results) != 3 {
			t.Fatalf("reply: %+v", reply)
		}
		for i, r := range reply.Push.Results {
			want := protocol.Applied
			if i == 1 {
				want = protocol.Rejected
			}
			if r.ID != ops[i].ID || r.Status != want {
				t.Errorf("result %d: %+v, want %s for %s", i, r, want, ops[i].ID)
			}
		}
		if reply.Push.Results[1].Code != protocol.CodeOutOfScope {
			t.Errorf("the out-of-scope op: %+v", reply.Push.Results[1])
		}
		// HQ has no copy of the refused op's row to give back (it is of
		// another governorate, and the refused op would have made it):
		// none, said as [] so the device tells it from an older reply.
		if reply.Refused == nil || len(reply.Refused) != 0 {
			t.Errorf("HQ's copy of refused rows: %+v", reply.Refused)
		}
		// The pages: what came since the cursor (Huda, and the file's own
		// rows as HQ stored them), not what the device had pulled before.
		got := map[string]bool{}
		for _, p := range reply.Pages {
			for _, c := range p.Changes {
				got[c.RowID] = true
			}
		}
		if !got[later] || !got[mine] || !got[other] || got[theirs] {
			t.Errorf("pages carry %v; want %s, %s and %s, not %s", got, later, mine, other, theirs)
		}
		// The file's pages end where a network pull would: nothing more.
		if n := len(field.pullAll(100)); n != 0 {
			t.Errorf("a network pull after the reply's cursor brought %d changes", n)
		}

		// The same file again: nothing changes, and it says so.
		meta, _ := e.store.Meta(ctx)
		res2, reply2, err := importFile(t, e, file)
		if err != nil {
			t.Fatal(err)
		}
		if !res2.Again || !bytes.Equal(reply2, replyBytes) || res2.Counts != res.Counts {
			t.Errorf("second import: again %v, same reply %v, counts %+v", res2.Again, bytes.Equal(reply2, replyBytes), res2.Counts)
		}
		if m := res2.Message(); m.Code != "syncfile.hq_again" {
			t.Errorf("second import says %s", m.Code)
		}
		if meta2, _ := e.store.Meta(ctx); meta2.Seq != meta.Seq {
			t.Errorf("the second import moved the sequence from %d to %d", meta.Seq, meta2.Seq)
		}

		// The console's list has it, waiting until collected.
		files, err := e.srv.SyncFiles(ctx)
		if err != nil || len(files) != 1 || files[0].FileID != reply.InReplyTo || !files[0].CollectedAt.IsZero() ||
			files[0].ReplyBytes != len(replyBytes) || files[0].Reply != nil {
			t.Fatalf("list: %+v, %v", files, err)
		}
		e.advance(time.Minute)
		got1, err := e.srv.CollectReply(ctx, field.id, reply.InReplyTo, hq.Actor{Admin: "amal"})
		if err != nil || !bytes.Equal(got1.Reply, replyBytes) || got1.CollectedAt.IsZero() {
			t.Fatalf("collect: %v", err)
		}
		if _, err := e.srv.CollectReply(ctx, field.id, "no-such-file", hq.Actor{Admin: "amal"}); !errors.Is(err, hq.ErrNoSyncFile) {
			t.Errorf("collect an unknown file: %v", err)
		}
		// The device's activity is recorded as a push and a pull.
		devs, _ := hq.ListDevices(ctx, e.store)
		for _, d := range devs {
			if d.ID == field.id && (d.LastPush == nil || d.LastPull == nil) {
				t.Errorf("device after a file sync: last push %v, last pull %v", d.LastPush, d.LastPull)
			}
		}
	})
}

// The same ops once by network and once by file are one change: the
// file's results say duplicate, and nothing moves.
func TestSyncFileAfterNetworkPush(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	d := e.enrolKeyed(ma)
	op := d.op("person", uuid.NewString(), "name_en", "Said", "governorate", ma)
	d.push(op)
	d.pullAll(100)
	res, b, err := importFile(t, e, d.request(op))
	if err != nil {
		t.Fatal(err)
	}
	r := d.openReply(b)
	if res.Again || res.Counts.Duplicate != 1 || r.Push.Results[0].Status != protocol.Duplicate {
		t.Errorf("counts %+v, result %+v", res.Counts, r.Push.Results)
	}
}

// Files HQ must refuse: each refused with its code, nothing changed.
func TestImportSyncFileRefused(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	d := e.enrolKeyed(ma)
	gone := e.enrolKeyed(ma)
	op := func(k *keyed) protocol.Op {
		return k.op("person", uuid.NewString(), "name_en", "Maryam", "governorate", ma)
	}
	good := d.request(op(d))
	revokedFile := gone.request(op(gone))
	if _, err := hq.RevokeDevice(ctx, e.store, gone.id, hq.CLI, e.clock()); err != nil {
		t.Fatal(err)
	}
	// A stranger's file: a key HQ never enrolled, though it names d.
	_, strangerKey, _ := ed25519.GenerateKey(rand.Reader)
	stranger := &keyed{device: d.device, key: strangerKey}
	// A file for another HQ.
	_, otherHQ, _ := ed25519.GenerateKey(rand.Reader)
	var forOther bytes.Buffer
	if err := syncfile.SealRequest(&forOther, &syncfile.Request{FileID: uuid.NewString(), DeviceID: d.id, Ops: []protocol.Op{op(d)}},
		d.key, otherHQ.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(good)
	changed[len(changed)-40] ^= 1
	cases := map[string]struct {
		file []byte
		want message.Code
	}{
		"truncated":      {good[:60], syncfile.Truncated},
		"cut in its end": {good[:len(good)-30], syncfile.Damaged},
		"one byte":       {changed, syncfile.Damaged},
		"revoked device": {revokedFile, syncfile.RevokedAuthor},
		"forged":         {stranger.request(op(d)), syncfile.BadSignature},
		"another HQ":     {forOther.Bytes(), syncfile.WrongRecipient},
		"not ours":       {[]byte("PK\x03\x04 a spreadsheet"), syncfile.NotSyncFile},
		"empty":          {nil, syncfile.Truncated},
	}
	before, _ := e.store.Meta(ctx)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res, reply, err := importFile(t, e, c.file)
			if res != nil || len(reply) > 0 {
				t.Errorf("refused file answered: %+v, %d reply bytes", res, len(reply))
			}
			if got := fileCode(t, err); got != c.want {
				t.Errorf("code %s, want %s (%v)", got, c.want, err)
			}
		})
	}
	after, _ := e.store.Meta(ctx)
	files, _ := e.srv.SyncFiles(ctx)
	if after.Seq != before.Seq || len(files) != 0 {
		t.Errorf("refused files changed HQ: seq %d → %d, %d files recorded", before.Seq, after.Seq, len(files))
	}
}

// A cursor of another epoch (HQ restored or reset since the device last
// pulled) gets every change from the start, flagged as a resync; the
// file's ops, written against the old epoch, are not applied (a push of
// them answers must_resync) and get no answer, so they stay queued on the
// device and go through in its next file, of the new epoch.
func TestSyncFileResync(t *testing.T) {
	backends(t, func(t *testing.T, open func(t *testing.T) hq.Store) {
		e := newEnv(t, open(t))
		d := e.enrolKeyed(ma)
		p := uuid.NewString()
		d.push(d.op("person", p, "name_en", "Nasser", "governorate", ma))
		d.pullAll(100)
		if _, err := hq.ResetEpoch(ctx, e.store, hq.CLI, e.clock()); err != nil {
			t.Fatal(err)
		}
		edit := d.op("person", p, "name_en", "Nasser Al Habsi")
		res, b, err := importFile(t, e, d.request(edit))
		if err != nil {
			t.Fatal(err)
		}
		r := d.openReply(b)
		if !r.Resync || !res.Counts.Resync || res.Counts.Pulled == 0 {
			t.Errorf("resync %v, counts %+v", r.Resync, res.Counts)
		}
		if len(r.Push.Results) != 0 || len(r.OpIDs) != 0 {
			t.Fatalf("ops of the old epoch were answered: %+v", r.Push.Results)
		}
		nameEn := func() any {
			row, _, err := e.store.Row(ctx, "person", p)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := hq.RowValues(row)
			return v["name_en"]
		}
		if got := nameEn(); got != "Nasser" {
			t.Fatalf("an op of the old epoch was applied: name_en %v", got)
		}
		// The next file carries the new epoch's cursor: the op goes through.
		_, b, err = importFile(t, e, d.request(edit))
		if err != nil {
			t.Fatal(err)
		}
		if r := d.openReply(b); len(r.Push.Results) != 1 || r.Push.Results[0].Status != protocol.Applied {
			t.Fatalf("the op sent again: %+v", r.Push.Results)
		}
		if got := nameEn(); got != "Nasser Al Habsi" {
			t.Fatalf("name_en %v after the op was sent again", got)
		}
	})
}

// The relay: an enrolled device uploads another device's file over its
// own link and gets the reply back; a refused file is a 422 with its code.
func TestSyncFileRelay(t *testing.T) {
	e := newEnv(t, sqliteStore(t))
	author := e.enrolKeyed(ma)
	carrier := e.enrol(da)
	file := author.request(author.op("person", uuid.NewString(), "name_en", "Zainab", "governorate", ma))
	post := func(token string, body []byte) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+syncfile.RelayPath, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post(carrier.token, file)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(syncfile.HeaderAuthor) != author.id || resp.Header.Get(syncfile.HeaderAgain) != "" {
		t.Fatalf("relay: %d %v", resp.StatusCode, resp.Header)
	}
	if r := author.openReply(b); len(r.Push.Results) != 1 || r.Push.Results[0].Status != protocol.Applied {
		t.Errorf("relayed reply: %+v", r.Push.Results)
	}
	resp = post(carrier.token, file)
	resp.Body.Close()
	if resp.Header.Get(syncfile.HeaderAgain) != "1" {
		t.Errorf("relayed twice: not said again")
	}
	resp = post("", file)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("relay without a token: %d", resp.StatusCode)
	}
	resp = post(carrier.token, file[:len(file)-100])
	var refusal hq.RelayRefusal
	json.NewDecoder(resp.Body).Decode(&refusal)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || refusal.Error != string(syncfile.Damaged) {
		t.Errorf("relay of a cut file: %d %+v", resp.StatusCode, refusal)
	}
}
