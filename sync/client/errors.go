package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

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

// Problem is a sync failure (or warning) in words, in English and Arabic.
type Problem struct {
	Code   string `json:"code"`
	En     string `json:"en"`
	Ar     string `json:"ar"`
	Detail string `json:"detail,omitempty"` // the technical cause, for support
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
	w, ok := words[code]
	if !ok {
		w = words[ProblemUnknown]
	}
	p := Problem{Code: code, En: w[0], Ar: w[1]}
	if status != 0 {
		p.En = strings.ReplaceAll(p.En, "%d", fmt.Sprint(status))
		p.Ar = strings.ReplaceAll(p.Ar, "%d", fmt.Sprint(status))
	} else {
		p.En = strings.ReplaceAll(p.En, " (error %d)", "")
		p.Ar = strings.ReplaceAll(p.Ar, " (خطأ %d)", "")
	}
	return p
}

var words = map[string][2]string{
	ProblemTokenMissing: {
		"This database was restored from a backup. Backups do not keep the HQ sync token, so this computer cannot sync until it is enrolled again: ask HQ for a new enrolment code and enrol this computer with it. Your data and unsent changes are kept.",
		"استُعيدت قاعدة البيانات هذه من نسخة احتياطية. النسخ الاحتياطية لا تحفظ رمز المزامنة مع المقر، لذلك لا يستطيع هذا الجهاز المزامنة حتى يُسجَّل من جديد: اطلب من المقر رمز تسجيل جديدًا وسجّل هذا الجهاز به. بياناتك وتغييراتك غير المرسلة محفوظة.",
	},
	ProblemNotEnrolled: {
		"This computer is not enrolled with HQ yet. Ask HQ for an enrolment code, then enrol it.",
		"هذا الجهاز غير مسجّل لدى المقر بعد. اطلب رمز تسجيل من المقر ثم سجّل الجهاز.",
	},
	ProblemUnreachable: {
		"HQ cannot be reached. Check the internet connection. Your changes are kept on this computer and will be sent when HQ answers.",
		"تعذّر الوصول إلى المقر. تحقّق من الاتصال بالإنترنت. تغييراتك محفوظة على هذا الجهاز وستُرسل عندما يستجيب المقر.",
	},
	ProblemTimeout: {
		"The connection to HQ is too slow and timed out. Your changes are kept and will be sent on the next try.",
		"الاتصال بالمقر بطيء جداً وانتهت مهلته. تغييراتك محفوظة وستُرسل في المحاولة التالية.",
	},
	ProblemTLS: {
		"The secure connection to HQ failed. Check this computer's date and time and the HQ address.",
		"فشل الاتصال الآمن بالمقر. تحقّق من تاريخ هذا الجهاز ووقته ومن عنوان المقر.",
	},
	ProblemServer: {
		"HQ had a problem (error %d). Your changes are kept; Safeer will try again later.",
		"حدثت مشكلة لدى المقر (خطأ %d). تغييراتك محفوظة وسيحاول سفير مرة أخرى لاحقاً.",
	},
	ProblemRevoked: {
		"HQ has revoked this computer, so it no longer syncs. Your data and unsent changes are kept on this computer. Contact HQ.",
		"ألغى المقر تسجيل هذا الجهاز فتوقفت المزامنة. بياناتك وتغييراتك غير المرسلة محفوظة على هذا الجهاز. تواصل مع المقر.",
	},
	ProblemUnauthorized: {
		"HQ does not recognise this computer. Enrol it again with a new code from HQ; your unsent changes are kept.",
		"لا يتعرّف المقر على هذا الجهاز. سجّله مرة أخرى برمز جديد من المقر؛ تغييراتك غير المرسلة محفوظة.",
	},
	ProblemBadCode: {
		"The enrolment code is wrong, already used or expired. Ask HQ for a new code.",
		"رمز التسجيل غير صحيح أو مستخدم من قبل أو منتهي الصلاحية. اطلب رمزاً جديداً من المقر.",
	},
	ProblemResync: {
		"HQ was restored from a backup. Safeer sent your changes and is downloading everything again.",
		"استُعيدت بيانات المقر من نسخة احتياطية. أرسل سفير تغييراتك ويعيد تنزيل كل البيانات.",
	},
	ProblemClockSkew: {
		"This computer's date and time differ from HQ's too much. Set the correct date and time, then sync again.",
		"يختلف تاريخ هذا الجهاز ووقته عن المقر كثيرًا. اضبط التاريخ والوقت الصحيحين ثم زامن مرة أخرى.",
	},
	ProblemClockAhead: {
		"This computer's clock was ahead of HQ's. Changes made offline were given HQ's time so that HQ accepts them. Check the date and time.",
		"كانت ساعة هذا الجهاز متقدمة على ساعة المقر. أُعطيت التغييرات التي أُجريت دون اتصال وقتَ المقر ليقبلها. تحقق من التاريخ والوقت.",
	},
	ProblemRejected: {
		"HQ refused some changes from this computer. They are kept in the list of refused changes.",
		"رفض المقر بعض التغييرات من هذا الجهاز. وهي محفوظة في قائمة التغييرات المرفوضة.",
	},
	ProblemProtocol: {
		"HQ did not accept what this Safeer sent (error %d). Safeer may need an update.",
		"لم يقبل المقر ما أرسله سفير (خطأ %d). قد يحتاج سفير إلى تحديث.",
	},
	ProblemInsecureURL: {
		"The HQ address must start with https:// (plain http only works on this computer itself).",
		"يجب أن يبدأ عنوان المقر بـ https:// (لا يعمل http العادي إلا على هذا الجهاز نفسه).",
	},
	ProblemEndorsement: {
		"Enrolled, but HQ's signature of this computer's key does not check out: certificates printed here may not verify. Tell HQ.",
		"تم التسجيل، لكن توقيع المقر لمفتاح هذا الجهاز غير صحيح: قد لا يمكن التحقق من الشهادات المطبوعة هنا. أبلغ المقر.",
	},
	ProblemDatabase: {
		"Safeer could not read or write its database on this computer.",
		"تعذّر على سفير قراءة قاعدة بياناته على هذا الجهاز أو الكتابة فيها.",
	},
	ProblemCancelled: {
		"Sync was stopped before it finished. Nothing is lost; it continues next time.",
		"توقفت المزامنة قبل أن تكتمل. لم يضع شيء، وستستكمل في المرة القادمة.",
	},
	ProblemUnknown: {
		"Sync failed. Your changes are kept on this computer.",
		"فشلت المزامنة. تغييراتك محفوظة على هذا الجهاز.",
	},
}
