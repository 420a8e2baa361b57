package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oman-sca/safeer/hq"
	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106) at OWASP's recommended
// minimum (19 MiB, 2 passes, 1 lane) and kept as PHC strings, so the
// parameters can be raised later without invalidating old hashes.
var argonParams = struct {
	time, memory uint32
	threads      uint8
}{2, 19 * 1024, 1}

const (
	argonKeyLen  = 32
	argonSaltLen = 16
	// MinPasswordLen is the shortest password an account may have.
	MinPasswordLen = 12
	maxPasswordLen = 1024
)

// HashPassword hashes a password for storage.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := argonParams
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash (made by
// HashPassword, with whatever parameters it names).
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<21 || t == 0 || t > 16 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the account does not exist, so a
// wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no such account, no such password")
	return h
})

// CheckAdminName says what is wrong with an account name: 1 to 64
// letters, digits, '.', '_', '-' or '@'.
func CheckAdminName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("an account name has 1 to 64 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return fmt.Errorf("account name %q: use letters, digits and . _ - @ only", name)
		}
	}
	return nil
}

// CheckNewPassword says what is wrong with a password for an account.
func CheckNewPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid text")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Errorf("the password must have at most %d bytes", maxPasswordLen)
	}
	return nil
}

// ErrAdminExists is AddAdmin's answer for a name already taken.
var ErrAdminExists = errors.New("an account with this name already exists")

// AddAdmin creates a console account. by names who did it in the audit
// log ("cli" for safeer-hq admin add).
func AddAdmin(ctx context.Context, st hq.Store, name, password, by string, now time.Time) error {
	if err := CheckAdminName(name); err != nil {
		return err
	}
	if err := CheckNewPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return st.Write(ctx, func(tx hq.Tx) error {
		if _, found, err := st.Admin(ctx, name); err != nil || found {
			if err == nil {
				err = fmt.Errorf("%w: %s (use safeer-hq admin passwd to change its password)", ErrAdminExists, name)
			}
			return err
		}
		if err := tx.PutAdmin(ctx, hq.Admin{Name: name, PasswordHash: hash, CreatedAt: now.UTC()}); err != nil {
			return err
		}
		return tx.AddAudit(ctx, hq.AuditEntry{At: now.UTC(), Admin: by, Action: "admin.add", Target: name})
	})
}

// SetAdminPassword changes an account's password (and enables it again
// when disabled). Every session of the account ends with the change, in
// the same transaction: whoever signed in with the old password (or
// before the account was disabled) must sign in again. The account's
// sign-in back-off is forgotten.
func SetAdminPassword(ctx context.Context, st hq.Store, name, password, by string, now time.Time) error {
	if err := CheckNewPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return st.Write(ctx, func(tx hq.Tx) error {
		a, found, err := st.Admin(ctx, name)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no account %q (safeer-hq admin list shows them)", name)
		}
		a.PasswordHash, a.DisabledAt = hash, time.Time{}
		if err := tx.PutAdmin(ctx, a); err != nil {
			return err
		}
		ended, err := tx.DeleteSessionsOf(ctx, name)
		if err != nil {
			return err
		}
		if err := tx.ClearSignInFailures(ctx, name); err != nil {
			return err
		}
		return tx.AddAudit(ctx, hq.AuditEntry{At: now.UTC(), Admin: by, Action: "admin.passwd", Target: name,
			Detail: endedDetail(ended)})
	})
}

// DisableAdmin stops an account from signing in and ends every session of
// it, in one transaction. Disabling a disabled account ends any session
// left all the same (currentSession refuses them anyway).
func DisableAdmin(ctx context.Context, st hq.Store, name, by string, now time.Time) error {
	return st.Write(ctx, func(tx hq.Tx) error {
		a, found, err := st.Admin(ctx, name)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no account %q (safeer-hq admin list shows them)", name)
		}
		wasDisabled := a.Disabled()
		if !wasDisabled {
			a.DisabledAt = now.UTC()
			if err := tx.PutAdmin(ctx, a); err != nil {
				return err
			}
		}
		ended, err := tx.DeleteSessionsOf(ctx, name)
		if err != nil || (wasDisabled && ended == 0) {
			return err
		}
		return tx.AddAudit(ctx, hq.AuditEntry{At: now.UTC(), Admin: by, Action: "admin.disable", Target: name,
			Detail: endedDetail(ended)})
	})
}

// endedDetail says in the audit log how many sessions a change ended.
func endedDetail(n int) string {
	switch n {
	case 0:
		return "no session was open"
	case 1:
		return "ended 1 session"
	}
	return fmt.Sprintf("ended %d sessions", n)
}

// Cookies. With Secure, the session cookie gets the __Host- prefix, which
// browsers accept only from HTTPS, for the whole site and without a
// Domain: no sibling domain can set or overwrite it.
const (
	sessionCookie       = "safeer_session"
	secureSessionCookie = "__Host-safeer_session"
	loginCookie         = "safeer_login"
	secureLoginCookie   = "__Host-safeer_login"
)

func (s *Site) secureCookies(r *http.Request) bool { return s.cfg.SecureCookies || s.overTLS(r) }

func (s *Site) cookieName(r *http.Request, plain, secure string) string {
	if s.secureCookies(r) {
		return secure
	}
	return plain
}

func (s *Site) setCookie(w http.ResponseWriter, r *http.Request, plain, secure, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(r, plain, secure), Value: value, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteStrictMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSessionID(id string) []byte {
	h := sha256.Sum256([]byte("safeer-session-v1\x00" + id))
	return h[:]
}

// session is a signed-in request's account and session.
type session struct {
	hq.Session
	Account hq.Admin
}

type sessionKey struct{}

// currentSession finds the request's valid session, if any.
func (s *Site) currentSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(s.cookieName(r, sessionCookie, secureSessionCookie))
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	ses, found, err := s.st.Session(r.Context(), hashSessionID(c.Value))
	if err != nil || !found || !s.srv.Now().Before(ses.ExpiresAt) {
		return nil, err
	}
	acct, found, err := s.st.Admin(r.Context(), ses.Admin)
	if err != nil {
		return nil, err
	}
	if !found || acct.Disabled() {
		// DisableAdmin ends an account's sessions as it disables it; one
		// that is still here (written by an older safeer-hq, say) is
		// refused, and ended so that enabling the account again cannot
		// revive it.
		if err := s.st.DeleteSession(r.Context(), ses.IDHash); err != nil {
			s.log.Warn("cannot end the session of a disabled account", "admin", ses.Admin, "err", err)
		}
		return nil, nil
	}
	return &session{Session: ses, Account: acct}, nil
}

// sameOrigin rejects what browsers mark as coming from another site: the
// SameSite=Strict cookie already keeps the session out of such requests,
// and this keeps them from reaching even the sign-in form.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

// admin puts a handler behind sign-in; a POST must also carry the
// session's CSRF token. Without a session, a page request goes to the
// sign-in form and anything else gets 403.
func (s *Site) admin(h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		ses, err := s.currentSession(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if ses == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			s.consoleMessage(w, r, http.StatusForbidden, "Signed out", "You are not signed in (or your session ended). Sign in and try again.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				s.consoleMessage(w, r, http.StatusBadRequest, "Bad form", "The form could not be read.")
				return
			}
			tok := r.PostForm.Get("csrf")
			if !sameOrigin(r) || tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(ses.CSRF)) != 1 {
				s.consoleMessage(w, r, http.StatusForbidden, "Form expired",
					"This form is out of date or did not come from this console. Reload the page and try again.")
				return
			}
		}
		h(w, r, ses)
	})
}

// consoleMessage is a bare console page with a message.
func (s *Site) consoleMessage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "consolemsg", consolePage{CSS: s.cssHash, Title: title, Error: msg})
}

type loginPage struct {
	consolePage
	Name  string
	Token string
}

func (s *Site) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if ses, err := s.currentSession(r); err == nil && ses != nil {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "", "")
}

// renderLogin shows the sign-in form with a fresh double-submit token: a
// cookie and the same value in the form, which another site can neither
// read nor set.
func (s *Site) renderLogin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	tok := randomToken()
	s.setCookie(w, r, loginCookie, secureLoginCookie, tok, time.Hour)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "login", loginPage{consolePage: consolePage{CSS: s.cssHash, Title: "Sign in", Error: msg}, Name: name, Token: tok})
}

func (s *Site) handleLogin(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.signinRL.allow(s.clientKey(r)); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.renderLogin(w, r, http.StatusTooManyRequests, "",
			fmt.Sprintf("Too many sign-in attempts from your address. Wait %s and try again.", waitWords(wait)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderLogin(w, r, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	c, err := r.Cookie(s.cookieName(r, loginCookie, secureLoginCookie))
	tok := r.PostForm.Get("csrf")
	if err != nil || tok == "" || !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(tok)) != 1 {
		s.renderLogin(w, r, http.StatusForbidden, "", "The sign-in form expired. Please try again.")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	now := s.srv.Now().UTC()
	// The account's back-off, before anything about the account is read:
	// a name that must wait is told so whether it exists or not.
	key := backoffKey(name)
	wait, failures, err := s.beginSignIn(r.Context(), key, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.renderLogin(w, r, http.StatusTooManyRequests, auditName(name),
			fmt.Sprintf("Too many failed sign-ins with this name. Wait %s and try again.", waitWords(wait)))
		return
	}
	acct, found, err := s.st.Admin(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hash := dummyHash()
	if found {
		hash = acct.PasswordHash
	}
	ok := CheckPassword(hash, password) && found && !acct.Disabled() && len(password) <= maxPasswordLen
	if !ok {
		detail := fmt.Sprintf("failure %d in a row", failures)
		if d := s.backoffDelay(failures); d > 0 {
			detail += "; the name waits " + waitWords(d)
		}
		s.audit(r, hq.AuditEntry{At: now, Admin: auditName(name), Action: "signin.failed", Detail: detail, Remote: s.remote(r)})
		s.renderLogin(w, r, http.StatusUnauthorized, auditName(name), "The name or the password is wrong.")
		return
	}
	if err := s.st.PurgeSessions(r.Context(), now); err != nil {
		s.log.Warn("cannot purge old sessions", "err", err)
	}
	id := randomToken()
	ses := hq.Session{IDHash: hashSessionID(id), Admin: acct.Name, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.st.PutSession(r.Context(), ses); err != nil {
		s.fail(w, r, err)
		return
	}
	// The success forgets the failures, with its audit entry.
	err = s.st.Write(r.Context(), func(tx hq.Tx) error {
		if err := tx.ClearSignInFailures(r.Context(), key); err != nil {
			return err
		}
		return tx.AddAudit(r.Context(), hq.AuditEntry{At: now, Admin: acct.Name, Action: "signin", Remote: s.remote(r)})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookie, secureSessionCookie, id, s.cfg.SessionTTL)
	s.setCookie(w, r, loginCookie, secureLoginCookie, "", 0)
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

func (s *Site) handleLogout(w http.ResponseWriter, r *http.Request, ses *session) {
	if err := s.st.DeleteSession(r.Context(), ses.IDHash); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, hq.AuditEntry{Admin: ses.Admin, Action: "signout", Remote: s.remote(r)})
	s.setCookie(w, r, sessionCookie, secureSessionCookie, "", 0)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// audit records an action that changes nothing else (sign-in, sign-out);
// changes record theirs in their own transaction. A failure is logged:
// the action already happened.
func (s *Site) audit(r *http.Request, e hq.AuditEntry) {
	if e.At.IsZero() {
		e.At = s.srv.Now().UTC()
	}
	err := s.st.Write(r.Context(), func(tx hq.Tx) error { return tx.AddAudit(r.Context(), e) })
	if err != nil {
		s.log.Error("cannot write the audit log", "action", e.Action, "admin", e.Admin, "err", err)
	}
}

// actor is who acts in a request, for hq's audit entries.
func (s *Site) actor(r *http.Request, ses *session) hq.Actor {
	return hq.Actor{Admin: ses.Admin, Remote: s.remote(r)}
}

// remote is the client's address for the audit log.
func (s *Site) remote(r *http.Request) string {
	if ip := s.clientIP(r); ip.IsValid() {
		return ip.String()
	}
	return r.RemoteAddr
}
