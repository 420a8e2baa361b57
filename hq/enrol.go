package hq

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/sync/protocol"
)

// EnrolmentTTL is how long a one-time enrolment code stays valid.
const EnrolmentTTL = 7 * 24 * time.Hour

// codeLen is the length of an enrolment code: 10 Crockford base32
// characters, 50 random bits, far beyond guessing online within a week.
const codeLen = 10

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewEnrolmentCode makes a random code, formatted XXXXX-XXXXX for reading
// aloud over a phone.
func NewEnrolmentCode() (string, error) {
	var b [codeLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make enrolment code: %w", err)
	}
	out := make([]byte, 0, codeLen+1)
	for i, c := range b {
		if i == codeLen/2 {
			out = append(out, '-')
		}
		out = append(out, crockford[c&31]) // 256 is a multiple of 32: no bias
	}
	return string(out), nil
}

// NormaliseCode reads a code the way a person may type it: any case, with
// or without dashes and spaces, I and L for 1, O for 0 (Crockford's rules).
func NormaliseCode(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ', '\t':
			continue
		case 'I', 'L':
			r = '1'
		case 'O':
			r = '0'
		}
		if r > 127 || !strings.ContainsRune(crockford, r) {
			return "", fmt.Errorf("%q is not an enrolment code", s)
		}
		b.WriteRune(r)
		if b.Len() > codeLen {
			return "", fmt.Errorf("%q is not an enrolment code", s)
		}
	}
	if b.Len() != codeLen {
		return "", fmt.Errorf("an enrolment code has %d characters", codeLen)
	}
	return b.String(), nil
}

func hashCode(normalised string) []byte {
	h := sha256.Sum256([]byte("safeer-enrol-v1\x00" + normalised))
	return h[:]
}

// HashToken is what HQ stores of a device token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateEnrolment stores a new one-time code for a device of the given
// governorates and returns the code (the only time it exists in clear).
// The audit entry, in the same transaction, says who made it, for which
// device and governorates, and until when; never the code.
func CreateEnrolment(ctx context.Context, st Store, governorates []string, name string, by Actor, now time.Time) (code string, expires time.Time, err error) {
	govs := NormaliseScopes(governorates)
	if len(govs) == 0 {
		return "", time.Time{}, errors.New("name at least one governorate (--governorate OM-MA)")
	}
	for _, g := range govs {
		if !KnownGovernorate(g) {
			return "", time.Time{}, fmt.Errorf("%q is not a governorate code of Oman (OM-MA, OM-DA, OM-BS, …)", g)
		}
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", time.Time{}, errors.New("give the device a name (--name), so the devices list says whose it is")
	}
	code, err = NewEnrolmentCode()
	if err != nil {
		return "", time.Time{}, err
	}
	norm, _ := NormaliseCode(code)
	e := Enrolment{CodeHash: hashCode(norm), Governorates: govs, Name: name,
		CreatedAt: now.UTC(), ExpiresAt: now.Add(EnrolmentTTL).UTC()}
	err = st.Write(ctx, func(tx Tx) error {
		if err := tx.PutEnrolment(ctx, e); err != nil {
			return err
		}
		return tx.AddAudit(ctx, by.entry(now, "device.enrol", name,
			fmt.Sprintf("governorates %s; code valid until %s", strings.Join(govs, ", "), e.ExpiresAt.Format(time.RFC3339))))
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, e.ExpiresAt, nil
}

// enrolError is a refusal to enrol, with its HTTP status and code.
type enrolError struct {
	status int
	code   string
	msg    string
}

func (e *enrolError) Error() string { return e.msg }

// validDeviceID keeps device ids to what fits in a clock stamp and a log
// line: UUIDs and the like.
func validDeviceID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// DecodeEnrol reads an enrolment request body (plain or gzip JSON).
func DecodeEnrol(raw []byte) (protocol.EnrolRequest, error) {
	var req protocol.EnrolRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, fmt.Errorf("the enrolment is not valid JSON: %w", err)
	}
	return req, nil
}

// maxOpenChallenges bounds the unexpired challenges of one code: a device
// needs one per attempt, and nobody may fill HQ's table with them.
const maxOpenChallenges = 10

// DecodeEnrolChallenge reads an enrolment challenge request body.
func DecodeEnrolChallenge(raw []byte) (protocol.EnrolChallengeRequest, error) {
	var req protocol.EnrolChallengeRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, fmt.Errorf("the challenge request is not valid JSON: %w", err)
	}
	return req, nil
}

// hashNonce is what HQ stores of an enrolment nonce.
func hashNonce(nonce string) []byte {
	h := sha256.Sum256([]byte("safeer-enrol-nonce-v1\x00" + nonce))
	return h[:]
}

// enrolChallenge hands out a random single-use nonce for enrolling with a
// known, unexpired code (used or not: a retry needs one too), valid for
// protocol.EnrolChallengeTTL, and keeps its hash. Expired challenges are
// purged on the way.
func (s *Server) enrolChallenge(ctx context.Context, req protocol.EnrolChallengeRequest) (protocol.EnrolChallenge, error) {
	code, err := NormaliseCode(req.Code)
	if err != nil {
		return protocol.EnrolChallenge{}, &enrolError{403, protocol.ErrBadCode, "the enrolment code is not valid: " + err.Error()}
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return protocol.EnrolChallenge{}, fmt.Errorf("make enrolment nonce: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now().UTC()
	n := EnrolNonce{NonceHash: hashNonce(nonce), CodeHash: hashCode(code), CreatedAt: now, ExpiresAt: now.Add(protocol.EnrolChallengeTTL)}
	err = s.store.Write(ctx, func(tx Tx) error {
		e, found, err := tx.Enrolment(ctx, n.CodeHash)
		if err != nil {
			return err
		}
		if !found || !now.Before(e.ExpiresAt) {
			return errBadCode
		}
		if err := tx.PurgeEnrolNonces(ctx, now); err != nil {
			return err
		}
		open, err := tx.EnrolNonces(ctx, n.CodeHash)
		if err != nil {
			return err
		}
		if open >= maxOpenChallenges {
			return &enrolError{429, protocol.ErrTooMany, fmt.Sprintf(
				"too many enrolment attempts with this code at once: wait %d minutes and try again", int(protocol.EnrolChallengeTTL.Minutes()))}
		}
		return tx.PutEnrolNonce(ctx, n)
	})
	if err != nil {
		return protocol.EnrolChallenge{}, err
	}
	return protocol.EnrolChallenge{Nonce: nonce, ExpiresAt: n.ExpiresAt}, nil
}

var errBadCode = &enrolError{403, protocol.ErrBadCode, "the enrolment code is unknown, already used or expired: ask HQ for a new one"}

// checkPossession spends the request's nonce (whatever the outcome, so a
// nonce is never good twice) and checks that it is HQ's, unexpired, asked
// for this code, and signed by the private key of the public key sent.
func (s *Server) checkPossession(ctx context.Context, req protocol.EnrolRequest, codeHash []byte) error {
	if req.Nonce == "" || len(req.Nonce) > 128 {
		return &enrolError{403, protocol.ErrBadNonce, "the enrolment carries no challenge: ask HQ for one first (" + protocol.PathEnrolChallenge + ")"}
	}
	var n EnrolNonce
	var found bool
	err := s.store.Write(ctx, func(tx Tx) (err error) {
		n, found, err = tx.TakeEnrolNonce(ctx, hashNonce(req.Nonce))
		return err
	})
	if err != nil {
		return err
	}
	if !found || !s.now().Before(n.ExpiresAt) || !bytes.Equal(n.CodeHash, codeHash) {
		return &enrolError{403, protocol.ErrBadNonce, "the enrolment challenge is unknown, already used, expired or for another code: ask HQ for a new one"}
	}
	if !protocol.VerifyEnrol(req) {
		return &enrolError{403, protocol.ErrBadSignature, "the enrolment is not signed with the device's key"}
	}
	return nil
}

// enrol trades a one-time code for a token. The device first proves it
// holds the private key of the public key it sends, by signing a nonce HQ
// gave it (checkPossession). The code is spent in the same transaction
// that stores the device. If the reply was lost and the same device (same
// id and key, which it has just proved it holds) retries with the same
// code before it ever synced, it gets a fresh token: the first one never
// reached it.
func (s *Server) enrol(ctx context.Context, req protocol.EnrolRequest) (protocol.EnrolResponse, error) {
	code, err := NormaliseCode(req.Code)
	if err != nil {
		return protocol.EnrolResponse{}, &enrolError{403, protocol.ErrBadCode, "the enrolment code is not valid: " + err.Error()}
	}
	if !validDeviceID(req.DeviceID) {
		return protocol.EnrolResponse{}, &enrolError{400, protocol.ErrBadRequest, "the device id must be 1–64 letters, digits, - or _"}
	}
	if len(req.PublicKey) != ed25519.PublicKeySize {
		return protocol.EnrolResponse{}, &enrolError{400, protocol.ErrBadRequest, "the public key must be a 32-byte Ed25519 key"}
	}
	if err := s.checkPossession(ctx, req, hashCode(code)); err != nil {
		return protocol.EnrolResponse{}, err
	}
	token, err := newToken()
	if err != nil {
		return protocol.EnrolResponse{}, err
	}
	now := s.now().UTC()
	pub := ed25519.PublicKey(req.PublicKey)
	endorsement := certificate.Endorse(s.key, req.DeviceID, pub)
	var dev Device
	badCode := errBadCode
	err = s.store.Write(ctx, func(tx Tx) error {
		e, found, err := tx.Enrolment(ctx, hashCode(code))
		if err != nil {
			return err
		}
		if !found || !now.Before(e.ExpiresAt) {
			return badCode
		}
		existing, exists, err := tx.Device(ctx, req.DeviceID)
		if err != nil {
			return err
		}
		if !e.UsedAt.IsZero() {
			retry := e.DeviceID == req.DeviceID && exists && !existing.Revoked() &&
				existing.LastSeen.IsZero() && string(existing.PublicKey) == string(req.PublicKey)
			if !retry {
				return badCode
			}
			dev = existing
			dev.TokenHash = HashToken(token)
			return tx.PutDevice(ctx, dev)
		}
		if exists {
			// The same computer enrolling again with a new code: its
			// database came back from a backup, which holds no token
			// (data/backup.go). It proved it holds the device's key, so
			// it gets a new token (the old one stops working) and the new
			// code's governorates. A revoked device stays revoked.
			switch {
			case existing.Revoked():
				return &enrolError{403, protocol.ErrDeviceRevoked, "this device was revoked at HQ and cannot enrol again"}
			case string(existing.PublicKey) != string(req.PublicKey):
				return &enrolError{400, protocol.ErrBadRequest, "a device with this id is already enrolled, with another key"}
			}
			dev = existing
			dev.TokenHash, dev.Governorates = HashToken(token), e.Governorates
			if err := tx.PutDevice(ctx, dev); err != nil {
				return err
			}
			e.UsedAt, e.DeviceID = now, req.DeviceID
			if err := tx.PutEnrolment(ctx, e); err != nil {
				return err
			}
			return tx.AddAudit(ctx, AuditEntry{At: now, Admin: "device", Action: "device.reenrol", Target: dev.ID,
				Detail: "enrolled again (restored from a backup?): " + strings.Join(dev.Governorates, ", ")})
		}
		name := e.Name
		if n := strings.TrimSpace(req.Name); n != "" && len(n) <= 200 && cleanID(n) {
			name = e.Name + " (" + n + ")"
		}
		dev = Device{ID: req.DeviceID, Name: name, TokenHash: HashToken(token), Governorates: e.Governorates,
			PublicKey: req.PublicKey, Endorsement: endorsement, EnrolledAt: now}
		if err := tx.PutDevice(ctx, dev); err != nil {
			return err
		}
		e.UsedAt, e.DeviceID = now, req.DeviceID
		return tx.PutEnrolment(ctx, e)
	})
	if err != nil {
		return protocol.EnrolResponse{}, err
	}
	return protocol.EnrolResponse{
		Token:        token,
		DeviceID:     dev.ID,
		Governorates: dev.Governorates,
		Endorsement:  dev.Endorsement,
		HQPublicKey:  s.key.Public().(ed25519.PublicKey),
		Clock:        s.clock.Now().String(),
		// Every enrolment, a re-enrolment too: the device escrows its data
		// key to it (data.Store.SetEscrowRecipient).
		RecoveryRecipient: s.recovery,
	}, nil
}

// setRecoveryRecipient checks and keeps HQ's recovery recipient (issue
// 14): an age X25519 public key, as safeer-hq recovery-key prints it.
func (s *Server) setRecoveryRecipient(r string) error {
	r = strings.TrimSpace(r)
	if r == "" {
		return nil
	}
	rec, err := age.ParseX25519Recipient(r)
	if err != nil {
		return fmt.Errorf("HQ's recovery key %q is not an age public key (age1…, from safeer-hq recovery-key): %w", r, err)
	}
	s.recovery = rec.String()
	return nil
}
