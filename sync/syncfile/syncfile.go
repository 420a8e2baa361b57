// Package syncfile is the sealed sync file: sync by file when there is no
// network at all (issue 15). A device writes a request (what a push would
// send, plus its pull cursor); anyone carries it to HQ; HQ answers with a
// reply (the per-op results and the pull pages since the cursor) that comes
// back the same way.
//
// A file is a standard age file (filippo.io/age, binary form) encrypted to
// its recipient's Ed25519 key through age's ssh-ed25519 recipient type
// (agessh): HQ's key for a request, the device's for a reply. So a lost
// stick leaks nothing, and `age -d -i KEY` opens one with the recipient's
// key as an OpenSSH file. Inside is the sealed content:
//
//	magic      "SAFEER SYNC\n" (12 bytes)
//	version    uint16, big-endian (Version)
//	kind       1 byte: 1 request, 2 reply
//	author     1 byte n, then n bytes: the device id, or "hq" (HQAuthor)
//	recipient  32 bytes: the Ed25519 public key the file is for
//	length     uint32, big-endian: bytes of payload
//	payload    gzip of the JSON of Request or Reply (ops and changes in
//	           the compact wire form of sync/protocol)
//	signature  64 bytes: Ed25519 by the author over everything above
//
// Anyone may encrypt to HQ's public key, so the encryption says nothing of
// who wrote a file: the author's signature does, and it covers the header
// too (the version, the kind, the author and the recipient), so a file
// decrypted by one recipient cannot be re-encrypted to another and taken
// for its own. Open checks all of it before it parses the payload.
//
// The package writes no cryptography of its own: age does the encryption
// and crypto/ed25519 the signature. It depends on sync/protocol and
// message only, so the device (data, sync/client) and HQ (hq) can both use
// it.
package syncfile

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/oman-sca/safeer/sync/protocol"
)

// Version is the format version this package writes and the newest it
// reads. A file of a newer version is refused (NewerVersion), not guessed
// at.
const Version = 1

// Kind says what a file holds.
type Kind byte

const (
	KindRequest Kind = 1 // a device's request to HQ
	KindReply   Kind = 2 // HQ's reply to a device
)

func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindReply:
		return "reply"
	}
	return fmt.Sprintf("kind %d", byte(k))
}

// HQAuthor is the author of every reply: HQ signs with its one key.
const HQAuthor = "hq"

// magic starts the sealed content (inside the encryption): a file that
// decrypts but does not start with it is not a sync file.
const magic = "SAFEER SYNC\n"

// Sizes of the fixed parts of the sealed content.
const (
	fixedHeader = len(magic) + 2 + 1 + 1 + ed25519.PublicKeySize + 4 // without the author
	maxAuthor   = 255
)

// Limits on what Open reads, so a file cannot make it take all memory:
// the file as it is on the stick, and the payload's JSON once unzipped
// (checked only on a file whose signature holds).
const (
	MaxFileBytes = 512 << 20
	MaxJSONBytes = 2 << 30
)

// maxFileBytes is MaxFileBytes, lowered by a test that would not read
// half a gigabyte.
var maxFileBytes int64 = MaxFileBytes

// Request is what a device sends HQ by file: what a push would send, and
// where its next pull starts.
type Request struct {
	FileID   string    `json:"file_id"`   // made by the device, unique; the reply names it
	DeviceID string    `json:"device_id"` // the author; Open checks it is the one who signed
	Created  time.Time `json:"created"`
	Clock    string    `json:"clock"` // the device's clock when it wrote the file (as PushRequest.Clock)
	// Cursor is where the device's next pull starts, EPOCH.SEQ as a pull
	// sends it ("" for everything): HQ's epoch is in it, so HQ sees a
	// device that must resync.
	Cursor string        `json:"cursor"`
	Ops    []protocol.Op `json:"ops"` // the outbox ops not yet acknowledged, oldest first
}

// Epoch is the epoch part of the request's cursor ("" when it has none).
func (r *Request) Epoch() string {
	if i := strings.IndexByte(r.Cursor, '.'); i >= 0 {
		return r.Cursor[:i]
	}
	return ""
}

// Reply is HQ's answer to one request.
type Reply struct {
	FileID    string    `json:"file_id"`     // made by HQ, unique
	InReplyTo string    `json:"in_reply_to"` // the request's FileID
	DeviceID  string    `json:"device_id"`   // the device it is for
	Created   time.Time `json:"created"`
	// Push has a result per op of the request, in its order; OpIDs names
	// them (the compact push reply names ops by position only, and the
	// device may have acknowledged some of them by network since).
	Push  protocol.PushResponse `json:"push"`
	OpIDs []string              `json:"op_ids"`
	// Pages are the pull pages since the request's cursor, in order; the
	// last one's NextCursor is where the device's next pull starts.
	Pages []protocol.PullResponse `json:"pages"`
	// Resync says the request's cursor was of another epoch (HQ was
	// restored or reset): the pages start from the beginning, and the
	// device handles them as a network resync (it keeps its outbox and
	// sends HQ what HQ lost).
	Resync bool `json:"resync,omitempty"`
	// From is the cursor the pages start after: the request's, or ""
	// from the beginning. A device whose own cursor is behind it (reset
	// since it wrote the request) cannot apply them without a gap.
	From string `json:"from,omitempty"`
	// Refused is HQ's copy, whole and as it stands after the pages, of
	// each row in the device's scope an op of the request was refused
	// for: what a network sync's pull from the start would bring back
	// for them, so the device gives the refused values way to HQ's
	// without pulling everything again (the field was added to version
	// 1: a reply without it makes the device pull everything next time;
	// HQ writes [] when it has none to give).
	Refused []protocol.Change `json:"refused"`
}

// The relay: an enrolled device POSTs a sync file it carries to RelayPath
// (with its own token) and gets HQ's sealed reply back, with the headers
// below naming the file's author and id, and whether HQ had read it
// before. A file HQ refuses is answered 422 with its message code.
const (
	RelayPath    = "/v1/syncfile"
	HeaderAuthor = "X-Safeer-Syncfile-Author"
	HeaderFileID = "X-Safeer-Syncfile-Id"
	HeaderAgain  = "X-Safeer-Syncfile-Again"
)

// File is an opened file: its header and what it holds (Request for a
// request, Reply for a reply).
type File struct {
	Version int
	Kind    Kind
	Author  string // the device id, or HQAuthor
	Request *Request
	Reply   *Reply
}

// Lookup gives the public key of a file's author (a device id, or
// HQAuthor for a reply) and whether it is revoked. A nil key with a nil
// error means the author is unknown.
type Lookup func(author string) (pub ed25519.PublicKey, revoked bool, err error)

// SealRequest writes r to w, signed with the device's key and encrypted
// to HQ's public key. r.DeviceID is the author.
func SealRequest(w io.Writer, r *Request, deviceKey ed25519.PrivateKey, hqPub ed25519.PublicKey) error {
	if r.DeviceID == "" || r.DeviceID == HQAuthor {
		return fmt.Errorf("syncfile: a request needs its device's id, not %q", r.DeviceID)
	}
	return seal(w, Version, KindRequest, r.DeviceID, r, deviceKey, hqPub)
}

// SealReply writes r to w, signed with HQ's key and encrypted to the
// device's public key. Push.Results and OpIDs must be as long as each
// other.
func SealReply(w io.Writer, r *Reply, hqKey ed25519.PrivateKey, devicePub ed25519.PublicKey) error {
	if len(r.OpIDs) != len(r.Push.Results) {
		return fmt.Errorf("syncfile: a reply with %d op results and %d op ids", len(r.Push.Results), len(r.OpIDs))
	}
	if r.DeviceID == "" {
		return errors.New("syncfile: a reply needs the id of the device it is for")
	}
	return seal(w, Version, KindReply, HQAuthor, r, hqKey, devicePub)
}

func seal(w io.Writer, version uint16, kind Kind, author string, v any, key ed25519.PrivateKey, to ed25519.PublicKey) error {
	if len(key) != ed25519.PrivateKeySize {
		return errors.New("syncfile: the author's key is not an Ed25519 private key")
	}
	if len(to) != ed25519.PublicKeySize {
		return errors.New("syncfile: the recipient's key is not an Ed25519 public key")
	}
	if len(author) > maxAuthor {
		return fmt.Errorf("syncfile: an author id of %d bytes (at most %d)", len(author), maxAuthor)
	}
	var payload bytes.Buffer
	zw := gzip.NewWriter(&payload)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return fmt.Errorf("syncfile: encoding the %s: %w", kind, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if payload.Len() > MaxFileBytes {
		return fmt.Errorf("syncfile: a %s of %d bytes compressed, more than a file may hold (%d)", kind, payload.Len(), MaxFileBytes)
	}
	content := make([]byte, 0, fixedHeader+len(author)+payload.Len()+ed25519.SignatureSize)
	content = append(content, magic...)
	content = binary.BigEndian.AppendUint16(content, version)
	content = append(content, byte(kind), byte(len(author)))
	content = append(content, author...)
	content = append(content, to...)
	content = binary.BigEndian.AppendUint32(content, uint32(payload.Len()))
	content = append(content, payload.Bytes()...)
	content = append(content, ed25519.Sign(key, content)...)

	recipient, err := recipientOf(to)
	if err != nil {
		return err
	}
	aw, err := age.Encrypt(w, recipient)
	if err != nil {
		return fmt.Errorf("syncfile: %w", err)
	}
	if _, err := aw.Write(content); err != nil {
		return err
	}
	return aw.Close()
}

// recipientOf is age's ssh-ed25519 recipient for an Ed25519 public key.
func recipientOf(pub ed25519.PublicKey) (age.Recipient, error) {
	sk, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("syncfile: recipient key: %w", err)
	}
	return agessh.NewEd25519Recipient(sk)
}

// OpenRequest opens a request with HQ's key; lookup gives the devices'
// keys. Anything but a whole request, for this HQ, signed by a known and
// unrevoked device, is an *Error.
func OpenRequest(r io.Reader, hqKey ed25519.PrivateKey, lookup Lookup) (*Request, error) {
	f, err := Open(r, hqKey, lookup)
	if err != nil {
		return nil, err
	}
	if f.Kind != KindRequest {
		return nil, fail(nil, msgNotRequest())
	}
	return f.Request, nil
}

// OpenReply opens a reply with the device's key; lookup gives HQ's key
// for HQAuthor.
func OpenReply(r io.Reader, deviceKey ed25519.PrivateKey, lookup Lookup) (*Reply, error) {
	f, err := Open(r, deviceKey, lookup)
	if err != nil {
		return nil, err
	}
	if f.Kind != KindReply {
		return nil, fail(nil, msgNotReply())
	}
	return f.Reply, nil
}

// Open reads a sync file of either kind with the recipient's private key:
// it decrypts it, checks the format version, that the file is for this
// key, and the author's signature (with the key lookup gives), and only
// then decodes the payload. Every refusal is an *Error saying why.
func Open(r io.Reader, key ed25519.PrivateKey, lookup Lookup) (*File, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("syncfile: the recipient's key is not an Ed25519 private key")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fail(err, msgRead())
	}
	if int64(len(data)) > maxFileBytes {
		return nil, fail(nil, msgTooLarge())
	}
	content, err := decrypt(data, key)
	if err != nil {
		return nil, err
	}
	return openContent(content, key.Public().(ed25519.PublicKey), lookup)
}

// ageIntro is how every age file starts.
const ageIntro = "age-encryption.org/v1\n"

// decrypt removes the age layer, telling a file that is not age at all, a
// file cut short, a file for another key and a damaged file apart as far
// as age lets it.
func decrypt(data []byte, key ed25519.PrivateKey) ([]byte, error) {
	switch {
	case len(data) == 0:
		return nil, fail(nil, msgTruncated())
	case len(data) < len(ageIntro) && bytes.HasPrefix([]byte(ageIntro), data):
		return nil, fail(nil, msgTruncated())
	case !bytes.HasPrefix(data, []byte(ageIntro)):
		return nil, fail(nil, msgNotSyncFile())
	}
	id, err := agessh.NewEd25519Identity(key)
	if err != nil {
		return nil, fmt.Errorf("syncfile: %w", err)
	}
	dec, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		switch {
		case errors.As(err, &noMatch):
			return nil, fail(err, msgWrongRecipient())
		case !hasHeaderEnd(data) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			// The header never ends, or the payload is missing.
			return nil, fail(err, msgTruncated())
		}
		return nil, fail(err, msgDamaged())
	}
	content, err := io.ReadAll(dec)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || (err != nil && cutShort(content, data)):
		return nil, fail(err, msgTruncated())
	case err != nil:
		return nil, fail(err, msgDamaged())
	}
	return content, nil
}

// age's payload: a 16-byte nonce, then blocks of up to 64 KiB of
// plaintext, each with a 16-byte tag.
const (
	ageNonce = 16
	ageChunk = 64 << 10
	ageTag   = 16
)

// cutShort reports whether a file whose payload failed in a later block
// is shorter than the sealed content it began with says it is: a block
// cut in the middle fails like a changed one, but here the first block
// (authentic, as age checked it) gives the length of the whole.
func cutShort(partial, data []byte) bool {
	p := len(magic) + 4
	if len(partial) < p || string(partial[:len(magic)]) != magic {
		return false
	}
	p += int(partial[p-1]) + ed25519.PublicKeySize
	if len(partial) < p+4 {
		return false
	}
	plain := int64(p+4) + int64(binary.BigEndian.Uint32(partial[p:])) + ed25519.SignatureSize
	chunks := max(1, (plain+ageChunk-1)/ageChunk)
	i := bytes.Index(data, []byte("\n--- "))
	j := bytes.IndexByte(data[i+1:], '\n')
	if i < 0 || j < 0 {
		return false
	}
	payload := int64(len(data) - (i + 1 + j + 1))
	return payload < ageNonce+plain+chunks*ageTag
}

// hasHeaderEnd reports whether data has the line that ends an age header
// ("--- " and the MAC, 43 base64 characters), whatever is after it.
func hasHeaderEnd(data []byte) bool {
	i := bytes.Index(data, []byte("\n--- "))
	return i >= 0 && len(data) >= i+len("\n--- ")+43+1
}

// openContent checks the sealed content and decodes its payload.
func openContent(c []byte, self ed25519.PublicKey, lookup Lookup) (*File, error) {
	if len(c) < len(magic)+2 || string(c[:len(magic)]) != magic {
		return nil, fail(nil, msgNotSyncFile())
	}
	version := int(binary.BigEndian.Uint16(c[len(magic):]))
	if version > Version {
		return nil, fail(nil, msgNewerVersion(version))
	}
	if version < 1 || len(c) < fixedHeader {
		return nil, fail(nil, msgMalformed())
	}
	p := len(magic) + 2
	kind := Kind(c[p])
	n := int(c[p+1])
	p += 2
	if (kind != KindRequest && kind != KindReply) || len(c) < fixedHeader+n {
		return nil, fail(nil, msgMalformed())
	}
	author := string(c[p : p+n])
	if !printableASCII(author) {
		return nil, fail(nil, msgMalformed())
	}
	p += n
	to := ed25519.PublicKey(c[p : p+ed25519.PublicKeySize])
	p += ed25519.PublicKeySize
	length := int64(binary.BigEndian.Uint32(c[p:]))
	p += 4
	if int64(len(c)) != int64(p)+length+ed25519.SignatureSize ||
		author == "" || (kind == KindRequest) == (author == HQAuthor) {
		return nil, fail(nil, msgMalformed())
	}
	if !to.Equal(self) {
		// Signed for another recipient, and re-encrypted to this one.
		return nil, fail(nil, msgWrongRecipient())
	}
	end := p + int(length)
	payload, sig := c[p:end], c[end:]

	pub, revoked, err := lookup(author)
	switch {
	case err != nil:
		return nil, fail(err, msgLookupFailed(author))
	case pub == nil:
		return nil, fail(nil, msgUnknownAuthor(author))
	case len(pub) != ed25519.PublicKeySize:
		return nil, fail(fmt.Errorf("a key of %d bytes", len(pub)), msgLookupFailed(author))
	case !ed25519.Verify(pub, c[:end], sig):
		return nil, fail(nil, msgBadSignature(author))
	case revoked:
		return nil, fail(nil, msgRevokedAuthor(author))
	}

	f := &File{Version: version, Kind: kind, Author: author}
	var into any
	if kind == KindRequest {
		f.Request = new(Request)
		into = f.Request
	} else {
		f.Reply = new(Reply)
		into = f.Reply
	}
	if err := decodePayload(payload, into); err != nil {
		return nil, err
	}
	switch {
	case kind == KindRequest && f.Request.DeviceID != author:
		return nil, fail(fmt.Errorf("request for device %q signed by %q", f.Request.DeviceID, author), msgMalformed())
	case kind == KindReply && len(f.Reply.OpIDs) != len(f.Reply.Push.Results):
		return nil, fail(fmt.Errorf("%d op results and %d op ids", len(f.Reply.Push.Results), len(f.Reply.OpIDs)), msgMalformed())
	case kind == KindReply:
		for i, id := range f.Reply.OpIDs {
			f.Reply.Push.Results[i].ID = id
		}
	}
	return f, nil
}

// decodePayload unzips and decodes a signed payload.
func decodePayload(payload []byte, into any) error {
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return fail(err, msgMalformed())
	}
	lr := &io.LimitedReader{R: zr, N: MaxJSONBytes}
	dec := json.NewDecoder(lr)
	if err := dec.Decode(into); err != nil {
		if lr.N == 0 {
			return fail(err, msgTooLarge())
		}
		return fail(err, msgMalformed())
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return fail(fmt.Errorf("more after the payload: %v", err), msgMalformed())
	}
	return nil
}

// printableASCII reports whether s is made of printable ASCII only, as
// device ids are: an author is named in messages before its signature is
// checked.
func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
