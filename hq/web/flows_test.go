package web_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/sync"
)

func changeOf(changes []sync.Change, table, row string) (sync.Change, bool) {
	for _, c := range changes {
		if c.Table == table && c.RowID == row {
			return c, true
		}
	}
	return sync.Change{}, false
}

func TestConsoleDevices(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	b := e.signIn("salma")
	r := b.post("/admin/devices/enrol", b.form("name", "Sur laptop", "governorate", "OM-SJ", "governorate", "OM-SS"))
	m := regexp.MustCompile(`class="onetime code">([0-9A-Z]{5}-[0-9A-Z]{5})<`).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("enrol: %d %s", r.status, r.body)
	}
	mustContain(t, "enrol page", r.body, "Sur laptop (OM-SJ, OM-SS)")
	// The code works, once.
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	id := uuid.NewString()
	var er sync.EnrolResponse
	if st := e.signedEnrol(sync.EnrolRequest{Code: m[1], DeviceID: id}, key, &er); st != 200 {
		t.Fatalf("enrol with the console's code: %d", st)
	}
	if r := b.get("/admin/devices"); !strings.Contains(r.body, id) || strings.Contains(r.body, m[1]) {
		t.Errorf("devices page: lists the device %v, shows the spent code again %v", strings.Contains(r.body, id), strings.Contains(r.body, m[1]))
	}
	// Mistakes in words.
	if r := b.post("/admin/devices/enrol", b.form("name", "x")); r.status != http.StatusBadRequest || !strings.Contains(r.body, "Tick at least one governorate") {
		t.Errorf("enrol without governorate: %d", r.status)
	}
	if r := b.post("/admin/devices/enrol", b.form("name", "x", "governorate", "OM-XX")); r.status != http.StatusBadRequest {
		t.Errorf("enrol in an unknown governorate: %d", r.status)
	}
	if r := b.post("/admin/devices/revoke", b.form("id", id[:8])); r.status != http.StatusBadRequest {
		t.Errorf("revoke by a prefix: %d", r.status)
	}
	// The first press asks; only the confirmation revokes.
	r = b.post("/admin/devices/revoke", b.form("id", id))
	if r.status != 200 || !strings.Contains(r.body, "Revoke Sur laptop?") || !strings.Contains(r.body, `name="confirm" value="yes"`) {
		t.Fatalf("revoke, first press: %d", r.status)
	}
	if devs, _ := hq.ListDevices(ctx, e.st); devs[0].RevokedAt != nil {
		t.Fatal("revoked without confirmation")
	}
	r = b.post("/admin/devices/revoke", b.form("id", id, "confirm", "yes"))
	if r.status != 200 || !strings.Contains(r.body, "Revoked Sur laptop") {
		t.Fatalf("revoke: %d", r.status)
	}
	var resp sync.ErrorResponse
	if st := e.api(http.MethodGet, sync.PathPull, er.Token, nil, &resp); st != 401 || resp.Error != sync.ErrDeviceRevoked {
		t.Errorf("pull of a device revoked in the console: %d %+v", st, resp)
	}
}

// TestConsoleRevokeCertificate: HQ revokes a certificate; the public page
// says revoked at once, and the device that issued it pulls the
// revocation, stamped by HQ's clock, newer than its own.
func TestConsoleRevokeCertificate(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{VerifyRate: -1})
		d := e.enrol("OM-MA")
		is := d.issue("OM-MA", "سالم", "Salim", "2025-03-01", 3)
		d.pull()
		b := e.signIn("salma")
		if r := b.get("/admin/certificates?code=" + strings.ToLower(is.signed.Code)); r.status != 200 ||
			!strings.Contains(r.body, "Valid certificate") || !strings.Contains(r.body, "Revoke "+certificate.FormatCode(is.signed.Code)) {
			t.Fatalf("look-up: %d", r.status)
		}
		if r := b.post("/admin/certificates/revoke", b.form("code", is.signed.Code, "reason", "  ")); r.status != http.StatusBadRequest {
			t.Errorf("revoke without a reason: %d", r.status)
		}
		if r := b.post("/admin/certificates/revoke", b.form("code", certificate.NewCode(), "reason", "x")); r.status != http.StatusNotFound {
			t.Errorf("revoke an unknown code: %d", r.status)
		}
		e.advance(3600e9)
		r := b.post("/admin/certificates/revoke", b.form("code", is.signed.Code, "reason", "attendance was recorded by mistake"))
		if r.status != 200 || !strings.Contains(r.body, "Revoked "+certificate.FormatCode(is.signed.Code)) {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		// Public page: revoked, dated in Muscat (09:00 + 1h UTC = 14:00 in Muscat, 10 March).
		a := verifyJSON(t, e.browser(), "/verify.json?code="+is.signed.Code)
		if a.Status != web.StatusRevoked || a.RevokedOn != "2025-03-10" || a.ReplacedBy != "" {
			t.Errorf("after HQ's revocation: %+v", a)
		}
		// The device pulls it.
		c, ok := changeOf(d.pull(), "certificate", is.row)
		if !ok {
			t.Fatal("the revocation did not reach the device")
		}
		rv := c.Fields["revoked_at"]
		if rv.Value != "2025-03-10T10:00:00Z" || c.Fields["revoked_reason"].Value != "attendance was recorded by mistake" {
			t.Errorf("pulled revocation: %+v", c.Fields)
		}
		h, err := sync.ParseHLC(rv.HLC)
		if err != nil || h.Device != "hq" || !sync.Newer(rv.HLC, c.Fields["code"].HLC) {
			t.Errorf("revocation stamp %q (code's %q): %v", rv.HLC, c.Fields["code"].HLC, err)
		}
		// Revoking again changes nothing.
		if r := b.post("/admin/certificates/revoke", b.form("code", is.signed.Code, "reason", "again")); !strings.Contains(r.body, "already revoked") {
			t.Errorf("second revocation: %d", r.status)
		}
		if _, ok := changeOf(d.pull(), "certificate", is.row); ok {
			t.Error("a second revocation made a new change")
		}
		acts := auditActions(t, e.st)
		if !strings.Contains(strings.Join(acts, " "), "salma:certificate.revoke:"+certificate.FormatCode(is.signed.Code)) {
			t.Errorf("audit: %v", acts)
		}
		if r := b.get("/admin/certificates"); !strings.Contains(r.body, "attendance was recorded by mistake") {
			t.Error("the latest revocations do not list it")
		}
	})
}

func TestRosterSearch(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	ma, da := e.enrol("OM-MA"), e.enrol("OM-DA")
	ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "أحمد بن سالم الهنائي", nameEn: "Ahmed Salim Al Hinai", phone: "+96891234567"})
	ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Bawshar", nameAr: "فاطمة عبد الله", nameEn: "Fatma Abdullah", phone: "+96899887766"})
	da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "إيمان الكندي", nameEn: "Iman Al Kindi", phone: "+96892223333"})
	gone := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "محذوف", nameEn: "Deleted Person"})
	da.push(da.op("person", gone, "deleted", true))
	b := e.signIn("salma")
	tests := []struct {
		query string
		want  []string
		not   []string
	}{
		{"", []string{"أحمد", "فاطمة", "إيمان"}, []string{"محذوف"}},
		{"q=احمد", []string{"أحمد"}, []string{"فاطمة", "إيمان"}},             // hamza folded
		{"q=ايمان", []string{"إيمان"}, []string{"أحمد"}},                     // hamza below
		{"q=عبدالله", []string{"فاطمة"}, nil},                                // compound written joined
		{"q=hinai+ahm", []string{"Ahmed Salim Al Hinai"}, []string{"Fatma"}}, // English, any case, word starts
		{"q=99887766", []string{"فاطمة"}, []string{"أحمد"}},                  // phone
		{"q=٩٩٨٨٧٧٦٦", []string{"فاطمة"}, []string{"أحمد"}},                  // phone in Arabic-Indic digits
		{"gov=OM-DA", []string{"إيمان"}, []string{"أحمد", "فاطمة"}},
		{"gov=OM-MA&wilayat=Bawshar", []string{"فاطمة"}, []string{"أحمد"}},
		{"q=nobody", nil, []string{"أحمد", "فاطمة", "إيمان"}},
	}
	for _, tc := range tests {
		r := b.get("/admin/roster?" + strings.ReplaceAll(tc.query, " ", "+"))
		if r.status != 200 {
			t.Fatalf("%s: %d", tc.query, r.status)
		}
		mustContain(t, "roster "+tc.query, r.body, tc.want...)
		mustNotContain(t, "roster "+tc.query, r.body, tc.not...)
	}
	if r := b.get("/admin/roster?gov=OM-MA"); !strings.Contains(r.body, `value="Bawshar"`) {
		t.Error("the wilayat filter does not list the governorate's wilayats")
	}
}

// TestMergeDuplicates: the same person registered in Muscat and in Ad
// Dakhiliyah; HQ merges, and the merge reaches the devices.
func TestMergeDuplicates(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{})
		ma, da := e.enrol("OM-MA"), e.enrol("OM-DA")
		a := ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "أحمد بن سالم الهنائي", nameEn: "Ahmed Al Hinai", civilID: "7654321"})
		bb := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "احمد سالم الهنائي", nameEn: "Ahmed S. Hinai"})
		c := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Bahla", nameAr: "خالد", nameEn: "Khalid", civilID: "7654321"})
		// Someone merged into c earlier on the device follows c.
		f := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Bahla", nameAr: "خالد الرواحي", nameEn: "Khalid R"})
		da.push(da.op("person", f, "merged_into", c))
		// Namesakes in one governorate are not HQ's to judge.
		ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Bawshar", nameAr: "سعيد الحارثي", nameEn: "Said"})
		ma.addPerson(personSpec{gov: "OM-MA", wilayat: "As Seeb", nameAr: "سعيد الحارثي", nameEn: "Said H"})
		da.pull()

		br := e.signIn("salma")
		r := br.get("/admin/duplicates")
		mustContain(t, "duplicates", r.body, a, bb, c, "same civil ID", "same name")
		mustNotContain(t, "duplicates", r.body, "سعيد", f)
		r = br.post("/admin/duplicates/merge", br.form("into", a, "member", a, "member", bb, "member", c))
		if r.status != 200 || !strings.Contains(r.body, "Merged 2 record(s)") {
			t.Fatalf("merge: %d %s", r.status, r.body)
		}
		mustNotContain(t, "duplicates after merge", r.body, bb)
		changes := da.pull()
		for _, id := range []string{bb, c, f} {
			ch, ok := changeOf(changes, "person", id)
			if !ok || ch.Fields["merged_into"].Value != a {
				t.Errorf("device of OM-DA pulled %s: %v %+v", id, ok, ch.Fields["merged_into"])
			}
		}
		if r := br.get("/admin/roster"); strings.Contains(r.body, "احمد سالم الهنائي") {
			t.Error("a merged person is still on the roster")
		}
		if r := br.post("/admin/duplicates/merge", br.form("into", a, "member", bb)); !strings.Contains(r.body, "already merged") {
			t.Errorf("merging again: %s", r.body)
		}
		if r := br.post("/admin/duplicates/merge", br.form("into", uuid.NewString(), "member", a)); r.status != http.StatusNotFound {
			t.Errorf("merge into nobody: %d", r.status)
		}
		if r := br.post("/admin/duplicates/merge", br.form("into", a)); r.status != http.StatusBadRequest {
			t.Errorf("merge of nobody: %d", r.status)
		}
	})
}

func TestConflictsResolve(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	w := newWorld(t, e)
	b := e.signIn("salma")
	r := b.get("/admin/conflicts")
	mustContain(t, "conflicts", r.body, "Muscat Municipality", "Ministry of Housing", "organisation", w.conflict)
	if r := b.get("/admin/conflicts?gov=OM-DA"); strings.Contains(r.body, w.conflict) {
		t.Error("the governorate filter shows another governorate's conflict")
	}
	w.ma.pull()
	r = b.post("/admin/conflicts/resolve", b.form("id", w.conflict))
	if r.status != 200 || strings.Contains(r.body, `value="`+w.conflict+`"`) {
		t.Fatalf("resolve: %d", r.status)
	}
	if n, _ := e.st.PendingConflicts(ctx, []string{"OM-MA"}); n != 0 {
		t.Errorf("%d conflicts pending after resolving", n)
	}
	ch, ok := changeOf(w.ma.pull(), "conflict", w.conflict)
	if !ok || ch.Fields["resolved"].Value != true {
		t.Errorf("the device pulled %v %+v", ok, ch.Fields)
	}
	if r := b.post("/admin/conflicts/resolve", b.form("id", "nope")); r.status != http.StatusNotFound {
		t.Errorf("resolve nothing: %d", r.status)
	}
}

func TestActivityAndExports(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	ma := e.enrol("OM-MA")
	ma.issue("OM-MA", "سالم", "Salim", "2025-02-20", 3)
	ma.issue("OM-MA", "=HYPERLINK(\"x\")", "+cmd", "2025-03-05", 2)
	ma.issue("OM-MA", "مريم", "Maryam", "2023-01-01", 5) // outside the twelve months
	b := e.signIn("salma")
	r := b.get("/admin/activity")
	mustContain(t, "activity", r.body, "<svg", "Workshops held per month", "2024-04", "2025-03", "Muscat", "سالم")
	if !regexp.MustCompile(`<td>2025-02</td><td class="num">1</td><td class="num">1</td><td class="num">3</td>`).MatchString(r.body) {
		t.Errorf("February's row is wrong")
	}
	mustNotContain(t, "activity", r.body, "مريم")
	if r := b.get("/admin/activity?gov=OM-DA"); strings.Contains(r.body, "سالم") {
		t.Error("the governorate filter shows another governorate")
	}

	r = b.get("/admin/export/roster.csv")
	if r.status != 200 || !strings.HasPrefix(r.body, "\ufeffid,kind,name_ar") || !strings.Contains(r.header.Get("Content-Disposition"), "safeer-roster-2025-03-10.csv") {
		t.Fatalf("roster.csv: %d %q %q", r.status, r.header.Get("Content-Disposition"), r.body[:min(40, len(r.body))])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("roster.csv: %d rows, %v", len(rows), err)
	}
	body := r.body
	mustContain(t, "roster.csv", body, `'=HYPERLINK`, `'+cmd`, "سالم")
	r = b.get("/admin/export/attendance.csv?gov=OM-MA")
	rows, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff"))).ReadAll()
	if len(rows) != 4 || rows[1][1] != "2023-01-01" || rows[1][7] != "present" {
		t.Errorf("attendance.csv: %v", rows)
	}
	r = b.get("/admin/export/workshops.xlsx")
	if r.status != 200 || !bytes.HasPrefix([]byte(r.body), []byte("PK")) || !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("workshops.xlsx: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if r := b.get("/admin/export/secrets.csv"); r.status != http.StatusNotFound {
		t.Errorf("unknown export: %d", r.status)
	}
	if r := b.get("/admin/export/roster.exe"); r.status != http.StatusNotFound {
		t.Errorf("unknown format: %d", r.status)
	}
	if acts := strings.Join(auditActions(t, e.st), " "); !strings.Contains(acts, "salma:export:roster.csv") || !strings.Contains(acts, "salma:export:workshops.xlsx") {
		t.Errorf("exports not audited: %s", acts)
	}
}

func TestAddPlace(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	ma, zu := e.enrol("OM-MA"), e.enrol("OM-ZU")
	b := e.signIn("salma")
	r := b.post("/admin/places", b.form("governorate", "OM-MA", "wilayat_en", "Al Khoudh", "wilayat_ar", "الخوض"))
	if r.status != 200 || !strings.Contains(r.body, "Added Al Khoudh") {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	id := data.PlaceID("OM-MA", "Al Khoudh")
	if web.PlaceID("OM-MA", "Al Khoudh") != id {
		t.Fatal("HQ's place ids differ from the devices'")
	}
	for _, d := range []*device{ma, zu} {
		ch, ok := changeOf(d.pull(), "place", id)
		if !ok || ch.Fields["wilayat_ar"].Value != "الخوض" || ch.Fields["governorate_en"].Value != "Muscat" || ch.Fields["deleted"].Value != false {
			t.Errorf("device pulled %v %+v", ok, ch.Fields)
		}
	}
	mustContain(t, "places", b.get("/admin/places").body, "Al Khoudh", "الخوض")
	for _, tc := range [][]string{
		{"governorate", "OM-MA", "wilayat_en", "muttrah", "wilayat_ar", "جديدة"}, // exists (any case)
		{"governorate", "OM-MA", "wilayat_en", "New", "wilayat_ar", "مطرح"},      // exists in Arabic
		{"governorate", "OM-XX", "wilayat_en", "New", "wilayat_ar", "جديدة"},
		{"governorate", "OM-MA", "wilayat_en", "", "wilayat_ar", "جديدة"},
	} {
		if r := b.post("/admin/places", b.form(tc...)); r.status != http.StatusBadRequest {
			t.Errorf("add %v: %d", tc, r.status)
		}
	}
	// The new wilayat is offered in the roster's filter.
	if r := b.get("/admin/roster?gov=OM-MA"); !strings.Contains(r.body, `value="Al Khoudh"`) {
		t.Error("the roster does not offer the new wilayat")
	}
}
