package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Errors of the client. Every error a run returns is an *Error carrying a
// Problem: the same failure in words a coordinator understands, in English
// and Arabic, and a code the UI and the scheduler act on.
var (
	ErrNotEnrolled = errors.New("this device is not enrolled with HQ")
	ErrRevoked     = errors.New("HQ revoked this device")
	ErrInsecureURL = errors.New("HQ's address must use https")
	// ErrBadEndorsement: HQ's signature over this device's key does not verify.
	ErrBadEndorsement = errors.New("HQ's endorsement of this device's key does not verify")
	// ErrTokenMissing: the database was enrolled but holds no token, as a
	// restored backup does (backups never keep it).
	ErrTokenMissing = errors.New("this database was restored from a backup without HQ's sync token; HQ must enrol this device again")
)

// HTTPError is a reply from HQ other than 200, with HQ's error code.
type HTTPError struct {
	Status  int
	Code    string // protocol.Err* constant, when HQ sent one
	Message string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("HQ answered %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// TransportError is a request that got no complete reply: HQ unreachable,
// the connection cut, a timeout.
type TransportError struct {
	Op      string // "ping", "push", "pull", "enrol"
	Err     error
	Timeout bool // the attempt ran out of time (a push batch is then halved)
}

func (e *TransportError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// ProtocolError is a 200 reply this client cannot use (not JSON, a page
// that does not move). It is not retried.
type ProtocolError struct {
	Op  string
	Err error
}

func (e *ProtocolError) Error() string { return e.Op + ": unexpected reply from HQ: " + e.Err.Error() }
func (e *ProtocolError) Unwrap() error { return e.Err }

// storeError is a failure of the device's own database.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

func local(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{err}
}

// Retryable reports whether a failed request may be sent again: transport
// errors and 5xx replies only. 4xx replies are answers (retrying them
// cannot help), and a cancelled run stops.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500
	}
	var te *TransportError
	return errors.As(err, &te)
}

func isTimeout(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Timeout
}

func httpCode(err error) (int, string) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status, he.Code
	}
	return 0, ""
}

// Problem codes.
const (
	ProblemNotEnrolled  = "not_enrolled"
	ProblemTokenMissing = "token_missing"
	ProblemUnreachable  = "unreachable"
	ProblemTimeout      = "timeout"
	ProblemTLS          = "tls"
	ProblemServer       = "server"
	ProblemRevoked      = "revoked"
	ProblemUnauthorized = "unauthorized"
	ProblemBadCode      = "bad_code"
	ProblemResync       = "must_resync"
	ProblemClockSkew    = "clock_skew"
	ProblemClockAhead   = "clock_ahead"
	ProblemRejected     = "rejected"
	ProblemProtocol     = "protocol"
	ProblemInsecureURL  = "insecure_url"
	ProblemEndorsement  = "endorsement"
	ProblemDatabase     = "database"
	ProblemCancelled    = "cancelled"
	ProblemUnknown      = "unknown"
)

// problems are all the problem codes, each with its message "sync.<code>"
// in the catalogue (the server's and the protocol's also with the status).
var problems = []string{
	ProblemNotEnrolled, ProblemTokenMissing, ProblemUnreachable, ProblemTimeout, ProblemTLS,
	ProblemServer, ProblemRevoked, ProblemUnauthorized, ProblemBadCode, ProblemResync,
	ProblemClockSkew, ProblemClockAhead, ProblemRejected, ProblemProtocol, ProblemInsecureURL,
	ProblemEndorsement, ProblemDatabase, ProblemCancelled, ProblemUnknown,
}

// Problem is a sync failure (or warning): its code, HQ's HTTP status when
// it matters, and its message of the catalogue ("sync." and the code)
// rendered in English and Arabic.
type Problem struct {
	Code   string `json:"code"`
	Status int    `json:"status,omitempty"` // HQ's HTTP status, for server and protocol problems
	En     string `json:"en"`
	Ar     string `json:"ar"`
	Detail string `json:"detail,omitempty"` // the technical cause, for support
}

// Message is the problem as a message of the catalogue; an unknown code
// reads as a general failure.
func (p Problem) Message() message.Message {
	code := message.Code("sync." + p.Code)
	if p.Code == "" || !message.Known(code) {
		code = "sync." + ProblemUnknown
	}
	if p.Status != 0 && message.Known(code+".status") {
		return message.New(code+".status", message.Int("status", p.Status))
	}
	return message.New(code)
}

// Error is a failed sync step: its problem in words, and the cause.
type Error struct {
	Problem Problem
	Err     error
}

func (e *Error) Error() string {
	if e.Problem.Detail == "" {
		return e.Problem.En
	}
	return e.Problem.En + " (" + e.Problem.Detail + ")"
}
func (e *Error) Unwrap() error { return e.Err }

// Message is the failure as a message of the catalogue.
func (e *Error) Message() message.Message { return e.Problem.Message() }

// wrap turns any error of a run into an *Error (once).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Problem: Describe(err), Err: err}
}

// ProblemOf returns the problem an error describes.
func ProblemOf(err error) Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problem
	}
	return Describe(err)
}

// Classify returns the problem code of an error.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Problem.Code
	}
	status, code := httpCode(err)
	switch {
	case errors.Is(err, ErrNotEnrolled):
		return ProblemNotEnrolled
	case errors.Is(err, ErrTokenMissing):
		return ProblemTokenMissing
	case errors.Is(err, ErrRevoked), status == 401 && code == protocol.ErrDeviceRevoked:
		return ProblemRevoked
	case errors.Is(err, ErrInsecureURL):
		return ProblemInsecureURL
	case errors.Is(err, ErrBadEndorsement):
		return ProblemEndorsement
	case status == 401:
		return ProblemUnauthorized
	case status == 403 && code == protocol.ErrBadCode:
		return ProblemBadCode
	case status == 409 && code == protocol.ErrMustResync:
		return ProblemResync
	case status >= 500:
		return ProblemServer
	case status != 0:
		return ProblemProtocol
	case errors.Is(err, protocol.ErrClockSkew):
		return ProblemClockSkew
	case errors.Is(err, context.Canceled):
		return ProblemCancelled
	}
	var te *TransportError
	if errors.As(err, &te) {
		var ue x509.UnknownAuthorityError
		var he x509.HostnameError
		var ce x509.CertificateInvalidError
		var rh tls.RecordHeaderError
		var ve *tls.CertificateVerificationError
		switch {
		case errors.As(err, &ue), errors.As(err, &he), errors.As(err, &ce), errors.As(err, &rh), errors.As(err, &ve):
			return ProblemTLS
		case te.Timeout:
			return ProblemTimeout
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return ProblemTimeout
		}
		return ProblemUnreachable
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return ProblemProtocol
	}
	var se *storeError
	if errors.As(err, &se) {
		return ProblemDatabase
	}
	return ProblemUnknown
}

// Describe puts an error into words a coordinator can act on.
func Describe(err error) Problem {
	if err == nil {
		return Problem{}
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Problem
	}
	status, _ := httpCode(err)
	p := wordsFor(Classify(err), status)
	p.Detail = err.Error()
	return p
}

// Words is the message for a problem code (with no detail). Unknown codes
// read as a general failure.
func Words(code string) Problem { return wordsFor(code, 0) }

func wordsFor(code string, status int) Problem {
	p := Problem{Code: code}
	if code == ProblemServer || code == ProblemProtocol {
		p.Status = status
	}
	m := p.Message()
	p.En, p.Ar = m.English(), m.Arabic()
	return p
}
