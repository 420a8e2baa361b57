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
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/web"
	"github.com/oman-sca/safeer/sync/protocol"
)

func changeOf(changes []protocol.Change, table, row string) (protocol.Change, bool) {
	for _, c := range changes {
		if c.Table == table && c.RowID == row {
			return c, true
		}
	}
	return protocol.Change{}, false
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
	var er protocol.EnrolResponse
	if st := e.signedEnrol(protocol.EnrolRequest{Code: m[1], DeviceID: id}, key, &er); st != 200 {
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
	var resp protocol.ErrorResponse
	if st := e.api(http.MethodGet, protocol.PathPull, er.Token, nil, &resp); st != 401 || resp.Error != protocol.ErrDeviceRevoked {
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
		h, err := protocol.ParseHLC(rv.HLC)
		if err != nil || h.Device != "hq" || !protocol.Newer(rv.HLC, c.Fields["code"].HLC) {
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
// Dakhiliyah; HQ shows the two side by side, merges with the values the
// administrator chose (the e-mail only the merged record had included),
// and the merge reaches the devices.
func TestMergeDuplicates(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newEnv(t, open(t), web.Config{})
		ma, da := e.enrol("OM-MA"), e.enrol("OM-DA")
		a := ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "أحمد بن سالم الهنائي", nameEn: "Ahmed Al Hinai", civilID: "7654321"})
		e.advance(time.Second) // B's values are the newer
		bb := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "احمد سالم الهنائي", nameEn: "Ahmed S. Hinai",
			email: "ahmed@example.om"})
		c := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Bahla", nameAr: "خالد", nameEn: "Khalid", civilID: "7654321"})
		// Someone merged into c earlier on the device follows c.
		f := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Bahla", nameAr: "خالد الرواحي", nameEn: "Khalid R"})
		da.push(da.op("person", f, "merged_into", c))
		// Namesakes in one governorate are not HQ's to judge.
		ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Bawshar", nameAr: "سعيد الحارثي", nameEn: "Said"})
		ma.addPerson(personSpec{gov: "OM-MA", wilayat: "As Seeb", nameAr: "سعيد الحارثي", nameEn: "Said H"})
		da.pull()
		ma.pull()

		br := e.signIn("salma")
		r := br.get("/admin/duplicates")
		mustContain(t, "duplicates", r.body, a, bb, c, "Same civil ID", "الرقم المدني نفسه", "Same name", "الاسم نفسه")
		mustNotContain(t, "duplicates", r.body, "سعيد", f, "same similar", "Same similar")

		// The two side by side, B's e-mail (A has none) selected.
		r = br.get("/admin/duplicates/merge?keep=" + a + "&merge=" + bb)
		if r.status != 200 {
			t.Fatalf("merge page: %d %s", r.status, r.body)
		}
		mustContain(t, "merge page", r.body, "أحمد بن سالم الهنائي", "احمد سالم الهنائي", "ahmed@example.om",
			`name="take_email" value="merged" checked`, `name="take_name_en" value="merged" checked`)
		// Nothing changed by looking.
		if v := e.personAt(a); v["email"] != "" || v["governorate"] != "OM-MA" {
			t.Fatalf("the merge page changed the kept person: %v", v)
		}

		// Keep A's English name and place; the e-mail is left to the
		// default (B's), as a form whose radio was not touched sends it.
		r = br.post("/admin/duplicates/merge", br.form("keep", a, "merge", bb, "take_name_en", "kept",
			"take_governorate", "kept", "take_wilayat", "kept", "take_email", "merged"))
		if r.status != 200 || !strings.Contains(r.body, "took from the merged record: name (arabic), e-mail.") {
			t.Fatalf("merge: %d %s", r.status, r.body)
		}
		v := e.personAt(a)
		if v["email"] != "ahmed@example.om" || v["name_en"] != "Ahmed Al Hinai" || v["governorate"] != "OM-MA" ||
			v["wilayat"] != "Muttrah" || v["name_ar"] != "احمد سالم الهنائي" {
			t.Fatalf("kept person at HQ after the merge: %v", v)
		}
		// Muscat's device learns A's new e-mail; Ad Dakhiliyah's, the merge.
		if ch, ok := changeOf(ma.pull(), "person", a); !ok || ch.Fields["email"].Value != "ahmed@example.om" {
			t.Errorf("device of OM-MA pulled %v %+v", ok, ch)
		}
		if ch, ok := changeOf(da.pull(), "person", bb); !ok || ch.Fields["merged_into"].Value != a {
			t.Errorf("device of OM-DA pulled %s: %v %+v", bb, ok, ch)
		}

		// A two-person group's form names only the one to keep.
		r = br.post("/admin/duplicates/merge", br.form("keep", a, "member", a, "member", c))
		if r.status != 200 || !strings.Contains(r.body, "Merged خالد into") {
			t.Fatalf("merge of c: %d %s", r.status, r.body)
		}
		mustNotContain(t, "duplicates after merge", r.body, bb, c)
		changes := da.pull()
		for _, id := range []string{c, f} {
			ch, ok := changeOf(changes, "person", id)
			if !ok || ch.Fields["merged_into"].Value != a {
				t.Errorf("device of OM-DA pulled %s: %v %+v", id, ok, ch.Fields["merged_into"])
			}
		}
		if r := br.get("/admin/roster"); strings.Contains(r.body, "Ahmed S. Hinai") {
			t.Error("a merged person is still on the roster")
		}
		if r := br.post("/admin/duplicates/merge", br.form("keep", a, "merge", bb)); !strings.Contains(r.body, "already merged") {
			t.Errorf("merging again: %s", r.body)
		}
		if r := br.post("/admin/duplicates/merge", br.form("keep", uuid.NewString(), "merge", a)); r.status != http.StatusNotFound {
			t.Errorf("merge into nobody: %d", r.status)
		}
		if r := br.post("/admin/duplicates/merge", br.form("keep", a)); r.status != http.StatusBadRequest {
			t.Errorf("merge of nobody: %d", r.status)
		}
		if r := br.get("/admin/duplicates/merge?keep=" + a + "&merge=" + a); r.status != http.StatusBadRequest {
			t.Errorf("merge page for one record: %d", r.status)
		}

		// A wilayat taken from a record of another governorate than the
		// governorate taken is refused, and the form comes back.
		x := ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Bawshar", nameAr: "سالم الكندي", nameEn: "Salim"})
		e.advance(time.Second)
		y := da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "سالم الكندي", nameEn: "Salim",
			email: "salim@example.om"})
		r = br.post("/admin/duplicates/merge", br.form("keep", x, "merge", y, "take_governorate", "merged", "take_wilayat", "kept"))
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "different governorates") ||
			!strings.Contains(r.body, `name="take_email"`) {
			t.Errorf("split place: %d %s", r.status, r.body)
		}
		if v := e.personAt(y); v["merged_into"] != nil && v["merged_into"] != "" {
			t.Errorf("a refused merge merged: %v", v)
		}
		if r := br.post("/admin/duplicates/merge", br.form("keep", x, "merge", y, "take_email", "both")); r.status != http.StatusBadRequest {
			t.Errorf("take_email=both: %d", r.status)
		}
	})
}

// TestDuplicateRule: HQ offers pairs by the rule the devices use
// (roster.Offer), and says why in words.
func TestDuplicateRule(t *testing.T) {
	e := newEnv(t, sqliteStore(t), web.Config{})
	ma, da := e.enrol("OM-MA"), e.enrol("OM-DA")
	// A brother and a sister with the family's e-mail, in two governorates.
	ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "حمد ناصر الكندي", nameEn: "Hamad Nasser Al Kindi",
		gender: "male", phone: "+96891111111", email: "alkindi@example.om"})
	da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "هاجر ناصر الكندي", nameEn: "Hajar Nasser Al Kindi",
		gender: "female", phone: "+96892222222", email: "alkindi@example.om"})
	// One name in two spellings, different phones: still offered.
	ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "أحمد سالم البوسعيدي", nameEn: "Ahmed",
		phone: "+96893333333", civilID: "11112222"})
	da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "احمد سالم البوسعيدى", nameEn: "Ahmad",
		phone: "+96894444444", civilID: "33334444"})
	// One civil ID, genders differ: offered, a civil ID is strong.
	ma.addPerson(personSpec{gov: "OM-MA", wilayat: "Muttrah", nameAr: "مريم", nameEn: "Maryam", gender: "female", civilID: "55556666"})
	da.addPerson(personSpec{gov: "OM-DA", wilayat: "Nizwa", nameAr: "مروان", nameEn: "Marwan", gender: "male", civilID: "55556666"})

	r := e.signIn("salma").get("/admin/duplicates")
	mustNotContain(t, "duplicates", r.body, "Hamad", "Hajar")
	mustContain(t, "duplicates", r.body, "احمد سالم البوسعيدى", "Same name", "Maryam", "Marwan", "Same civil ID")
	if n := strings.Count(r.body, `<form class="group"`); n != 2 {
		t.Errorf("%d groups, want 2:\n%s", n, r.body)
	}
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
	id := safeer.PlaceID("OM-MA", "Al Khoudh") // the id every device has for it
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
