package hq

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Store is HQ's database. Two backends implement it, hq/sqlite (one file,
// zero set-up) and hq/postgres, and both pass the suite in
// internal/testharness/storetest; cmd/safeer-hq opens the one a DSN names
// (StoreKind).
// The sync rules (scope, merge, conflicts) live in package hq and reach the
// database only through these methods, so the backends stay small and hold
// no policy of their own.
type Store interface {
	// Meta returns the database's epoch, last sequence number and saved clock.
	Meta(ctx context.Context) (Meta, error)
	// Write runs fn in one transaction that holds HQ's write lock from its
	// start to its commit: writers are serialised, and a sequence number
	// taken with Tx.NextSeq becomes visible together with every smaller one.
	// An error from fn rolls everything back and is returned as is.
	Write(ctx context.Context, fn func(Tx) error) error
	// Changes returns up to limit rows with seq > after, in seq order, that
	// are place rows or whose scope is one of scopes. It also returns the
	// last sequence number committed before the rows were read: every row
	// at or below it is visible to this read.
	Changes(ctx context.Context, after int64, scopes []string, limit int) (rows []Row, committed int64, err error)
	// Row reads one row outside a transaction.
	Row(ctx context.Context, table, id string) (Row, bool, error)
	// DeviceByToken finds the device whose token hashes to tokenHash.
	DeviceByToken(ctx context.Context, tokenHash []byte) (Device, bool, error)
	// Devices lists every enrolled device, revoked ones too, oldest first.
	Devices(ctx context.Context) ([]Device, error)
	// TouchDevice records a request of the device: always last_seen, and
	// last_push or last_pull as the request was.
	TouchDevice(ctx context.Context, id string, kind Touch, at time.Time) error
	// PendingConflicts counts unresolved conflict rows in the scopes.
	PendingConflicts(ctx context.Context, scopes []string) (int, error)

	// CertificatesByCode returns the certificate rows whose "code" field
	// is code (a canonical verification code), normally one or none, the
	// first created first: by the seq each row was created under (which
	// later writes never change), then by seq and id. So the first row is
	// always the original, and a later row with the same code never
	// shadows it. Backends answer it from an index on the code.
	CertificatesByCode(ctx context.Context, code string) ([]Row, error)
	// ListRows returns up to q.Limit rows of q.Table with id > q.After, in
	// id order (keyset pages for HQ's web pages and exports).
	ListRows(ctx context.Context, q RowQuery) ([]Row, error)

	// Admin finds an administrator's account by name.
	Admin(ctx context.Context, name string) (Admin, bool, error)
	// Admins lists the accounts, by name.
	Admins(ctx context.Context) ([]Admin, error)
	// PutSession stores a new signed-in session.
	PutSession(ctx context.Context, s Session) error
	// Session finds a session by the hash of its id (expired ones too:
	// the caller checks ExpiresAt).
	Session(ctx context.Context, idHash []byte) (Session, bool, error)
	// DeleteSession ends a session (deleting an unknown one is no error).
	DeleteSession(ctx context.Context, idHash []byte) error
	// PurgeSessions deletes the sessions that expired before now.
	PurgeSessions(ctx context.Context, now time.Time) error
	// AuditLog returns up to limit entries with ID < before (0: from the
	// newest), newest first.
	AuditLog(ctx context.Context, before int64, limit int) ([]AuditEntry, error)

	SyncFileStore // sync files and their replies (syncfile.go)

	Close() error
}

// RowQuery selects rows for Store.ListRows.
type RowQuery struct {
	Table string
	// Scopes, when not nil, keeps the rows whose scope is one of them.
	Scopes []string
	// PendingOnly keeps unresolved conflict rows only.
	PendingOnly bool
	After       string // id to continue after; "" for the first page
	Limit       int    // 1 to MaxListRows
}

// MaxListRows bounds one page of Store.ListRows.
const MaxListRows = 5000

// Admin is an account of HQ's web console.
type Admin struct {
	Name         string
	PasswordHash string // PHC string ($argon2id$…), never the password
	CreatedAt    time.Time
	DisabledAt   time.Time // zero while the account may sign in
}

// Disabled reports whether the account may no longer sign in.
func (a Admin) Disabled() bool { return !a.DisabledAt.IsZero() }

// Session is a signed-in administrator. HQ keeps only the hash of the
// session id (the cookie's value), as with device tokens.
type Session struct {
	IDHash    []byte
	Admin     string
	CSRF      string // the token every form of this session carries
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SignInFailures is what HQ remembers of failed sign-ins under one name,
// so that an account's back-off holds whatever address the guesses come
// from and whichever HQ process answers them (it lives in the database).
// Names that are no account are counted the same way, so the back-off does
// not tell which names exist.
type SignInFailures struct {
	Name        string
	Count       int       // failures since the count last started again
	LastFailure time.Time // the latest one
	LockedUntil time.Time // no attempt before then; zero: none pending
}

// AuditEntry is one administrator action, kept for good.
type AuditEntry struct {
	ID     int64 // assigned by the store, increasing
	At     time.Time
	Admin  string // account name, or "cli" for safeer-hq commands
	Action string // e.g. "certificate.revoke", "device.enrol", "signin"
	Target string // what it acted on (a code, a device id, a person id)
	Detail string // words: the reason, the governorates, …
	Remote string // client address, for web actions
}

// Tx is a write transaction (see Store.Write).
type Tx interface {
	// Clock is HQ's saved clock as of the start of the transaction.
	Clock() string
	// SaveClock stores HQ's clock; it never moves backwards.
	SaveClock(ctx context.Context, hlc string) error
	// NextSeq takes the next number of the change sequence.
	NextSeq(ctx context.Context) (int64, error)
	// TouchDevice is Store.TouchDevice inside the transaction: the push
	// queue records its devices' requests with the group it applies
	// rather than as a write of their own each.
	TouchDevice(ctx context.Context, id string, kind Touch, at time.Time) error
	// SetEpoch gives the database a new epoch: every device's cursor
	// becomes invalid and it re-pulls from the start. hq.ResetEpoch calls
	// it with a new random epoch and the audit entry, which commit together.
	SetEpoch(ctx context.Context, epoch string) error

	// AppliedOp finds the record of the op opID of device deviceID: op
	// ids are unique per device only, so another device's op with the
	// same id is another op.
	AppliedOp(ctx context.Context, deviceID, opID string) (AppliedOp, bool, error)
	// RecordOp records an applied op under (op.DeviceID, op.OpID), a key:
	// recording the same pair twice fails.
	RecordOp(ctx context.Context, op AppliedOp) error

	// AppliedOps returns the records of those of the device's ops opIDs
	// that HQ has applied, in any order (a push reads its batch's at once).
	AppliedOps(ctx context.Context, deviceID string, opIDs []string) ([]AppliedOp, error)

	Row(ctx context.Context, table, id string) (Row, bool, error)
	// Rows returns the stored rows among keys, in any order; keys HQ holds
	// no row for are left out.
	Rows(ctx context.Context, keys []RowKey) ([]Row, error)
	// PutRow inserts or replaces the row (table, id).
	PutRow(ctx context.Context, r Row) error
	// Children returns the rows whose Parent is id.
	Children(ctx context.Context, id string) ([]Row, error)
	// MergedInto returns the person rows whose merged_into is id, in id
	// order (backends answer it from an index).
	MergedInto(ctx context.Context, id string) ([]Row, error)
	// CertificatesByCode is Store.CertificatesByCode inside the
	// transaction: rows written earlier in it count.
	CertificatesByCode(ctx context.Context, code string) ([]Row, error)

	Enrolment(ctx context.Context, codeHash []byte) (Enrolment, bool, error)
	// PutEnrolment inserts or updates the enrolment with e.CodeHash.
	PutEnrolment(ctx context.Context, e Enrolment) error
	// PutEnrolNonce stores a new enrolment challenge (its hash is a key).
	PutEnrolNonce(ctx context.Context, n EnrolNonce) error
	// TakeEnrolNonce deletes the challenge whose nonce hashes to nonceHash
	// and returns it: each can be taken once (expired ones too: the
	// caller checks ExpiresAt).
	TakeEnrolNonce(ctx context.Context, nonceHash []byte) (EnrolNonce, bool, error)
	// PurgeEnrolNonces deletes the challenges expired at t (ExpiresAt <= t).
	PurgeEnrolNonces(ctx context.Context, t time.Time) error
	// EnrolNonces counts the stored challenges asked for the code.
	EnrolNonces(ctx context.Context, codeHash []byte) (int, error)
	Device(ctx context.Context, id string) (Device, bool, error)
	// PutDevice inserts or updates the device; it leaves the last_seen,
	// last_push and last_pull times alone (TouchDevice keeps those).
	PutDevice(ctx context.Context, d Device) error

	// PutAdmin inserts or updates the account with a.Name.
	PutAdmin(ctx context.Context, a Admin) error
	// DeleteSessionsOf ends every session of the account, committed with
	// the change that calls for it (a new password, a disabled account),
	// and says how many there were.
	DeleteSessionsOf(ctx context.Context, admin string) (int, error)

	// SignInFailures reads the failed sign-ins counted against a name as
	// typed on the sign-in form, an account's or not.
	SignInFailures(ctx context.Context, name string) (SignInFailures, bool, error)
	// PutSignInFailures inserts or replaces the entry of f.Name.
	PutSignInFailures(ctx context.Context, f SignInFailures) error
	// ClearSignInFailures forgets a name's failures (deleting an unknown
	// one is no error).
	ClearSignInFailures(ctx context.Context, name string) error
	// PurgeSignInFailures deletes the entries whose last failure and lock
	// both ended before the time given.
	PurgeSignInFailures(ctx context.Context, before time.Time) error
	// AddAudit appends an entry to the audit log, committed (or rolled
	// back) with the change it records.
	AddAudit(ctx context.Context, e AuditEntry) error

	SyncFileTx // sync files and their replies (syncfile.go)
}

// Meta is the database's identity.
type Meta struct {
	Epoch string // random, new for every new or reset database
	Seq   int64  // last sequence number committed
	Clock string // HQ's saved clock
}

// Row is one synced row as HQ stores it. Data is JSON
// {field: {"v": value, "h": stamp, "r": seq of the write that set it}}; the
// other columns are derived from it by package hq when the row is written.
type Row struct {
	Table  string
	ID     string
	Scope  string // governorate code whose devices pull the row ("" for place)
	Parent string // the row whose scope this one inherits (attendance → workshop, …)
	Seq    int64  // position in the change sequence; the row's revision
	// Pending marks an unresolved conflict row.
	Pending bool
	Data    []byte
}

// RowKey names a row.
type RowKey struct{ Table, ID string }

// AppliedOp records an op HQ has applied, so a retry is recognised. It is
// keyed on (DeviceID, OpID).
type AppliedOp struct {
	OpID        string
	PayloadHash []byte
	DeviceID    string // the device that pushed it
	AppliedAt   time.Time
}

// Device is an enrolled device. Zero times mean "never".
type Device struct {
	ID           string
	Name         string
	TokenHash    []byte // SHA-256 of the token; HQ never keeps the token
	Governorates []string
	PublicKey    []byte // the device's Ed25519 certificate-signing key
	Endorsement  []byte // HQ's signature over ID and PublicKey
	EnrolledAt   time.Time
	RevokedAt    time.Time
	LastSeen     time.Time
	LastPush     time.Time
	LastPull     time.Time
}

// Revoked reports whether the device may no longer sync.
func (d Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// Enrolment is a one-time code an admin made for a new device.
type Enrolment struct {
	CodeHash     []byte // SHA-256 of the normalised code
	Governorates []string
	Name         string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       time.Time
	DeviceID     string // who used it
}

// EnrolNonce is an enrolment challenge HQ handed out: HQ keeps the hash
// of the nonce only, like device tokens.
type EnrolNonce struct {
	NonceHash []byte
	CodeHash  []byte // the code it was asked for
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Touch says what kind of request TouchDevice records.
type Touch int

const (
	TouchSeen Touch = iota
	TouchPush
	TouchPull
)

// StoreKind says which backend a DSN names: "postgres" for postgres:// and
// postgresql:// URLs, "sqlite" for a file path.
func StoreKind(dsn string) (string, error) {
	lower := strings.ToLower(dsn)
	switch {
	case dsn == "":
		return "", errors.New("no database given: pass a SQLite file path or a postgres:// URL")
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return "postgres", nil
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return "", fmt.Errorf("database %q: unsupported kind %q (use a SQLite file path or a postgres:// URL)", RedactDSN(dsn), scheme)
	}
	return "sqlite", nil
}

// RedactDSN hides the password of a postgres URL for messages and logs.
func RedactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	userinfo := rest[:at]
	if user, _, hasPW := strings.Cut(userinfo, ":"); hasPW {
		return scheme + "://" + user + ":xxxxx" + rest[at:]
	}
	return dsn
}

// NormaliseScopes sorts and de-duplicates governorate codes.
func NormaliseScopes(govs []string) []string {
	out := make([]string, 0, len(govs))
	seen := map[string]bool{}
	for _, g := range govs {
		g = strings.ToUpper(strings.TrimSpace(g))
		if g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}
