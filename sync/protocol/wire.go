package protocol

import "time"

// The HTTP protocol between a device and HQ. Every request but ping and the
// two of enrolment carries the device's token as "Authorization: Bearer
// TOKEN". Bodies are JSON; push
// bodies are gzip-compressed (Content-Encoding: gzip), and so are replies
// when the client accepts it.

// Paths of the sync API.
const (
	PathPing  = "/v1/ping"  // GET: reachability, no auth, tiny reply
	PathEnrol = "/v1/enrol" // POST EnrolRequest → EnrolResponse
	// POST EnrolChallengeRequest → EnrolChallenge: a nonce for one enrolment request.
	PathEnrolChallenge = "/v1/enrol/challenge"
	PathPush           = "/v1/sync/push"   // POST PushRequest → PushResponse
	PathPull           = "/v1/sync/pull"   // GET ?cursor=EPOCH.SEQ&limit=N → PullResponse
	PathStatus         = "/v1/sync/status" // GET → StatusResponse (what HQ knows of this device)
)

// Limits of one push batch: small enough that a slow link finishes it
// before a timeout, so it is not resent forever.
const (
	MaxBatchOps   = 500
	MaxBatchBytes = 128 << 10 // of the uncompressed JSON
	MaxPullLimit  = 1000
)

// Enrolment is two requests, neither with a token:
//
//  1. POST /v1/enrol/challenge {"code"} → {"nonce", "expires_at"}: HQ
//     answers a known, unexpired code (used or not) with a random nonce,
//     single-use, valid for EnrolChallengeTTL, kept at HQ as a hash.
//  2. POST /v1/enrol EnrolRequest: the code, the device id, the device's
//     Ed25519 public key, the nonce, and the device's signature over
//     EnrolMessage(nonce, device id, code, public key). HQ spends the nonce
//     whatever the answer, checks the signature with the key sent, and only
//     then looks at the code.
//
// The signature proves that the sender holds the private key, which never
// leaves the device. The code, the device id and the public key are not
// secrets (a certificate's QR record carries the last two), so without the
// proof anyone who learnt them could re-run a used code's enrolment (the
// retry HQ allows while the device has never synced) and take a token.
// A device asks for a new challenge for every enrolment attempt.

// EnrolChallengeRequest asks for a nonce to enrol with the code.
type EnrolChallengeRequest struct {
	Code string `json:"code"`
}

// EnrolChallenge is a single-use nonce for one enrolment request.
type EnrolChallenge struct {
	Nonce     string    `json:"nonce"` // base64url, no padding
	ExpiresAt time.Time `json:"expires_at"`
}

// EnrolChallengeTTL is how long a nonce stays valid.
const EnrolChallengeTTL = 5 * time.Minute

// EnrolRequest trades a one-time code for a token. The device sends the
// public key it signs certificates with, for HQ to endorse, and proves it
// holds the private key by signing the nonce HQ gave it (SignEnrol).
type EnrolRequest struct {
	Code      string `json:"code"`
	DeviceID  string `json:"device_id"`
	Name      string `json:"name,omitempty"`
	PublicKey []byte `json:"public_key"` // Ed25519, 32 bytes
	Nonce     string `json:"nonce"`      // from EnrolChallenge
	Signature []byte `json:"signature"`  // Ed25519 over EnrolMessage(Nonce, DeviceID, Code, PublicKey)
}

// EnrolResponse gives the device its long-lived token (HQ keeps only a hash),
// its scope, and HQ's endorsement of its key.
type EnrolResponse struct {
	Token        string   `json:"token"`
	DeviceID     string   `json:"device_id"`
	Governorates []string `json:"governorates"`
	Endorsement  []byte   `json:"endorsement"`   // HQ's Ed25519 signature over the device key
	HQPublicKey  []byte   `json:"hq_public_key"` // for offline verification of certificates
	Clock        string   `json:"clock"`
	// HQ's recovery key (an age X25519 public key, "age1…"), when HQ has
	// one: a protected device wraps its data key to it, so HQ can recover
	// a laptop whose passphrase was forgotten (issue 14).
	RecoveryRecipient string `json:"recovery_recipient,omitempty"`
}

// PushRequest sends a batch of outbox ops, oldest first.
type PushRequest struct {
	Clock string `json:"clock"` // the device's clock now
	Ops   []Op   `json:"ops"`
	// Cursor is the device's pull cursor (EPOCH.SEQ, "" before its first
	// pull). The ops' base revisions are numbers of that epoch: HQ answers
	// 409 must_resync, applying nothing, when it is another epoch's (HQ
	// was restored or reset), so none is read against the new numbers.
	Cursor string `json:"cursor,omitempty"`
}

// Op result statuses.
const (
	Applied    = "applied"   // the op changed HQ's row
	Duplicate  = "duplicate" // HQ had already applied this op id with this content
	Conflicted = "conflict"  // applied, but some field lost to a concurrent edit (logged)
	// Superseded: HQ has the op, but some of its values lost the merge to
	// newer ones that were not concurrent (HQ already held a later stamp the
	// device had seen, or a re-asserted value older than HQ's). Message names
	// the fields; the newer values come back on the next pull. Never
	// reported as "applied", so a device knows its value is not the one kept.
	Superseded = "superseded"
	Rejected   = "rejected" // not applied; Code says why; the device drops it and shows it
)

// Rejection codes.
const (
	CodeClockSkew    = "clock_skew"   // stamped more than MaxAhead ahead of HQ's clock
	CodeOutOfScope   = "out_of_scope" // the row is outside the device's governorates
	CodeUnknownTable = "unknown_table"
	CodeUnknownField = "unknown_field"
	CodeBadValue     = "bad_value"
	CodeOpIDReused   = "op_id_reused" // the same op id came with other content (from the same device)
	CodeNotAuthor    = "not_author"   // a new edit stamped with another device's name
	CodeCodeTaken    = "code_taken"   // a certificate's verification code is already another certificate's
)

// OpResult is HQ's answer for one op: every op gets its own, so one bad op
// never blocks the queue.
type OpResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// PushResponse answers a push with a result per op, in order.
type PushResponse struct {
	Results []OpResult `json:"results"`
	Clock   string     `json:"clock"` // HQ's clock
}

// Change is a row's current state at HQ, every field with the stamp that set
// it. Pull sends whole rows, so applying them with the per-field merge
// converges whatever order they arrive in.
type Change struct {
	Seq    int64            `json:"seq"`
	Table  string           `json:"table"`
	RowID  string           `json:"row"`
	Fields map[string]Field `json:"fields"`
	// Gone says the row has left the device's governorates (an
	// administrator, or a device enrolled for both, moved it): the device
	// drops its copy. Fields is empty then.
	Gone bool `json:"gone,omitempty"`
}

// PullResponse is one page of changes after the cursor, in HQ's order.
type PullResponse struct {
	Changes    []Change `json:"changes"`
	NextCursor string   `json:"next_cursor"` // EPOCH.SEQ
	HasMore    bool     `json:"has_more"`
	Clock      string   `json:"clock"`
}

// StatusResponse is what HQ knows of the device asking: its enrolment, when
// HQ last heard from it, and what waits for it at HQ. A device (or its
// coordinator) can check it without moving any data.
type StatusResponse struct {
	DeviceID         string     `json:"device_id"`
	Name             string     `json:"name,omitempty"`
	Governorates     []string   `json:"governorates"`
	EnrolledAt       time.Time  `json:"enrolled_at"`
	LastPush         *time.Time `json:"last_push,omitempty"`
	LastPull         *time.Time `json:"last_pull,omitempty"`
	PendingConflicts int        `json:"pending_conflicts"` // unresolved, in its governorates
	Cursor           string     `json:"cursor"`            // HQ's newest change, EPOCH.SEQ: an older pull cursor has changes to fetch
	Clock            string     `json:"clock"`
}

// Error codes in ErrorResponse.
const (
	ErrMustResync    = "must_resync"    // 409: HQ's epoch changed (restored or reset)
	ErrDeviceRevoked = "device_revoked" // 401: stop syncing, keep everything
	ErrUnauthorized  = "unauthorized"   // 401: no or unknown token
	ErrBadRequest    = "bad_request"    // 400
	ErrTooLarge      = "too_large"      // 413
	ErrBadCode       = "bad_code"       // 403: enrolment code unknown, used or expired
	ErrBadNonce      = "bad_nonce"      // 403: enrolment nonce missing, unknown, used or expired: ask for a new one
	ErrBadSignature  = "bad_signature"  // 403: the enrolment is not signed by the public key it sends
	ErrTooMany       = "too_many"       // 429: too many open enrolment challenges for the code; wait minutes
)

// ErrorResponse is the body of every non-200 reply.
type ErrorResponse struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
