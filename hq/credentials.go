package hq

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/sync/protocol"
)

// HQ issues an Open Badges 3.0 credential (package credential, issue 16)
// for every certificate it holds, whichever way it learnt of it: a
// device's push, an administrator's edit, a merge. Credentials follow the
// certificate rows of the change sequence rather than any one code path:
// Credentials reads the certificate rows written since its cursor and, for
// each, issues the credential the first time (kept for good: a reprint
// writes no row, so keeps it; a reissue after a name correction is a new
// certificate row, so a new credential, and revokes the old certificate,
// whose credential's bit is then set) and copies its revocation into the
// credential. Writes to the store nudge it (Store wraps the store HQ's
// server writes through), and every read of credentials first catches up,
// so the revocation list served is never behind the certificates HQ holds.

// StoredCredential is a credential as HQ keeps it.
type StoredCredential struct {
	CertificateID string
	Code          string // the certificate's verification code, canonical
	PersonID      string // the ambassador, as the certificate's attendance named them at issue
	Scope         string // the certificate's governorate at issue
	StatusIndex   int    // its bit in the revocation list
	JWT           string // the signed credential (compact JWS)
	IssuedAt      time.Time
	RevokedAt     time.Time // zero unless revoked
}

// Revoked reports whether the credential's bit is set.
func (c StoredCredential) Revoked() bool { return !c.RevokedAt.IsZero() }

// CredentialStore is what a store keeps of credentials (migration 9).
// hq/sqlite and hq/postgres implement it beside Store.
type CredentialStore interface {
	// CredentialCursor is the sequence number up to which every
	// certificate row has been given its credential.
	CredentialCursor(ctx context.Context) (int64, error)
	// SaveCredentialCursor moves the cursor forward to seq (never back).
	SaveCredentialCursor(ctx context.Context, seq int64) error
	// CertificateRowsAfter is Changes for certificate rows, whatever
	// their scope: up to limit rows with seq > after, in seq order, and
	// the last sequence number committed before they were read.
	CertificateRowsAfter(ctx context.Context, after int64, limit int) (rows []Row, committed int64, err error)
	// CredentialsOf returns the credentials of those certificates that
	// have one, in any order.
	CredentialsOf(ctx context.Context, certificateIDs []string) ([]StoredCredential, error)
	// AddCredential stores a new credential; added is false, and nothing
	// stored, when its certificate already has one or its status index is
	// taken.
	AddCredential(ctx context.Context, c StoredCredential) (added bool, err error)
	// SetCredentialRevoked sets (at not zero) or clears the revocation of
	// a certificate's credential.
	SetCredentialRevoked(ctx context.Context, certificateID string, at time.Time) error
	// RevokedStatusIndexes lists the status indexes of revoked credentials.
	RevokedStatusIndexes(ctx context.Context) ([]int, error)
	// CountCredentials counts the credentials issued.
	CountCredentials(ctx context.Context) (int, error)
	// CredentialsOfPerson lists a person's credentials, oldest first.
	CredentialsOfPerson(ctx context.Context, personID string) ([]StoredCredential, error)
}

// Credentials issues HQ's credentials and keeps their revocations; see
// the comment at the top of this file. It is safe for concurrent use.
type Credentials struct {
	st     Store
	cs     CredentialStore
	issuer *credential.Issuer
	log    *slog.Logger
	now    func() time.Time

	mu sync.Mutex // one catch-up at a time
	// started numbers the catch-ups as they start; finished is the number
	// of the last that succeeded (under mu).
	started  atomic.Int64
	finished int64
	loaded   bool
	cursor   int64
	saved    int64 // the cursor as last saved

	nudge chan struct{}
	// clock stamps the credential rows HQ writes for the devices (see
	// publish); it stays ahead of the clock HQ's server saves, as a second
	// HQ process would.
	clock *protocol.Clock
}

// credentialPage is how many certificate rows a catch-up reads at once.
const credentialPage = 500

// cursorSaveEvery is how far the cursor may move past other rows before
// it is saved anyway.
const cursorSaveEvery = 10000

// CredentialOptions configure NewCredentials; the zero value is fine.
type CredentialOptions struct {
	Logger *slog.Logger
	Now    func() time.Time // the wall clock (tests); HQ's server's own
}

// NewCredentials issues credentials as is for the certificates of st,
// which must also be a CredentialStore (both of HQ's stores are). HQ's
// server must write through Store(), so that its writes wake the issuer.
func NewCredentials(st Store, is *credential.Issuer, opt CredentialOptions) (*Credentials, error) {
	cs, ok := st.(CredentialStore)
	if !ok {
		return nil, fmt.Errorf("the %T store keeps no credentials", st)
	}
	if is == nil {
		return nil, errors.New("credentials need an issuer")
	}
	c := &Credentials{st: st, cs: cs, issuer: is, log: opt.Logger, now: opt.Now, nudge: make(chan struct{}, 1)}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.clock = protocol.NewClock(protocol.HQDevice, protocol.HLC{}, c.now)
	if opt.Now != nil {
		c.clock.SetMonotonic(func() time.Duration { return 0 })
	}
	return c, nil
}

// Issuer is the credentials' issuer.
func (c *Credentials) Issuer() *credential.Issuer { return c.issuer }

// Store is the store to build HQ's server on: every write that commits
// through it wakes the issuer (Run), which then issues the credentials of
// the certificates written. The write itself waits for nothing.
func (c *Credentials) Store() Store { return &nudgingStore{Store: c.st, c: c} }

type nudgingStore struct {
	Store
	c *Credentials
}

func (n *nudgingStore) Write(ctx context.Context, fn func(Tx) error) error {
	err := n.Store.Write(ctx, fn)
	if err == nil {
		select {
		case n.c.nudge <- struct{}{}:
		default:
		}
	}
	return err
}

// Run catches up whenever a write was committed, and every minute (for
// another HQ process writing to the same database), until ctx ends.
func (c *Credentials) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := c.CatchUp(ctx); err != nil && ctx.Err() == nil {
			c.log.Error("issuing credentials", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.nudge:
		case <-t.C:
		}
	}
}

// CatchUp issues the credentials of the certificates written since the
// last catch-up and copies their revocations, then moves the cursor.
//
// Callers that queue behind a catch-up which started after they arrived
// share it rather than run another: every write committed before they
// asked was visible to it. So a burst of readers (the revocation list,
// /verify) costs one catch-up, not one each in a row.
func (c *Credentials) CatchUp(ctx context.Context) error {
	arrived := c.started.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished > arrived {
		return nil
	}
	run := c.started.Add(1)
	if err := c.catchUp(ctx); err != nil {
		return err
	}
	c.finished = run
	return nil
}

func (c *Credentials) catchUp(ctx context.Context) error {
	if !c.loaded {
		cur, err := c.cs.CredentialCursor(ctx)
		if err != nil {
			return err
		}
		c.cursor, c.saved, c.loaded = cur, cur, true
	}
	for {
		rows, committed, err := c.cs.CertificateRowsAfter(ctx, c.cursor, credentialPage)
		if err != nil {
			return err
		}
		if err := c.apply(ctx, rows); err != nil {
			return err
		}
		next := c.cursor
		if len(rows) > 0 {
			next = rows[len(rows)-1].Seq
		}
		full := len(rows) == credentialPage
		if !full {
			// Everything committed up to the counter was visible.
			next = max(next, committed)
		}
		// The cursor is saved when certificates were read, or after a long
		// run of other writes: not after every push (a write each, in the
		// writer's queue). Starting from an older cursor only reads again
		// certificates already given their credentials.
		if next != c.cursor && (len(rows) > 0 || next-c.saved >= cursorSaveEvery) {
			if err := c.cs.SaveCredentialCursor(ctx, next); err != nil {
				return err
			}
			c.saved = next
		}
		c.cursor = next
		if !full {
			return nil
		}
	}
}

// apply brings the credentials of a page of certificate rows up to date.
func (c *Credentials) apply(ctx context.Context, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	have, err := c.cs.CredentialsOf(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]StoredCredential, len(have))
	for _, h := range have {
		byID[h.CertificateID] = h
	}
	for _, r := range rows {
		v, err := RowValues(r)
		if err != nil {
			// A damaged row must not hold up every other certificate and
			// the revocation list: it is left, and logged.
			c.log.Warn("a certificate row HQ cannot read gets no credential", "certificate", r.ID, "err", err)
			continue
		}
		revokedAt := certificateRevokedAt(v, c.now())
		if h, ok := byID[r.ID]; ok {
			if h.Revoked() != !revokedAt.IsZero() {
				if err := c.cs.SetCredentialRevoked(ctx, r.ID, revokedAt); err != nil {
					return err
				}
			}
			continue
		}
		if err := c.issue(ctx, r, v, revokedAt); err != nil {
			return err
		}
	}
	have, err = c.cs.CredentialsOf(ctx, ids)
	if err != nil {
		return err
	}
	return c.publish(ctx, rows, have)
}

// publish writes, for each credential of the page's certificates, the
// synced credential row the devices of the certificate's governorate pull
// (its id the certificate's, its parent the certificate, so it moves with
// it), when the row does not say what the credential is now: its token
// and revocation. One transaction for the page.
func (c *Credentials) publish(ctx context.Context, certs []Row, have []StoredCredential) error {
	byID := make(map[string]StoredCredential, len(have))
	for _, h := range have {
		byID[h.CertificateID] = h
	}
	return c.st.Write(ctx, func(tx Tx) error {
		if saved, err := protocol.ParseHLC(tx.Clock()); err == nil {
			c.clock.Observe(saved)
		}
		wrote := ""
		for _, r := range certs {
			cr, ok := byID[r.ID]
			if !ok {
				continue
			}
			want := map[string]any{safeer.FieldCertificateID: cr.CertificateID, safeer.FieldCode: cr.Code, safeer.FieldJWT: cr.JWT, safeer.FieldRevokedAt: ""}
			if cr.Revoked() {
				want[safeer.FieldRevokedAt] = cr.RevokedAt.UTC().Format(time.RFC3339)
			}
			stored, found, err := tx.Row(ctx, CredentialTable, r.ID)
			if err != nil {
				return err
			}
			cur, err := decodeData(stored.Data)
			if err != nil {
				c.log.Warn("a damaged credential row is written anew", "certificate", r.ID, "err", err)
				cur, found = rowData{}, false
			}
			var todo []string
			for k, v := range want {
				if f, ok := cur[k]; !ok || !sameScalar(f.V, v) {
					todo = append(todo, k)
				}
			}
			if len(todo) == 0 && found && stored.Scope == r.Scope {
				continue
			}
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			stamp := c.clock.Now().String()
			for _, k := range todo {
				cur[k] = storedField{V: want[k], H: stamp, R: seq}
			}
			if err := tx.PutRow(ctx, Row{Table: CredentialTable, ID: r.ID, Scope: r.Scope, Parent: r.ID, Seq: seq, Data: cur.encode()}); err != nil {
				return err
			}
			if found && stored.Scope != r.Scope {
				// (The certificate's move normally takes it along.)
				if err := moved(ctx, tx, CredentialTable, r.ID, stored.Scope, r.Scope); err != nil {
					return err
				}
			}
			wrote = stamp
		}
		if wrote == "" {
			return nil
		}
		return tx.SaveClock(ctx, wrote)
	})
}

// CredentialTable is the synced table of the credentials HQ issued.
const CredentialTable = safeer.TableCredential

// certificateRevokedAt is when a certificate row says it was revoked:
// zero when it is not, now when it is but the time is unreadable.
func certificateRevokedAt(v map[string]any, now time.Time) time.Time {
	s, _ := v[safeer.FieldRevokedAt].(string)
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	return now.UTC()
}

// issue signs and stores the credential of a certificate row HQ has not
// issued one for. A certificate it cannot describe (no snapshot, or no
// attendance at HQ yet) is logged and left: its next write brings it back.
func (c *Credentials) issue(ctx context.Context, r Row, v map[string]any, revokedAt time.Time) error {
	cert, ok, err := c.certificateOf(ctx, r, v)
	if err != nil || !ok {
		return err
	}
	code, _ := v[safeer.FieldCode].(string)
	for attempt := range 32 {
		idx := c.statusIndex(r.ID, attempt)
		cert.StatusIndex = idx
		jwt, err := c.issuer.Issue(cert)
		if err != nil {
			c.log.Warn("cannot issue the credential of a certificate", "certificate", r.ID, "err", err)
			return nil
		}
		added, err := c.cs.AddCredential(ctx, StoredCredential{CertificateID: r.ID, Code: code, PersonID: cert.PersonID,
			Scope: r.Scope, StatusIndex: idx, JWT: jwt, IssuedAt: c.now().UTC(), RevokedAt: revokedAt})
		if err != nil {
			return err
		}
		if added {
			return nil
		}
		// The index was taken, or another HQ process issued this
		// certificate's credential meanwhile.
		if have, err := c.cs.CredentialsOf(ctx, []string{r.ID}); err != nil || len(have) > 0 {
			if err == nil && have[0].Revoked() != !revokedAt.IsZero() {
				err = c.cs.SetCredentialRevoked(ctx, r.ID, revokedAt)
			}
			return err
		}
	}
	return fmt.Errorf("certificate %s: no free status index after 32 tries", r.ID)
}

// StatusSpace is the number of entries of HQ's revocation list: 2^20
// (128 KiB of bits, a few hundred bytes gzipped while few are set), eight
// times the minimum Bitstring Status List sets, room for some hundred
// thousand credentials with few collisions.
const StatusSpace = 1 << 20

// statusIndex is a certificate's status index at the given attempt: a
// keyed hash (HMAC-SHA256 under a key derived from HQ's signing key) of
// the certificate's id, in [0, StatusSpace). It looks random, as
// Bitstring Status List advises (an index says nothing of the order of
// issue, and nobody without HQ's key can tell which certificate has
// which), yet is the same every time: two HQ processes, or HQ restored
// from a backup and issuing a certificate's credential again, give it the
// same bit, so a revocation still reaches a credential already handed
// out. A taken index moves to the next attempt.
func (c *Credentials) statusIndex(certificateID string, attempt int) int {
	seed := sha256.Sum256(append([]byte("safeer/credential-status-index/v1\n"), c.issuer.Key.Seed()...))
	m := hmac.New(sha256.New, seed[:])
	m.Write([]byte(certificateID + "/" + strconv.Itoa(attempt)))
	return int(binary.BigEndian.Uint64(m.Sum(nil)) % StatusSpace)
}

// StatusListLength is how many entries the revocation list has: every
// index issued is below it.
func (c *Credentials) StatusListLength(context.Context) (int, error) { return StatusSpace, nil }

// certificateOf is what the credential of a certificate row says: the
// printed certificate (its snapshot) and, from its attendance, the person
// and the workshop.
func (c *Credentials) certificateOf(ctx context.Context, r Row, v map[string]any) (credential.Certificate, bool, error) {
	snap, _ := v[safeer.FieldSnapshot].(string)
	var sc certificate.Certificate
	if snap == "" || json.Unmarshal([]byte(snap), &sc) != nil {
		c.log.Warn("a certificate without a readable snapshot gets no credential", "certificate", r.ID)
		return credential.Certificate{}, false, nil
	}
	attID, _ := v[safeer.FieldAttendanceID].(string)
	if attID == "" {
		attID = r.Parent
	}
	att, found, err := c.st.Row(ctx, safeer.TableAttendance, attID)
	if err != nil {
		return credential.Certificate{}, false, err
	}
	var a map[string]any
	if found {
		if a, err = RowValues(att); err != nil {
			c.log.Warn("a certificate whose attendance HQ cannot read gets no credential", "certificate", r.ID, "err", err)
			return credential.Certificate{}, false, nil
		}
	}
	person, _ := a[safeer.FieldPersonID].(string)
	workshop, _ := a[safeer.FieldWorkshopID].(string)
	if person == "" || workshop == "" {
		c.log.Warn("a certificate whose attendance HQ does not hold gets no credential yet", "certificate", r.ID)
		return credential.Certificate{}, false, nil
	}
	return credential.Certificate{
		ID: r.ID, PersonID: person, WorkshopID: workshop,
		NameAr: sc.PersonNameAr, NameEn: sc.PersonNameEn,
		TitleAr: sc.WorkshopTitleAr, TitleEn: sc.WorkshopTitleEn,
		Date: sc.Date.UTC().Format(time.DateOnly), Hours: sc.Hours,
		WilayatAr: sc.WilayatAr, WilayatEn: sc.WilayatEn, IssuedAt: sc.IssuedAt,
	}, true, nil
}

// RevokedStatuses lists the status indexes of revoked credentials, after
// catching up: the revocation list's bits (hq/web Config.RevokedStatuses).
func (c *Credentials) RevokedStatuses(ctx context.Context) ([]int, error) {
	if err := c.CatchUp(ctx); err != nil {
		return nil, err
	}
	return c.cs.RevokedStatusIndexes(ctx)
}

// Of returns the credential of a certificate, catching up if HQ has not
// issued it yet. A credential already issued is returned without a
// catch-up: its revocation may then lag the certificate's by as long as
// the issuer takes to wake, so the certificate row is what says revoked.
func (c *Credentials) Of(ctx context.Context, certificateID string) (StoredCredential, bool, error) {
	for caughtUp := false; ; caughtUp = true {
		have, err := c.cs.CredentialsOf(ctx, []string{certificateID})
		if err != nil || len(have) > 0 {
			if err != nil {
				return StoredCredential{}, false, err
			}
			return have[0], true, nil
		}
		if caughtUp {
			return StoredCredential{}, false, nil
		}
		if err := c.CatchUp(ctx); err != nil {
			return StoredCredential{}, false, err
		}
	}
}

// OfPerson lists a person's credentials, oldest first, after catching up.
func (c *Credentials) OfPerson(ctx context.Context, personID string) ([]StoredCredential, error) {
	if err := c.CatchUp(ctx); err != nil {
		return nil, err
	}
	return c.cs.CredentialsOfPerson(ctx, personID)
}
