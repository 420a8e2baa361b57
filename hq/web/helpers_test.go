package web_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/postgres"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/sync/protocol"
)

var ctx = context.Background()

func sqliteStore(t *testing.T) hq.Store {
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// backends runs fn against SQLite and against PostgreSQL (which the test
// environment must provide: see internal/testharness/pgtest).
func backends(t *testing.T, fn func(t *testing.T, open func(t *testing.T) hq.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteStore) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.Base(t)
		fn(t, func(t *testing.T) hq.Store {
			st, err := postgres.Open(ctx, pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
}

// env is HQ (sync API and web site) behind httptest, with a settable clock.
type env struct {
	t    testing.TB
	st   hq.Store
	srv  *hq.Server
	site *web.Site
	http *httptest.Server
	key  ed25519.PrivateKey
	mu   sync.Mutex
	now  time.Time
}

func newEnv(t testing.TB, st hq.Store, cfg web.Config) *env {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	e := &env{t: t, st: st, key: key, now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: log, Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server = srv
	site, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.site = srv, site
	e.http = httptest.NewServer(site.Handler())
	t.Cleanup(e.http.Close)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// device is an enrolled device as a test drives it.
type device struct {
	e           *env
	id, token   string
	key         ed25519.PrivateKey
	endorsement []byte
	clock       *protocol.Clock
	cursor      string
	revs        map[string]int64
}

func (e *env) enrol(govs ...string) *device {
	e.t.Helper()
	code, _, err := hq.CreateEnrolment(ctx, e.st, govs, "test device", hq.CLI, e.clock())
	if err != nil {
		e.t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	id := uuid.NewString()
	var resp protocol.EnrolResponse
	if st := e.signedEnrol(protocol.EnrolRequest{Code: code, DeviceID: id}, priv, &resp); st != 200 {
		e.t.Fatalf("enrol: %d", st)
	}
	return &device{e: e, id: id, token: resp.Token, key: priv, endorsement: resp.Endorsement, revs: map[string]int64{},
		clock: protocol.NewClock(id, protocol.HLC{}, e.clock)}
}

// signedEnrol enrols as a device does: a challenge for req.Code, then req
// signed with key.
func (e *env) signedEnrol(req protocol.EnrolRequest, key ed25519.PrivateKey, out any) int {
	e.t.Helper()
	var ch protocol.EnrolChallenge
	if st := e.api(http.MethodPost, protocol.PathEnrolChallenge, "", protocol.EnrolChallengeRequest{Code: req.Code}, &ch); st != 200 {
		return st
	}
	protocol.SignEnrol(&req, key, ch.Nonce)
	return e.api(http.MethodPost, protocol.PathEnrol, "", req, out)
}

// api sends a JSON request to the sync API.
func (e *env) api(method, path, token string, body, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (d *device) op(table, row string, kv ...any) protocol.Op {
	fields := map[string]protocol.Field{}
	stamp := d.clock.Now().String()
	for i := 0; i < len(kv); i += 2 {
		fields[kv[i].(string)] = protocol.Field{Value: kv[i+1], HLC: stamp}
	}
	return protocol.Op{ID: uuid.NewString(), Table: table, RowID: row, BaseRev: d.revs[row], Fields: fields}
}

func (d *device) push(ops ...protocol.Op) []protocol.OpResult {
	d.e.t.Helper()
	var resp protocol.PushResponse
	if st := d.e.api(http.MethodPost, protocol.PathPush, d.token, protocol.PushRequest{Ops: ops}, &resp); st != 200 {
		d.e.t.Fatalf("push: status %d", st)
	}
	for _, r := range resp.Results {
		if r.Status == protocol.Rejected {
			d.e.t.Fatalf("push: %+v", r)
		}
	}
	return resp.Results
}

// pull pulls every page after the device's cursor.
func (d *device) pull() []protocol.Change {
	d.e.t.Helper()
	var all []protocol.Change
	for range 1000 {
		var resp protocol.PullResponse
		if st := d.e.api(http.MethodGet, protocol.PathPull+"?cursor="+d.cursor, d.token, nil, &resp); st != 200 {
			d.e.t.Fatalf("pull: status %d", st)
		}
		for _, c := range resp.Changes {
			d.revs[c.RowID] = c.Seq
		}
		all = append(all, resp.Changes...)
		d.cursor = resp.NextCursor
		if !resp.HasMore {
			return all
		}
	}
	d.e.t.Fatal("pull never ended")
	return nil
}

func (d *device) signer() certificate.Signer {
	return certificate.Signer{DeviceID: d.id, Key: d.key, Endorsement: d.endorsement}
}

// issued is a certificate a device issued and synced, with the rows it
// stands on.
type issued struct {
	person, workshop, attendance, row string
	signed                            certificate.SignedCertificate
}

type personSpec struct {
	gov, wilayat, nameAr, nameEn, phone, civilID, kind string
	gender, email                                      string
}

func (d *device) addPerson(p personSpec) string {
	d.e.t.Helper()
	id := uuid.NewString()
	if p.kind == "" {
		p.kind = "ambassador"
	}
	d.push(d.op("person", id, "kind", p.kind, "name_ar", p.nameAr, "name_en", p.nameEn, "governorate", p.gov,
		"wilayat", p.wilayat, "phone", p.phone, "civil_id", p.civilID, "status", "active", "email", p.email, "gender", p.gender))
	return id
}

// issue makes a person, a workshop on date, the person's attendance and a
// certificate signed by the device, and pushes them all.
func (d *device) issue(gov, nameAr, nameEn, date string, hours float64) issued {
	d.e.t.Helper()
	var is issued
	is.person = d.addPerson(personSpec{gov: gov, wilayat: "Muttrah", nameAr: nameAr, nameEn: nameEn, phone: "+96891234567", civilID: "12345678"})
	is.workshop, is.attendance, is.row = uuid.NewString(), uuid.NewString(), uuid.NewString()
	d.push(d.op("workshop", is.workshop, "title_ar", "المدن الذكية", "title_en", "Smart cities", "date", date,
		"hours", hours, "governorate", gov, "wilayat", "Muttrah", "status", "held", "min_hours", 1.0))
	d.push(d.op("attendance", is.attendance, "workshop_id", is.workshop, "person_id", is.person, "hours", hours, "status", "present"))
	day, _ := time.Parse("2006-01-02", date)
	signed, err := d.signer().Sign(certificate.Certificate{PersonNameAr: nameAr, PersonNameEn: nameEn,
		WorkshopTitleAr: "المدن الذكية", WorkshopTitleEn: "Smart cities", WilayatAr: "مطرح", WilayatEn: "Muttrah",
		Date: day, Hours: hours, IssuedAt: d.e.clock()})
	if err != nil {
		d.e.t.Fatal(err)
	}
	is.signed = signed
	d.pushCertificate(is.row, is.attendance, signed)
	return is
}

func (d *device) pushCertificate(row, attendance string, sc certificate.SignedCertificate) {
	d.e.t.Helper()
	snap, _ := json.Marshal(sc.Certificate)
	d.push(d.op("certificate", row, "attendance_id", attendance, "code", sc.Code,
		"issued_at", sc.IssuedAt.UTC().Format(time.RFC3339), "device_id", sc.DeviceID, "snapshot", string(snap),
		"signature", base64.RawURLEncoding.EncodeToString(sc.Payload), "revoked_at", "", "revoked_reason", "", "reissue_of", sc.ReissueOf))
}

// resp is an HTTP response read whole.
type resp struct {
	status int
	header http.Header
	body   string
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e    *env
	c    *http.Client
	csrf string // the last CSRF token a page carried
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) resp {
	b.e.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp{status: res.StatusCode, header: res.Header, body: string(body)}
}

// get fetches path; extra is header name, value pairs.
func (b *browser) get(path string, extra ...string) resp {
	req, _ := http.NewRequest(http.MethodGet, b.e.http.URL+path, nil)
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	return b.do(req)
}

// post posts a form; the caller adds the csrf field (or not).
func (b *browser) post(path string, form url.Values, extra ...string) resp {
	req, _ := http.NewRequest(http.MethodPost, b.e.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	return b.do(req)
}

// form builds url.Values from name, value pairs, with the browser's CSRF
// token.
func (b *browser) form(kv ...string) url.Values {
	v := url.Values{"csrf": {b.csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func (e *env) addAdmin(name, password string) {
	e.t.Helper()
	if err := web.AddAdmin(ctx, e.st, name, password, "test", e.clock()); err != nil {
		e.t.Fatal(err)
	}
}

const testPassword = "correct horse battery"

// signIn makes an account and returns a browser signed in with it.
func (e *env) signIn(name string) *browser {
	e.t.Helper()
	e.addAdmin(name, testPassword)
	b := e.browser()
	b.get("/admin/login")
	r := b.post("/admin/login", b.form("name", name, "password", testPassword))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/" {
		e.t.Fatalf("sign in: %d %s %s", r.status, r.header.Get("Location"), r.body)
	}
	b.get("/admin/") // picks up the session's CSRF token
	if b.csrf == "" {
		e.t.Fatal("no CSRF token on the console")
	}
	return b
}

// personAt is a person's values as HQ stores them.
func (e *env) personAt(id string) map[string]any {
	e.t.Helper()
	row, found, err := e.st.Row(context.Background(), "person", id)
	if err != nil || !found {
		e.t.Fatalf("person %s at HQ: %v %v", id, found, err)
	}
	v, err := hq.RowValues(row)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}

func auditActions(t *testing.T, st hq.Store) []string {
	t.Helper()
	entries, err := st.AuditLog(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, fmt.Sprintf("%s:%s:%s", e.Admin, e.Action, e.Target))
	}
	return out
}

func hqRevokeDevice(e *env, id string) (hq.Device, error) {
	return hq.RevokeDevice(ctx, e.st, id, hq.CLI, e.clock())
}
