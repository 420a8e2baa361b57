package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
)

var adminGets = []string{
	"/admin/", "/admin/devices", "/admin/roster", "/admin/roster?q=%D8%A7%D8%AD%D9%85%D8%AF&gov=OM-MA",
	"/admin/duplicates", "/admin/conflicts", "/admin/conflicts?gov=OM-MA", "/admin/certificates",
	"/admin/certificates?code=7K3MQ9XZ2A", "/admin/activity", "/admin/activity?gov=OM-DA", "/admin/places", "/admin/audit",
	"/admin/audit?before=5", "/admin/export/roster.csv", "/admin/export/roster.xlsx", "/admin/export/workshops.csv",
	"/admin/export/attendance.xlsx",
}

// adminPosts are the console's forms with acceptable values (ids filled in
// by the test).
func adminPosts(deviceID, personA, personB, conflict, code string) []struct {
	path string
	kv   []string
} {
	return []struct {
		path string
		kv   []string
	}{
		{"/admin/devices/enrol", []string{"name", "Nizwa laptop", "governorate", "OM-DA"}},
		{"/admin/devices/revoke", []string{"id", deviceID, "confirm", "yes"}},
		{"/admin/duplicates/merge", []string{"keep", personA, "merge", personB}},
		{"/admin/conflicts/resolve", []string{"id", conflict}},
		{"/admin/certificates/revoke", []string{"code", code, "reason", "issued by mistake"}},
		{"/admin/places", []string{"governorate", "OM-MA", "wilayat_en", "Al Khoudh", "wilayat_ar", "الخوض"}},
		{"/admin/logout", nil},
	}
}

// world is a small programme: two devices in two governorates, a
// certificate, a duplicate across governorates and a conflict.
type world struct {
	ma, da           *device
	cert             issued
	personA, personB string
	conflict         string
}

func newWorld(t *testing.T, e *env) world {
	t.Helper()
	var w world
	w.ma = e.enrol("OM-MA")
	w.da = e.enrol("OM-DA")
	w.cert = w.ma.issue("OM-MA", "أحمد بن سالم الهنائي", "Ahmed Salim Al Hinai", "2025-02-20", 3)
	w.personA = w.cert.person
	w.personB = w.da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "احمد سالم الهنائي", nameEn: "Ahmed Al Hinai",
		phone: "+968 9123 4567", civilID: "12345678"})
	// A conflict: the second device edits the name without having seen
	// the first's edit.
	other := e.enrol("OM-MA")
	w.ma.push(w.ma.op("person", w.personA, "organisation", "Muscat Municipality"))
	other.push(other.op("person", w.personA, "organisation", "Ministry of Housing"))
	rows, err := e.st.ListRows(ctx, hq.RowQuery{Table: "conflict", PendingOnly: true, Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("conflict rows: %v %v", rows, err)
	}
	w.conflict = rows[0].ID
	return w
}

func TestAdminRoutesNeedSignIn(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	w := newWorld(t, e)
	setup := auditActions(t, e.st) // the test's own enrolments
	b := e.browser()
	for _, path := range adminGets {
		r := b.get(path)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/login" {
			t.Errorf("GET %s signed out: %d → %q", path, r.status, r.header.Get("Location"))
		}
		mustNotContain(t, path, r.body, "Ahmed", "أحمد")
	}
	for _, p := range adminPosts(w.ma.id, w.personA, w.personB, w.conflict, w.cert.signed.Code) {
		for _, csrf := range []string{"", "guess"} {
			form := url.Values{"csrf": {csrf}}
			for i := 0; i+1 < len(p.kv); i += 2 {
				form.Add(p.kv[i], p.kv[i+1])
			}
			if r := b.post(p.path, form); r.status != http.StatusForbidden {
				t.Errorf("POST %s signed out: %d", p.path, r.status)
			}
		}
	}
	// Nothing changed.
	if acts := auditActions(t, e.st); len(acts) != len(setup) {
		t.Errorf("audit after refused requests: %v", acts)
	}
	if devs, _ := hq.ListDevices(ctx, e.st); devs[0].RevokedAt != nil {
		t.Error("a signed-out request revoked a device")
	}
}

func TestAdminCSRF(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{})
		w := newWorld(t, e)
		b := e.signIn("salma")
		for _, path := range adminGets {
			if r := b.get(path); r.status != http.StatusOK {
				t.Errorf("GET %s signed in: %d %s", path, r.status, r.body)
			}
		}
		before := len(auditActions(t, e.st))
		good := b.csrf
		for _, p := range adminPosts(w.ma.id, w.personA, w.personB, w.conflict, w.cert.signed.Code) {
			for _, tc := range []struct {
				name  string
				csrf  string
				extra []string
			}{
				{"no token", "", nil},
				{"wrong token", good[:len(good)-2] + "xx", nil},
				{"cross-site", good, []string{"Sec-Fetch-Site", "cross-site"}},
				{"other origin", good, []string{"Origin", "https://evil.example"}},
			} {
				form := url.Values{}
				if tc.csrf != "" {
					form.Set("csrf", tc.csrf)
				}
				for i := 0; i+1 < len(p.kv); i += 2 {
					form.Add(p.kv[i], p.kv[i+1])
				}
				if r := b.post(p.path, form, tc.extra...); r.status != http.StatusForbidden {
					t.Errorf("POST %s, %s: %d", p.path, tc.name, r.status)
				}
			}
		}
		if after := len(auditActions(t, e.st)); after != before {
			t.Errorf("refused forms wrote %d audit entries", after-before)
		}
		// With the token, every form works.
		for _, p := range adminPosts(w.ma.id, w.personA, w.personB, w.conflict, w.cert.signed.Code) {
			form := b.form(p.kv...)
			form.Set("csrf", good)
			r := b.post(p.path, form, "Origin", e.http.URL, "Sec-Fetch-Site", "same-origin")
			if r.status != http.StatusOK && r.status != http.StatusSeeOther {
				t.Errorf("POST %s with the token: %d %s", p.path, r.status, r.body)
			}
		}
		acts := strings.Join(auditActions(t, e.st), " ")
		for _, want := range []string{"salma:device.enrol:Nizwa laptop", "salma:device.revoke:" + w.ma.id, "salma:person.merge:" + w.personA,
			"salma:conflict.resolve:" + w.conflict, "salma:certificate.revoke:", "salma:place.add:", "salma:signout:", "salma:signin:"} {
			if !strings.Contains(acts, want) {
				t.Errorf("audit log lacks %q: %s", want, acts)
			}
		}
		// Signed out now: the console sends to the sign-in form again.
		if r := b.get("/admin/"); r.status != http.StatusSeeOther {
			t.Errorf("after sign-out: %d", r.status)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	signedIn := e.signIn("salma")
	out := e.browser()
	paths := append([]string{"/", "/verify", "/verify?code=7K3MQ9XZ2A", "/verify.json?code=x", "/v/7K3MQ9XZ2A", "/V/x",
		"/static/site.css", "/nope", "/admin/login", "/v1/ping", "/v1/nope"}, adminGets...)
	for _, b := range []*browser{out, signedIn} {
		for _, path := range paths {
			r := b.get(path)
			h := r.header
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
				strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: headers %v", path, h)
			}
			if strings.HasPrefix(h.Get("Content-Type"), "text/html") && (strings.Contains(r.body, "<script") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style")) {
				t.Errorf("%s: a script or inline style the CSP would block", path)
			}
		}
	}
	if r := out.get("/nope"); r.status != http.StatusNotFound || !strings.Contains(r.body, "الصفحة غير موجودة") {
		t.Errorf("404 page: %d", r.status)
	}
	if r := out.get("/v1/nope"); r.status != http.StatusNotFound || !strings.Contains(r.body, `"not_found"`) {
		t.Errorf("the API's 404 stays JSON: %d %s", r.status, r.body)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{SignInBurst: 100})
	e.addAdmin("salma", testPassword)
	b := e.browser()
	r := b.get("/admin/login")
	if r.status != 200 || b.csrf == "" {
		t.Fatalf("login page: %d", r.status)
	}
	// Without the double-submit cookie (a form posted from elsewhere).
	if r := e.browser().post("/admin/login", url.Values{"csrf": {b.csrf}, "name": {"salma"}, "password": {testPassword}}); r.status != http.StatusForbidden {
		t.Errorf("sign-in without the form's cookie: %d", r.status)
	}
	for _, tc := range []struct{ name, pw string }{{"salma", "wrong password!!"}, {"nobody", testPassword}, {"SALMA", testPassword}, {"", ""}} {
		r := b.post("/admin/login", b.form("name", tc.name, "password", tc.pw))
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "The name or the password is wrong") {
			t.Errorf("sign-in %s/%s: %d", tc.name, tc.pw, r.status)
		}
	}
	r = b.post("/admin/login", b.form("name", "salma", "password", testPassword))
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", r.status, r.body)
	}
	var session *http.Cookie
	for _, c := range r.headerCookies() {
		if c.Name == "safeer_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure {
		t.Fatalf("session cookie over plain HTTP: %+v", session)
	}
	if r := b.get("/admin/"); r.status != 200 || !strings.Contains(r.body, "Sign out salma") {
		t.Fatalf("console after sign-in: %d", r.status)
	}
	if r := b.get("/admin/login"); r.status != http.StatusSeeOther {
		t.Errorf("sign-in form while signed in: %d", r.status)
	}
	acts := strings.Join(auditActions(t, e.st), " ")
	mustContain(t, "audit", acts, "salma:signin.failed:", "nobody:signin.failed:", "salma:signin:")

	// Sessions end: after their time, and when the account is disabled.
	e.advance(web.DefaultSessionTTL + time.Minute)
	if r := b.get("/admin/"); r.status != http.StatusSeeOther {
		t.Errorf("expired session: %d", r.status)
	}
	b2 := e.browser()
	b2.get("/admin/login")
	b2.post("/admin/login", b2.form("name", "salma", "password", testPassword))
	if r := b2.get("/admin/"); r.status != 200 {
		t.Fatalf("second sign-in: %d", r.status)
	}
	if err := web.DisableAdmin(ctx, e.st, "salma", "test", e.clock()); err != nil {
		t.Fatal(err)
	}
	if r := b2.get("/admin/"); r.status != http.StatusSeeOther {
		t.Errorf("session of a disabled account: %d", r.status)
	}
	b3 := e.browser()
	b3.get("/admin/login")
	if r := b3.post("/admin/login", b3.form("name", "salma", "password", testPassword)); r.status != http.StatusUnauthorized {
		t.Errorf("disabled account signed in: %d", r.status)
	}
}

func (r resp) headerCookies() []*http.Cookie {
	return (&http.Response{Header: r.header}).Cookies()
}

func TestSecureCookies(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{SecureCookies: true})
	e.addAdmin("salma", testPassword)
	// A cookie jar would not send Secure cookies over plain HTTP; read
	// the headers by hand.
	b := e.browser()
	r := b.get("/admin/login")
	var login *http.Cookie
	for _, c := range r.headerCookies() {
		login = c
	}
	if login == nil || login.Name != "__Host-safeer_login" || !login.Secure || !login.HttpOnly {
		t.Fatalf("login cookie: %+v", login)
	}
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/admin/login",
		strings.NewReader(url.Values{"csrf": {login.Value}, "name": {"salma"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(login)
	res := b.do(req)
	var session *http.Cookie
	for _, c := range res.headerCookies() {
		if strings.HasSuffix(c.Name, "session") {
			session = c
		}
	}
	if res.status != http.StatusSeeOther || session == nil || session.Name != "__Host-safeer_session" || !session.Secure ||
		!session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Domain != "" {
		t.Fatalf("secure session cookie: %d %+v", res.status, session)
	}
}

func TestSignInRateLimit(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{SignInBurst: 3, SignInRate: 1.0 / 60})
	e.addAdmin("salma", testPassword)
	b := e.browser()
	b.get("/admin/login")
	for i := range 3 {
		if r := b.post("/admin/login", b.form("name", "salma", "password", "guess number "+string(rune('a'+i)))); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	// Even the right password waits now.
	r := b.post("/admin/login", b.form("name", "salma", "password", testPassword))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many sign-in attempts") {
		t.Fatalf("after 3 guesses: %d %q", r.status, r.header.Get("Retry-After"))
	}
	e.advance(2 * time.Minute)
	if r := b.post("/admin/login", b.form("name", "salma", "password", testPassword)); r.status != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", r.status)
	}
}
