package syncfile

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
)

// keys are an HQ and two devices, as enrolment leaves them: each holds its
// Ed25519 private key, HQ knows the devices' public keys, the devices HQ's.
type keys struct {
	hq, dev, other ed25519.PrivateKey
	revoked        map[string]bool
}

const devID, otherID = "0193a1b2-0000-7000-8000-00000000d001", "0193a1b2-0000-7000-8000-00000000d002"

func newKeys(t testing.TB) *keys {
	t.Helper()
	k := &keys{revoked: map[string]bool{}}
	for _, p := range []*ed25519.PrivateKey{&k.hq, &k.dev, &k.other} {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		*p = priv
	}
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// hqLookup is HQ's view: its enrolled devices.
func (k *keys) hqLookup(id string) (ed25519.PublicKey, bool, error) {
	switch id {
	case devID:
		return pub(k.dev), k.revoked[id], nil
	case otherID:
		return pub(k.other), k.revoked[id], nil
	}
	return nil, false, nil
}

// devLookup is a device's view: HQ's key only.
func (k *keys) devLookup(id string) (ed25519.PublicKey, bool, error) {
	if id == HQAuthor {
		return pub(k.hq), false, nil
	}
	return nil, false, nil
}

// sampleOps are n new people as a coordinator types them: names, phones
// and civil ids that vary as real ones do (so gzip does not find more
// repetition than a real file has), from a fixed seed.
func sampleOps(n int) []protocol.Op {
	rng := mrand.New(mrand.NewPCG(15, uint64(n)))
	first := []string{"Salim", "Aisha", "Khalid", "Maryam", "Said", "Fatma", "Hamed", "Zainab", "Ali", "Muna", "Nasser", "Huda"}
	firstAr := []string{"سالم", "عائشة", "خالد", "مريم", "سعيد", "فاطمة", "حامد", "زينب", "علي", "منى", "ناصر", "هدى"}
	family := []string{"Al Balushi", "Al Harthy", "Al Rawahi", "Al Busaidi", "Al Hinai", "Al Maamari", "Al Kindi", "Al Shukaili"}
	familyAr := []string{"البلوشي", "الحارثي", "الرواحي", "البوسعيدي", "الهنائي", "المعمري", "الكندي", "الشكيلي"}
	govs := []string{"Muscat", "Dhofar", "Al Batinah North", "Ad Dakhiliyah", "Ash Sharqiyah South"}
	ops := make([]protocol.Op, n)
	ms := int64(1_790_000_000_000)
	for i := range ops {
		ms += 1 + rng.Int64N(20_000)
		h := fmt.Sprintf("%016x-%04x-%s", ms, rng.IntN(3), devID)
		f, l := rng.IntN(len(first)), rng.IntN(len(family))
		ops[i] = protocol.Op{
			ID: h, Table: "person",
			RowID: fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", ms>>16, ms&0xffff, rng.IntN(0x1000), rng.IntN(0x1000), rng.Int64N(1<<48)),
			Fields: map[string]protocol.Field{
				"name_ar":     {Value: firstAr[f] + " " + familyAr[l], HLC: h},
				"name_en":     {Value: first[f] + " " + family[l], HLC: h},
				"civil_id":    {Value: fmt.Sprintf("%08d", rng.IntN(100_000_000)), HLC: h},
				"phone":       {Value: fmt.Sprintf("+9689%07d", rng.IntN(10_000_000)), HLC: h},
				"governorate": {Value: govs[rng.IntN(len(govs))], HLC: h},
				"joined_on":   {Value: fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)), HLC: h},
			},
		}
	}
	return ops
}

func sampleRequest(n int) *Request {
	return &Request{
		FileID: "0193a1b2-0000-7000-8000-0000000f11e1", DeviceID: devID,
		Created: time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC),
		Clock:   "0000018f00000000-0000-" + devID, Cursor: "7.1234",
		Ops: sampleOps(n),
	}
}

func sampleReply(req *Request) *Reply {
	r := &Reply{
		FileID: "0193a1b2-0000-7000-8000-0000000f11e2", InReplyTo: req.FileID, DeviceID: req.DeviceID,
		Created: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		Push:    protocol.PushResponse{Clock: "0000018f00000001-0000-hq"},
	}
	for i, op := range req.Ops {
		res := protocol.OpResult{ID: op.ID, Status: protocol.Applied}
		if i == 1 {
			res = protocol.OpResult{ID: op.ID, Status: protocol.Rejected, Code: protocol.CodeOutOfScope, Message: "not in your governorates"}
		}
		r.Push.Results = append(r.Push.Results, res)
		r.OpIDs = append(r.OpIDs, op.ID)
	}
	r.Pages = []protocol.PullResponse{
		{Changes: []protocol.Change{{Seq: 1235, Table: "person", RowID: "r1", Fields: map[string]protocol.Field{"name_en": {Value: "Aisha", HLC: "h1"}}}}, NextCursor: "7.1235", HasMore: true, Clock: "c"},
		{Changes: []protocol.Change{{Seq: 1236, Table: "person", RowID: "r2", Gone: true}}, NextCursor: "7.1236", Clock: "c"},
	}
	return r
}

func sealRequest(t testing.TB, k *keys, req *Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := SealRequest(&b, req, k.dev, pub(k.hq)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// code is the code of the *Error err is, or fails the test.
func code(t *testing.T, err error) message.Code {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want a *syncfile.Error", err, err)
	}
	// Every refusal says it in both languages, from the catalogue.
	if !message.Known(e.Code()) {
		t.Fatalf("code %q is not in the catalogue", e.Code())
	}
	if en, ar := e.Msg.English(), e.Msg.Arabic(); en == ar || !strings.ContainsRune(ar, 'ف') {
		t.Fatalf("%s: English %q, Arabic %q", e.Code(), en, ar)
	}
	return e.Code()
}

func TestRoundTrips(t *testing.T) {
	k := newKeys(t)
	req := sampleRequest(3)
	req.Ops[2].Fields["name_en"] = protocol.Field{Value: "Later", HLC: "0000018f00000009-0000-" + devID}
	req.Ops[2].Reasserted = true
	got, err := OpenRequest(bytes.NewReader(sealRequest(t, k, req)), k.hq, k.hqLookup)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, req) {
		t.Fatalf("request changed on the way:\n got %+v\nwant %+v", got, req)
	}
	if got.Epoch() != "7" {
		t.Errorf("epoch %q, want 7", got.Epoch())
	}

	rep := sampleReply(req)
	var b bytes.Buffer
	if err := SealReply(&b, rep, k.hq, pub(k.dev)); err != nil {
		t.Fatal(err)
	}
	f, err := Open(bytes.NewReader(b.Bytes()), k.dev, k.devLookup)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != KindReply || f.Author != HQAuthor || f.Version != Version || f.Request != nil {
		t.Fatalf("opened %+v", f)
	}
	if !reflect.DeepEqual(f.Reply, rep) {
		t.Fatalf("reply changed on the way:\n got %+v\nwant %+v", f.Reply, rep)
	}

	// An empty request (nothing to push, only a pull) and its reply.
	empty := &Request{FileID: "f", DeviceID: devID, Created: req.Created}
	got, err = OpenRequest(bytes.NewReader(sealRequest(t, k, empty)), k.hq, k.hqLookup)
	if err != nil || got.FileID != "f" || len(got.Ops) != 0 || got.Epoch() != "" {
		t.Fatalf("empty request: %+v, %v", got, err)
	}
}

func TestWrongKind(t *testing.T) {
	k := newKeys(t)
	// A reply HQ sealed to itself is opened where a request is expected,
	// and a request sealed to a device where a reply is.
	var b bytes.Buffer
	if err := SealReply(&b, sampleReply(sampleRequest(2)), k.hq, pub(k.hq)); err != nil {
		t.Fatal(err)
	}
	_, err := OpenRequest(bytes.NewReader(b.Bytes()), k.hq, func(string) (ed25519.PublicKey, bool, error) { return pub(k.hq), false, nil })
	if c := code(t, err); c != NotRequest {
		t.Errorf("a reply opened as a request: %s", c)
	}
	b.Reset()
	if err := SealRequest(&b, sampleRequest(2), k.dev, pub(k.dev)); err != nil {
		t.Fatal(err)
	}
	_, err = OpenReply(bytes.NewReader(b.Bytes()), k.dev, k.hqLookup)
	if c := code(t, err); c != NotReply {
		t.Errorf("a request opened as a reply: %s", c)
	}
}

func TestWrongRecipient(t *testing.T) {
	k := newKeys(t)
	file := sealRequest(t, k, sampleRequest(2))
	// Another HQ (another key) cannot open it.
	_, otherHQ, _ := ed25519.GenerateKey(rand.Reader)
	_, err := OpenRequest(bytes.NewReader(file), otherHQ, k.hqLookup)
	if c := code(t, err); c != WrongRecipient {
		t.Errorf("another HQ: %s", c)
	}
	// A reply for one device, loaded on another.
	var b bytes.Buffer
	if err := SealReply(&b, sampleReply(sampleRequest(2)), k.hq, pub(k.dev)); err != nil {
		t.Fatal(err)
	}
	_, err = OpenReply(bytes.NewReader(b.Bytes()), k.other, k.devLookup)
	if c := code(t, err); c != WrongRecipient {
		t.Errorf("another device: %s", c)
	}
	// The recipient that decrypts a file re-encrypts its content to
	// another key: the signed header still names the first one.
	content := decryptWith(t, file, k.hq)
	_, err = OpenRequest(bytes.NewReader(encryptTo(t, content, pub(otherHQ))), otherHQ, k.hqLookup)
	if c := code(t, err); c != WrongRecipient {
		t.Errorf("re-encrypted to another HQ: %s", c)
	}
}

func decryptWith(t *testing.T, file []byte, key ed25519.PrivateKey) []byte {
	t.Helper()
	id, err := agessh.NewEd25519Identity(key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(file), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encryptTo seals content to key with age, as anyone who knows a public
// key can.
func encryptTo(t *testing.T, content []byte, key ed25519.PublicKey) []byte {
	t.Helper()
	rcpt, err := recipientOf(key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := age.Encrypt(&b, rcpt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAuthors(t *testing.T) {
	k := newKeys(t)
	file := sealRequest(t, k, sampleRequest(2))

	// HQ does not know the device.
	_, err := OpenRequest(bytes.NewReader(file), k.hq, k.devLookup)
	if c := code(t, err); c != UnknownAuthor {
		t.Errorf("unknown device: %s", c)
	}
	if m := err.(*Error).Msg.English(); !strings.Contains(m, devID) {
		t.Errorf("the message does not name the device: %s", m)
	}
	// The device was revoked.
	k.revoked[devID] = true
	_, err = OpenRequest(bytes.NewReader(file), k.hq, k.hqLookup)
	if c := code(t, err); c != RevokedAuthor {
		t.Errorf("revoked device: %s", c)
	}
	k.revoked[devID] = false
	// HQ cannot look the device up right now: the cause is kept.
	down := errors.New("database is down")
	_, err = OpenRequest(bytes.NewReader(file), k.hq, func(string) (ed25519.PublicKey, bool, error) { return nil, false, down })
	if c := code(t, err); c != LookupFailed || !errors.Is(err, down) {
		t.Errorf("lookup failed: %s, %v", c, err)
	}

	// Another enrolled device signs a request in the first one's name.
	var b bytes.Buffer
	if err := SealRequest(&b, sampleRequest(2), k.other, pub(k.hq)); err != nil {
		t.Fatal(err)
	}
	_, err = OpenRequest(bytes.NewReader(b.Bytes()), k.hq, k.hqLookup)
	if c := code(t, err); c != BadSignature {
		t.Errorf("signed by another device: %s", c)
	}
	// Anyone may encrypt to HQ: a payload changed after signing, then
	// sealed again with age, is refused for its signature.
	content := decryptWith(t, file, k.hq)
	for _, i := range []int{0, len(magic) + 3, len(content) / 2, len(content) - 1} {
		changed := bytes.Clone(content)
		changed[i] ^= 0x01
		_, err = OpenRequest(bytes.NewReader(encryptTo(t, changed, pub(k.hq))), k.hq, k.hqLookup)
		want := BadSignature
		switch {
		case i == 0:
			want = NotSyncFile
		case i == len(magic)+3: // the author's length
			want = Malformed
		}
		if c := code(t, err); c != want {
			t.Errorf("content byte %d changed and sealed again: %s, want %s", i, c, want)
		}
	}
	// A device signs a request that names another device inside.
	theirs := sampleRequest(1)
	theirs.DeviceID = otherID
	fake := sealContent(t, Version, KindRequest, devID, theirs, k.dev, pub(k.hq))
	_, err = OpenRequest(bytes.NewReader(fake), k.hq, k.hqLookup)
	if c := code(t, err); c != Malformed {
		t.Errorf("a request for another device inside: %s", c)
	}
	// A reply with a request's author, or the other way round.
	fake = sealContent(t, Version, KindReply, devID, sampleReply(sampleRequest(1)), k.dev, pub(k.hq))
	_, err = Open(bytes.NewReader(fake), k.hq, k.hqLookup)
	if c := code(t, err); c != Malformed {
		t.Errorf("a reply signed by a device: %s", c)
	}
}

// sealContent seals v as seal does, with any version, kind and author.
func sealContent(t testing.TB, version uint16, kind Kind, author string, v any, key ed25519.PrivateKey, to ed25519.PublicKey) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := seal(&b, version, kind, author, v, key, to); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNewerVersion(t *testing.T) {
	k := newKeys(t)
	file := sealContent(t, Version+1, KindRequest, devID, sampleRequest(1), k.dev, pub(k.hq))
	_, err := OpenRequest(bytes.NewReader(file), k.hq, k.hqLookup)
	if c := code(t, err); c != NewerVersion {
		t.Fatalf("version %d: %s", Version+1, c)
	}
	msg := err.(*Error).Msg
	if en := msg.English(); !strings.Contains(en, "format 2") || !strings.Contains(en, "up to 1") {
		t.Errorf("the message does not say which versions: %s", en)
	}
	// A version 0 is no version of ours.
	file = sealContent(t, 0, KindRequest, devID, sampleRequest(1), k.dev, pub(k.hq))
	_, err = OpenRequest(bytes.NewReader(file), k.hq, k.hqLookup)
	if c := code(t, err); c != Malformed {
		t.Errorf("version 0: %s", c)
	}
}

func TestNotOurs(t *testing.T) {
	k := newKeys(t)
	for name, data := range map[string][]byte{
		"text":            []byte("Minutes of the meeting\n"),
		"zip":             {'P', 'K', 3, 4, 20, 0, 0, 0},
		"age, armored":    []byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"),
		"age, not ours":   encryptTo(t, []byte("a letter to HQ"), pub(k.hq)),
		"age, empty":      encryptTo(t, nil, pub(k.hq)),
		"age, magic only": encryptTo(t, []byte(magic), pub(k.hq)),
	} {
		_, err := Open(bytes.NewReader(data), k.hq, k.hqLookup)
		if c := code(t, err); c != NotSyncFile {
			t.Errorf("%s: %s", name, c)
		}
	}
	// A file larger than the limit (lowered here to 1 MiB) is refused
	// before it is decrypted, and one at the limit is read.
	defer func(n int64) { maxFileBytes = n }(maxFileBytes)
	maxFileBytes = 1 << 20
	big := sealRequest(t, k, sampleRequest(2))
	big = append(big, make([]byte, int(maxFileBytes)+1-len(big))...)
	_, err := Open(bytes.NewReader(big), k.hq, k.hqLookup)
	if c := code(t, err); c != TooLarge || !strings.Contains(err.Error(), "1 MB") {
		t.Errorf("a file too large: %s, %v", c, err)
	}
	_, err = Open(bytes.NewReader(big[:len(big)-1]), k.hq, k.hqLookup)
	if c := code(t, err); c != Damaged {
		t.Errorf("a file at the limit, with bytes added: %s", c)
	}
	_, err = Open(iotestErrReader{}, k.hq, k.hqLookup)
	if c := code(t, err); c != ReadFailed {
		t.Errorf("a stick pulled out while reading: %s", c)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

// TestEveryByteChanged flips each bit pattern of each byte of a small
// request: every change is refused, with a reason, and nothing panics.
func TestEveryByteChanged(t *testing.T) {
	k := newKeys(t)
	file := sealRequest(t, k, sampleRequest(2))
	counts := map[message.Code]int{}
	for i := range file {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			changed := bytes.Clone(file)
			changed[i] ^= mask
			got, err := OpenRequest(bytes.NewReader(changed), k.hq, k.hqLookup)
			if err == nil {
				t.Fatalf("byte %d ^ %#x: accepted %+v", i, mask, got)
			}
			c := code(t, err)
			switch c {
			case Damaged, Truncated, WrongRecipient, NotSyncFile:
			default:
				t.Errorf("byte %d ^ %#x: %s", i, mask, c)
			}
			counts[c]++
		}
	}
	// Most of the file is the encrypted content, and a change there is
	// damage.
	if counts[Damaged] < len(file)*2 {
		t.Errorf("of %d changes: %v", 3*len(file), counts)
	}
	t.Logf("%d bytes, %d changes: %v", len(file), 3*len(file), counts)
}

// TestEveryLengthCut opens a file cut at every length: each is refused,
// and says "incomplete" but where age cannot know (a cut inside the only
// block of a small file fails as a changed byte does).
func TestEveryLengthCut(t *testing.T) {
	k := newKeys(t)
	small := sealRequest(t, k, sampleRequest(2))
	payloadStart := bytes.Index(small, []byte("\n--- ")) + len("\n--- ") + 43 + 1
	counts := map[message.Code]int{}
	for l := range len(small) {
		got, err := OpenRequest(bytes.NewReader(small[:l]), k.hq, k.hqLookup)
		if err == nil {
			t.Fatalf("cut to %d of %d bytes: accepted %+v", l, len(small), got)
		}
		c := code(t, err)
		if c != Truncated && !(c == Damaged && l > payloadStart+ageNonce) {
			t.Errorf("cut to %d of %d bytes (payload from %d): %s", l, len(small), payloadStart, c)
		}
		counts[c]++
	}
	t.Logf("%d bytes: %v", len(small), counts)

	// A file of three blocks, cut at every length around the ends of its
	// blocks and at lengths spread over the rest: once the first block is
	// whole, every cut says "incomplete".
	big := sealRequest(t, k, sampleRequest(4000))
	payloadStart = bytes.Index(big, []byte("\n--- ")) + len("\n--- ") + 43 + 1
	if blocks := (len(big) - payloadStart - ageNonce + ageChunk + ageTag - 1) / (ageChunk + ageTag); blocks < 3 {
		t.Fatalf("%d bytes: %d blocks", len(big), blocks)
	}
	var lengths []int
	for l := 0; l < len(big); l += 499 {
		lengths = append(lengths, l)
	}
	for b := payloadStart + ageNonce; b < len(big); b += ageChunk + ageTag {
		for l := max(0, b-40); l < min(len(big), b+40); l++ {
			lengths = append(lengths, l)
		}
	}
	counts = map[message.Code]int{}
	for _, l := range lengths {
		_, err := OpenRequest(bytes.NewReader(big[:l]), k.hq, k.hqLookup)
		c := code(t, err)
		if c != Truncated && !(c == Damaged && l > payloadStart+ageNonce && l <= payloadStart+ageNonce+ageChunk+ageTag) {
			t.Errorf("cut to %d of %d bytes (payload from %d): %s", l, len(big), payloadStart, c)
		}
		counts[c]++
	}
	t.Logf("%d bytes, %d cuts: %v", len(big), len(lengths), counts)

	// And whole files with more at their end.
	for _, file := range [][]byte{small, big} {
		_, err := OpenRequest(bytes.NewReader(append(bytes.Clone(file), '\n')), k.hq, k.hqLookup)
		if c := code(t, err); c != Damaged {
			t.Errorf("a byte added at the end of %d: %s", len(file), c)
		}
	}
}

func FuzzOpen(f *testing.F) {
	k := newKeys(f)
	file := sealRequest(f, k, sampleRequest(2))
	f.Add(file)
	f.Add(file[:len(file)/2])
	f.Add([]byte(ageIntro))
	f.Add([]byte{})
	var b bytes.Buffer
	if err := SealReply(&b, sampleReply(sampleRequest(2)), k.hq, pub(k.hq)); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	lookup := func(id string) (ed25519.PublicKey, bool, error) {
		if id == HQAuthor {
			return pub(k.hq), false, nil
		}
		return k.hqLookup(id)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Open(bytes.NewReader(data), k.hq, lookup)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !message.Known(e.Code()) {
				t.Fatalf("%v (%T)", err, err)
			}
			return
		}
		if (got.Request == nil) == (got.Reply == nil) {
			t.Fatalf("opened %+v", got)
		}
	})
}

// TestAgeCommand decrypts a request with the age command itself, built
// from the module's filippo.io/age, and the device's key written as an
// OpenSSH identity file: the outer layer is standard age, and what is
// inside is the signed content described in the package's comment.
func TestAgeCommand(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "age")
	build := exec.Command("go", "build", "-o", bin, "filippo.io/age/cmd/age")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build filippo.io/age/cmd/age: %v\n%s", err, out)
	}
	k := newKeys(t)
	req := sampleRequest(5)
	file := filepath.Join(dir, "request.safeer-sync")
	if err := os.WriteFile(file, sealRequest(t, k, req), 0o600); err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(k.hq, "HQ")
	if err != nil {
		t.Fatal(err)
	}
	identity := filepath.Join(dir, "hq_ed25519")
	if err := os.WriteFile(identity, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--decrypt", "--identity", identity, file)
	cmd.Stderr = &stderr
	content, err := cmd.Output()
	if err != nil {
		t.Fatalf("age --decrypt: %v\n%s", err, stderr.String())
	}
	if !bytes.HasPrefix(content, []byte(magic)) {
		t.Fatalf("age decrypted %d bytes that do not start with %q: %q", len(content), magic, content[:min(len(content), 40)])
	}
	// What age decrypted is what Open checks, signature and all.
	f, err := openContent(content, pub(k.hq), k.hqLookup)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Request, req) {
		t.Fatalf("decrypted by age, then opened: %+v", f.Request)
	}
	// And with another identity the age command refuses it too.
	otherBlock, err := ssh.MarshalPrivateKey(k.other, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(identity, pem.EncodeToMemory(otherBlock), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-d", "-i", identity, file).CombinedOutput(); err == nil {
		t.Fatalf("age decrypted the request with a device's key: %q", out)
	}
}

// BenchmarkSealRequest and BenchmarkOpenRequest: a request of 10,000 ops,
// as a device that was offline for weeks writes one.
func BenchmarkSealRequest(b *testing.B) {
	k := newKeys(b)
	req := sampleRequest(10_000)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := SealRequest(&buf, req, k.dev, pub(k.hq)); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(size)/10_000, "bytes/op")
	// The same ops as a network push sends them: JSON, gzipped.
	var net bytes.Buffer
	zw := gzip.NewWriter(&net)
	if err := json.NewEncoder(zw).Encode(protocol.PushRequest{Clock: req.Clock, Ops: req.Ops}); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(net.Len())/10_000, "push-gzip-bytes/op")
}

func BenchmarkOpenRequest(b *testing.B) {
	k := newKeys(b)
	file := sealRequest(b, k, sampleRequest(10_000))
	for b.Loop() {
		if _, err := OpenRequest(bytes.NewReader(file), k.hq, k.hqLookup); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(file))/1e6, "MB")
}

// BenchmarkSealReply and BenchmarkOpenReply: HQ's reply to that request,
// with the 100,000 people of a device's governorates in pull pages of
// MaxPullLimit, as a first sync by file brings them.
func BenchmarkSealReply(b *testing.B) {
	k := newKeys(b)
	rep := bigReply()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := SealReply(&buf, rep, k.hq, pub(k.dev)); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(size)/100_000, "bytes/person")
	// The same pages as network pulls send them: each JSON, gzipped.
	var net int
	for _, p := range rep.Pages {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(p); err != nil {
			b.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			b.Fatal(err)
		}
		net += buf.Len()
	}
	b.ReportMetric(float64(net)/100_000, "pull-gzip-bytes/person")
}

func BenchmarkOpenReply(b *testing.B) {
	k := newKeys(b)
	var buf bytes.Buffer
	if err := SealReply(&buf, bigReply(), k.hq, pub(k.dev)); err != nil {
		b.Fatal(err)
	}
	file := buf.Bytes()
	for b.Loop() {
		if _, err := OpenReply(bytes.NewReader(file), k.dev, k.devLookup); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(file))/1e6, "MB")
}

func bigReply() *Reply {
	rep := sampleReply(sampleRequest(10_000))
	rep.Pages = nil
	people := sampleOps(100_000)
	for i := 0; i < len(people); i += protocol.MaxPullLimit {
		var page protocol.PullResponse
		for j, op := range people[i:min(i+protocol.MaxPullLimit, len(people))] {
			page.Changes = append(page.Changes, protocol.Change{Seq: int64(i + j + 1), Table: op.Table, RowID: op.RowID, Fields: op.Fields})
		}
		page.NextCursor = fmt.Sprintf("7.%d", i+len(page.Changes))
		page.HasMore = i+protocol.MaxPullLimit < len(people)
		page.Clock = rep.Push.Clock
		rep.Pages = append(rep.Pages, page)
	}
	return rep
}
