// Package web is HQ's web site, served by safeer-hq serve next to the sync
// API: the public certificate verification page (/verify, /v/…, and its
// JSON form) and the administrators' console (/admin/…).
//
// Everything is rendered on the server with html/template from templates
// embedded in the binary; there is no script at all, so the Content
// Security Policy forbids every script and inline style. Every response
// carries the security headers (see Site.secure). The console is behind
// sign-in: accounts are made with safeer-hq admin add, passwords are kept
// as argon2id hashes, sessions live in the database (only the hash of the
// cookie's value) and every form carries the session's CSRF token. Every
// change an administrator makes is written to the audit log in the same
// transaction as the change itself; changes to synced rows go through
// hq.Server.Edit, so they carry HQ's clock and reach the devices.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/message"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config configures New. Only Server is required.
type Config struct {
	Server *hq.Server
	// SecureCookies marks the session cookie Secure (and names it with the
	// __Host- prefix). Set it when HQ serves TLS itself or sits behind a
	// TLS proxy; a request that arrives over TLS gets a Secure cookie
	// anyway.
	SecureCookies bool
	// VerifyRate is how many verification look-ups a second one client
	// address may make in the long run, VerifyBurst how many at once.
	// Zero means the defaults (DefaultVerifyRate, DefaultVerifyBurst); a
	// negative VerifyRate switches the limit off (load tests).
	VerifyRate  float64
	VerifyBurst int
	// SignInRate and SignInBurst limit sign-in attempts per client
	// address in the same way (defaults DefaultSignInRate and
	// DefaultSignInBurst).
	SignInRate  float64
	SignInBurst int
	// SessionTTL is how long a sign-in lasts (default DefaultSessionTTL).
	SessionTTL time.Duration
	// TrustedProxies are the reverse proxies in front of HQ (addresses or
	// prefixes; ParseTrustedProxies reads safeer-hq serve --trusted-proxy).
	// X-Forwarded-For and X-Forwarded-Proto are believed only from a
	// direct peer among them; with none, the client is the peer, whatever
	// the headers say, and a loopback peer is no exception.
	TrustedProxies []netip.Prefix
	// The back-off of one account (any name typed) after failed sign-ins,
	// kept in the database: SignInFreeFailures failures in a row are
	// free, then each failure makes the name wait SignInBackoff, doubled
	// for every further one, up to SignInBackoffMax. Zero means the
	// defaults (DefaultSignInFreeFailures, …).
	SignInFreeFailures int
	SignInBackoff      time.Duration
	SignInBackoffMax   time.Duration
	// Credentials is HQ's Open Badges issuer (NewIssuer; safeer-hq serve
	// --public-url): with it the site serves the DID document and the
	// revocation list (credentials.go); without it, neither.
	Credentials *credential.Issuer
	// RevokedStatuses lists the status list indexes of revoked
	// credentials; nil: Issued's (or none).
	RevokedStatuses func(context.Context) ([]int, error)
	// Issued is the credentials HQ issues for its certificates
	// (hq.NewCredentials, built on the same issuer): /verify offers a
	// valid certificate's for download.
	Issued *hq.Credentials
}

// Defaults of Config.
const (
	DefaultVerifyRate  = 0.5 // 30 a minute once the burst is spent
	DefaultVerifyBurst = 30
	DefaultSignInRate  = 1.0 / 12 // 5 a minute
	DefaultSignInBurst = 5
	DefaultSessionTTL  = 12 * time.Hour

	DefaultSignInFreeFailures = 5
	DefaultSignInBackoff      = 30 * time.Second
	DefaultSignInBackoffMax   = 15 * time.Minute
)

// Site is HQ's web site. It is safe for concurrent use.
type Site struct {
	srv      *hq.Server
	st       hq.Store
	log      *slog.Logger
	cfg      Config
	pages    map[string]*template.Template
	cssHash  string
	verifyRL *limiter
	signinRL *limiter
	mux      *http.ServeMux
}

// New makes the site.
func New(cfg Config) (*Site, error) {
	if cfg.Server == nil {
		return nil, errors.New("web: no HQ server")
	}
	if cfg.VerifyRate == 0 {
		cfg.VerifyRate = DefaultVerifyRate
	}
	if cfg.VerifyBurst <= 0 {
		cfg.VerifyBurst = DefaultVerifyBurst
	}
	if cfg.SignInRate == 0 {
		cfg.SignInRate = DefaultSignInRate
	}
	if cfg.SignInBurst <= 0 {
		cfg.SignInBurst = DefaultSignInBurst
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.SignInFreeFailures <= 0 {
		cfg.SignInFreeFailures = DefaultSignInFreeFailures
	}
	if cfg.SignInBackoff <= 0 {
		cfg.SignInBackoff = DefaultSignInBackoff
	}
	if cfg.SignInBackoffMax <= 0 {
		cfg.SignInBackoffMax = DefaultSignInBackoffMax
	}
	if cfg.SignInBackoffMax < cfg.SignInBackoff {
		cfg.SignInBackoffMax = cfg.SignInBackoff
	}
	cfg.TrustedProxies = slices.Clone(cfg.TrustedProxies)
	s := &Site{srv: cfg.Server, st: cfg.Server.Store(), log: cfg.Server.Logger(), cfg: cfg}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	css, err := staticFiles.ReadFile("static/site.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	s.cssHash = hex.EncodeToString(sum[:6])
	// The per-address limits are this process's own, in memory: two
	// safeer-hq processes on one database each allow an address its
	// share. What must hold across processes, the back-off of an account,
	// is kept in the database (backoff.go).
	s.verifyRL = newLimiter(cfg.VerifyRate, cfg.VerifyBurst, s.srv.Now)
	s.signinRL = newLimiter(cfg.SignInRate, cfg.SignInBurst, s.srv.Now)
	s.routes()
	return s, nil
}

// Handler is the whole of HQ's HTTP side: the sync API of the server under
// /v1/ and this site everywhere else, every response with the security
// headers.
func (s *Site) Handler() http.Handler {
	return s.secure(s.srv.HandlerWith(s))
}

// ServeHTTP serves the site's pages (without the sync API).
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Site) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/verify", http.StatusSeeOther)
	})
	m.Handle("GET /static/", http.StripPrefix("/static/", s.static()))
	m.HandleFunc("GET /verify", s.handleVerifyPage)
	m.HandleFunc("GET /verify.json", s.handleVerifyJSON)
	m.HandleFunc("GET /v/{arg...}", s.handleVerifyPath)
	m.HandleFunc("GET /.well-known/did.json", s.handleDIDDocument)
	m.HandleFunc("GET "+credential.StatusListPath, s.handleStatusList)
	m.HandleFunc("GET "+credentialsPrefix+"{file}", s.handleCredentialFile)
	m.HandleFunc("POST /verify.json", s.handleVerifyCredentialPost)
	m.HandleFunc("GET /V/{arg...}", s.handleVerifyPath)

	m.HandleFunc("GET /admin/login", s.handleLoginPage)
	m.HandleFunc("POST /admin/login", s.handleLogin)
	m.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	})
	m.Handle("POST /admin/logout", s.admin(s.handleLogout))
	m.Handle("GET /admin/{$}", s.admin(s.handleOverview))
	m.Handle("GET /admin/devices", s.admin(s.handleDevices))
	m.Handle("POST /admin/devices/enrol", s.admin(s.handleEnrol))
	m.Handle("POST /admin/devices/revoke", s.admin(s.handleRevokeDevice))
	m.Handle("GET /admin/roster", s.admin(s.handleRoster))
	m.Handle("GET /admin/duplicates", s.admin(s.handleDuplicates))
	m.Handle("GET /admin/duplicates/merge", s.admin(s.handleMergeForm))
	m.Handle("POST /admin/duplicates/merge", s.admin(s.handleMerge))
	m.Handle("GET /admin/conflicts", s.admin(s.handleConflicts))
	m.Handle("POST /admin/conflicts/resolve", s.admin(s.handleResolveConflict))
	m.Handle("GET /admin/certificates", s.admin(s.handleCertificates))
	m.Handle("POST /admin/certificates/revoke", s.admin(s.handleRevokeCertificate))
	m.Handle("GET /admin/credentials", s.admin(s.handleCredentials))
	m.Handle("GET /admin/credentials.zip", s.admin(s.handleCredentialsZip))
	m.Handle("GET /admin/activity", s.admin(s.handleActivity))
	m.Handle("GET /admin/export/{file}", s.admin(s.handleExport))
	m.Handle("GET /admin/places", s.admin(s.handlePlaces))
	m.Handle("POST /admin/places", s.admin(s.handleAddPlace))
	m.Handle("GET /admin/audit", s.admin(s.handleAudit))
	m.Handle("GET /admin/syncfiles", s.admin(s.handleSyncFiles))
	m.Handle("POST /admin/syncfiles", s.adminUpload(s.handleSyncUpload))
	m.Handle("POST /admin/syncfiles/reply", s.admin(s.handleSyncReply))
	m.HandleFunc("/", s.notFound)
	s.mux = m
}

// The security headers, on every response (the sync API's too). There is
// no script on any page and styles come only from /static/, so the policy
// allows nothing else; forms may post only to HQ itself and no page may be
// framed (clickjacking).
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

func (s *Site) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		// Verification URLs carry codes and certificate records: never
		// hand them to another site.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.overTLS(r) {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Site) static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			s.notFound(w, r)
			return
		}
		// The URL carries the file's hash (?v=…), so it may be cached.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// Muscat is Oman's time (UTC+4, no daylight saving), for dates and times
// on the pages.
var Muscat = time.FixedZone("GST", 4*3600)

// render executes page into a buffer, so a template error becomes a clean
// 500 instead of half a page.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t := s.pages[page]
	if t == nil {
		s.fail(w, r, fmt.Errorf("no template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers 503 (the database) or 500 in words, and logs the error.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	s.log.Error("web page failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><title>HQ error</title>`+
		`<p lang="ar" dir="rtl">تعذّر على المقر إكمال الطلب. حاول مرة أخرى بعد قليل.</p>`+
		`<p lang="en">HQ could not complete the request. Please try again in a moment.</p>`)
}

type messagePage struct {
	Title, TitleAr string
	En, Ar         string
	CSS            string
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.message(w, r, http.StatusNotFound, message.New("web.not_found.title"), message.New("web.not_found"))
}

// message renders a page that says one thing, its title and text from the
// catalogue in both languages.
func (s *Site) message(w http.ResponseWriter, r *http.Request, status int, title, text message.Message) {
	s.render(w, r, status, "message", messagePage{Title: title.English(), TitleAr: title.Arabic(),
		En: text.English(), Ar: text.Arabic(), CSS: s.cssHash})
}
