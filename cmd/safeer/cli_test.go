package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/testharness/protected"
	_ "modernc.org/sqlite"
)

// run runs safeer in-process with args and returns exit code and output.
// It gives the passphrase as a script would (internal/testharness/protected,
// whose variable TestMain sets): a new database is encrypted by the first
// command, with the cheap argon2id parameters of test databases.
func run(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	m.StoreOptions = protected.Options()
	code := m.Run(context.Background(), append(append([]string{"--db", db}, protected.Args()...), args...))
	return code, out.String(), errb.String()
}

// openDB opens the test database db through the data API as the commands
// leave it: encrypted (made so if new) and unlocked.
func openDB(t *testing.T, db string) *data.Store {
	t.Helper()
	ctx := context.Background()
	if err := protected.Create(ctx, db); err != nil {
		t.Fatal(err)
	}
	s, err := protected.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	code, out, errs := run(t, db, args...)
	if code != 0 {
		t.Fatalf("safeer %v: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

func jsonOut(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
}

func TestPeopleCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	var added struct {
		ID string `json:"id"`
	}
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "أحمد البلوشي", "--name-en", "Ahmed Al Balushi",
		"--phone", "9123 4567", "--governorate", "مسقط", "--wilayat", "مطرح", "--json"), &added)
	if added.ID == "" {
		t.Fatal("no id")
	}
	// The same phone in another spelling: refused as a likely duplicate.
	code, out, _ := run(t, db, "people", "add", "--name-ar", "احمد البلوشى", "--phone", "+96891234567", "--governorate", "OM-MA", "--json")
	if code != 1 || !strings.Contains(out, added.ID) {
		t.Fatalf("duplicate add: exit %d\n%s", code, out)
	}
	var second struct{ ID string }
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "احمد البلوشى", "--phone", "+96891234567", "--governorate", "OM-MA", "--force", "--json"), &second)

	// The reasons read as sentences.
	if out := mustRun(t, db, "people", "duplicates", second.ID); !strings.Contains(out, added.ID+"  أحمد البلوشي  Ahmed Al Balushi  (Same phone number, Same name)") {
		t.Errorf("people duplicates:\n%s", out)
	}
	found := searched(t, db, "احمد")
	if len(found) != 2 {
		t.Fatalf("search: %+v", found)
	}
	mustRun(t, db, "people", "edit", second.ID, "--email", "A@Example.OM")
	mustRun(t, db, "people", "merge", second.ID, added.ID)
	found = searched(t, db, "احمد")
	if len(found) != 1 || found[0].ID != added.ID {
		t.Fatalf("after merge: %+v", found)
	}
	if found[0].Email != "a@example.om" {
		t.Fatalf("the merge dropped the merged record's e-mail: %+v", found[0])
	}
	mustRun(t, db, "people", "delete", added.ID)
	found = searched(t, db, "احمد")
	if len(found) != 0 {
		t.Fatalf("after delete: %+v", found)
	}
	// Validation errors name the field in both languages.
	code, _, errs := run(t, db, "people", "add", "--name-en", "X", "--phone", "12", "--governorate", "Atlantis")
	if code != 1 || !strings.Contains(errs, "phone") || !strings.Contains(errs, "governorate") || !strings.Contains(errs, "ليست محافظة") {
		t.Fatalf("validation: exit %d\n%s", code, errs)
	}
}

// TestPeopleMerge: the merge says what the kept person got from each
// record, takes the defaults, and --take overrides them field by field.
func TestPeopleMerge(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	add := func(args ...string) string {
		var p struct{ ID string }
		jsonOut(t, mustRun(t, db, append(append([]string{"people", "add"}, args...), "--governorate", "OM-MA", "--force", "--json")...), &p)
		return p.ID
	}
	keep := add("--name-ar", "سالم الحارثي", "--phone", "91234567", "--notes", "kept notes", "--organisation", "Muscat Municipality")
	dup := add("--name-ar", "سالم الحارثي", "--email", "salim@example.om", "--notes", "merged notes", "--organisation", "Omantel")
	out := mustRun(t, db, "people", "merge", dup, keep, "--take", "organisation=kept")
	for _, want := range []string{
		"merged " + dup + " (سالم الحارثي) into " + keep,
		"email", "salim@example.om", "from the merged record", // only the merged record had one
		"+96891234567", "from the kept record", // only the kept record had one
		"merged notes", // the newer of two
		"same in both",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("merge output lacks %q:\n%s", want, out)
		}
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = l
		}
	}
	for field, want := range map[string]string{"email": "from the merged record", "phone": "from the kept record",
		"notes": "from the merged record", "organisation": "from the kept record", "name_ar": "same in both"} {
		if !strings.HasSuffix(lines[field], want) {
			t.Errorf("%s: %q, want it to end %q", field, lines[field], want)
		}
	}
	var p safeer.Person
	jsonOut(t, mustRun(t, db, "people", "show", keep, "--json"), &struct{ Person *safeer.Person }{&p})
	if p.Email != "salim@example.om" || p.Phone != "+96891234567" || p.Notes != "merged notes" || p.Organisation != "Muscat Municipality" {
		t.Fatalf("kept person after the merge: %+v", p)
	}

	// JSON: both values of every field, the default and the choice.
	a := add("--name-en", "Huda Al Said", "--email", "huda@a.om")
	b := add("--name-en", "Huda Al Said", "--email", "huda@b.om")
	var res struct {
		Merged, Into string
		Fields       []struct {
			Field           string
			Kept, Merged    struct{ Value, Stamp string }
			Default, Choice string
		}
		Person safeer.Person
	}
	jsonOut(t, mustRun(t, db, "people", "merge", b, a, "--take", "email=kept", "--json"), &res)
	if res.Merged != b || res.Into != a || res.Person.Email != "huda@a.om" {
		t.Fatalf("merge JSON: %+v", res)
	}
	var email int
	for i, f := range res.Fields {
		if f.Field == "email" {
			email = i
		}
	}
	if f := res.Fields[email]; f.Kept.Value != "huda@a.om" || f.Merged.Value != "huda@b.om" || f.Default != "merged" ||
		f.Choice != "kept" || f.Merged.Stamp <= f.Kept.Stamp {
		t.Fatalf("email in the merge JSON: %+v", f)
	}
	// A field a merge does not decide, or a side that is neither, is refused.
	c, d := add("--name-en", "Nasser Al Kindi"), add("--name-en", "Nasser Al Kindi")
	for _, bad := range []string{"merged_into=merged", "email=both", "email"} {
		if code, _, _ := run(t, db, "people", "merge", d, c, "--take", bad); code == 0 {
			t.Errorf("--take %s accepted", bad)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 500), 0o600)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"people", "add", "--no-such-flag", "x"}, 2, "no-such-flag"},
		{[]string{"import", filepath.Join(dir, "missing.csv")}, 1, "missing.csv"},
		{[]string{"import", db + ".xls"}, 1, ""},
		{[]string{"--db", junk, "people", "search", "x"}, 1, "not a Safeer database or is damaged"},
		{[]string{"people", "edit", "no-such-id", "--phone", "91234567"}, 1, "not found"},
		{[]string{"export", "cats", "--out", filepath.Join(dir, "x.csv")}, 1, "choose people, workshops or attendance"},
		{[]string{"certificates", "verify", "garbage", "--hq-key", strings.Repeat("A", 43)}, 1, ""},
	} {
		code, out, errs := run(t, db, tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("safeer %v: exit %d, want %d with %q\n%s%s", tt.args, code, tt.code, tt.want, out, errs)
		}
	}
}

func TestImportExportBackup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	csv := filepath.Join(dir, "roster.csv")
	os.WriteFile(csv, []byte("\uFEFFالاسم,الجوال,المحافظة\r\nسالم الحارثي,٩١١١١١١١,الداخلية\r\n\r\nمنى الكندية,99999999,Dhofar\r\nخطأ,12,ظفار\r\n"), 0o600)

	code, out, _ := run(t, db, "import", csv, "--json")
	var rep data.ImportReport
	jsonOut(t, out, &rep)
	if code != 1 || rep.Imported != 0 || len(rep.Invalid) != 1 || rep.Invalid[0].Row != 5 || rep.Invalid[0].Column != "الجوال" {
		t.Fatalf("import with a bad row: exit %d %+v", code, rep)
	}
	jsonOut(t, mustRun(t, db, "import", csv, "--skip-invalid", "--json"), &rep)
	if rep.Imported != 2 || rep.Batch == "" {
		t.Fatalf("import: %+v", rep)
	}
	xlsx := filepath.Join(dir, "people.xlsx")
	mustRun(t, db, "export", "people", "--out", xlsx)
	if b, _ := os.ReadFile(xlsx); !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatal("export did not write an xlsx")
	}
	// The export imports into a fresh database.
	db2 := filepath.Join(dir, "other.db")
	jsonOut(t, mustRun(t, db2, "import", xlsx, "--json"), &rep)
	if rep.Imported != 2 {
		t.Fatalf("re-import of export: %+v", rep)
	}
	mustRun(t, db, "import", "undo", mustBatch(t, db))
	found := searched(t, db, "")
	if len(found) != 0 {
		t.Fatalf("after undo: %+v", found)
	}
	backup := filepath.Join(dir, "backup.db")
	mustRun(t, db, "backup", backup)
	if code, _, _ := run(t, db, "backup", backup); code != 1 {
		t.Fatal("backup overwrote a file")
	}
}

func mustBatch(t *testing.T, db string) string {
	var bs []data.ImportBatch
	jsonOut(t, mustRun(t, db, "import", "list", "--json"), &bs)
	return bs[0].ID
}

func TestCertificatesIssueAndVerify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	var w struct{ ID string }
	jsonOut(t, mustRun(t, db, "workshops", "add", "--title-ar", "المدن الذكية", "--title-en", "Smart Cities",
		"--date", "29/11/2026", "--hours", "3", "--governorate", "OM-DA", "--wilayat", "نزوى", "--json"), &w)
	var p struct{ ID string }
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "عبدالله الإسماعيلي", "--name-en", "Abdullah Al Ismaili", "--governorate", "OM-DA", "--json"), &p)
	mustRun(t, db, "attend", w.ID, p.ID)

	// Simulate enrolment: HQ endorses the device key.
	hqPub, hqPriv, _ := ed25519.GenerateKey(nil)
	s := openDB(t, db)
	signer, err := s.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	end := certificate.Endorse(hqPriv, signer.DeviceID, signer.Key.Public().(ed25519.PublicKey))
	if _, err := s.DB().Exec(`UPDATE sync_state SET endorsement = ?, hq_public_key = ? WHERE id = 1`, end, []byte(hqPub)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	pdf := filepath.Join(dir, "workshop.pdf")
	var rep struct {
		Issued []data.CertificateRow `json:"issued"`
		Files  []string              `json:"files"`
	}
	jsonOut(t, mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai", "--out", pdf, "--json"), &rep)
	if len(rep.Issued) != 1 || len(rep.Files) != 1 {
		t.Fatalf("issue: %+v", rep)
	}
	key := base64.RawURLEncoding.EncodeToString(hqPub)
	var v verification
	jsonOut(t, mustRun(t, db, "certificates", "verify", pdf, "--hq-key", key, "--json"), &v)
	if v.Status != certificate.StatusValid || v.NameEn != "Abdullah Al Ismaili" || v.Wilayat != "Nizwa" {
		t.Fatalf("verify: %+v", v)
	}
	// Another HQ's key: unknown signer, and a failing exit.
	otherPub, _, _ := ed25519.GenerateKey(nil)
	code, out, _ := run(t, db, "certificates", "verify", pdf, "--hq-key", base64.RawURLEncoding.EncodeToString(otherPub), "--json")
	jsonOut(t, out, &v)
	if code != 1 || v.Status != certificate.StatusUnknownSigner {
		t.Fatalf("other key: exit %d %+v", code, v)
	}
	split := filepath.Join(dir, "split")
	mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai", "--split", split)
	files, _ := filepath.Glob(filepath.Join(split, "*.pdf"))
	if len(files) != 1 || !strings.Contains(filepath.Base(files[0]), "Abdullah Al Ismaili") {
		t.Fatalf("split files %v", files)
	}
	mustRun(t, db, "certificates", "revoke", rep.Issued[0].Code, "--reason", "duplicate")
	code, out, _ = run(t, db, "certificates", "verify", pdf, "--json")
	jsonOut(t, out, &v)
	if code != 1 || v.Status != certificate.StatusRevoked || v.RevokedReason != "duplicate" {
		t.Fatalf("after revoke: exit %d %+v", code, v)
	}
}

// TestBinaryExitCodes runs the real binary: a wrong command line must give
// words and an exit code, never a panic.
func TestBinaryExitCodes(t *testing.T) {
	cmd := exec.Command(buildSafeer(t), "--db", filepath.Join(t.TempDir(), "x.db"), "people", "search", "--limit", "many")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "invalid value") || strings.Contains(string(out), "panic") {
		t.Fatalf("exit %v\n%s", err, out)
	}
}

// TestVerifyNotEnrolled: on a computer not yet enrolled (no HQ key, none
// given), verify checks the device's signature instead of asking for HQ's
// key: its own certificate is "signed by this computer, not yet endorsed by
// HQ", another computer's is not, and a changed record is tampered.
func TestVerifyNotEnrolled(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	var w, p struct{ ID string }
	jsonOut(t, mustRun(t, db, "workshops", "add", "--title-ar", "المدن الذكية", "--title-en", "Smart Cities",
		"--date", "2026-11-29", "--hours", "3", "--governorate", "OM-DA", "--wilayat", "نزوى", "--json"), &w)
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "عبدالله الإسماعيلي", "--name-en", "Abdullah Al Ismaili", "--governorate", "OM-DA", "--json"), &p)
	mustRun(t, db, "attend", w.ID, p.ID)
	pdf := filepath.Join(dir, "workshop.pdf")
	mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai", "--out", pdf)

	code, out, errs := run(t, db, "certificates", "verify", pdf)
	if code != 1 || errs != "" || !strings.HasPrefix(out, "signed by this computer, not yet endorsed by HQ\n") || !strings.Contains(out, "Abdullah Al Ismaili") {
		t.Fatalf("verify on this computer: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	var v verification
	code, out, _ = run(t, db, "certificates", "verify", pdf, "--json")
	jsonOut(t, out, &v)
	if code != 1 || v.Status != certificate.StatusNotEndorsed || !v.ThisComputer || v.NameEn != "Abdullah Al Ismaili" {
		t.Fatalf("verify --json on this computer: exit %d %+v", code, v)
	}

	// Another computer, not enrolled either, with a key of its own.
	other := filepath.Join(dir, "other.db")
	s := openDB(t, other)
	if _, err := s.Signer(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs = run(t, other, "certificates", "verify", pdf, "--json")
	v = verification{}
	jsonOut(t, out, &v)
	if code != 1 || errs != "" || v.Status != certificate.StatusNotEndorsed || v.ThisComputer || strings.Contains(v.Message, "this computer") {
		t.Fatalf("verify on another computer: exit %d %+v\n%s", code, v, errs)
	}

	// The same record with the name changed: the signature no longer matches.
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	texts := certificate.RecordsInPDF(b)
	if len(texts) != 1 {
		t.Fatalf("%d records in the PDF", len(texts))
	}
	payload, err := certificate.PayloadFromQR(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(payload, []byte("Abdullah"))
	if i < 0 {
		t.Fatal("no name in the record")
	}
	changed := bytes.Clone(payload)
	changed[i] = 'O'
	code, out, _ = run(t, db, "certificates", "verify", certificate.QRText("", changed), "--json")
	v = verification{}
	jsonOut(t, out, &v)
	if code != 1 || v.Status != certificate.StatusTampered || v.ThisComputer || v.NameEn != "Obdullah Al Ismaili" {
		t.Fatalf("verify a changed record: exit %d %+v", code, v)
	}
	// The QR text of the untouched record verifies as before.
	if code, out, _ = run(t, db, "certificates", "verify", texts[0]); code != 1 || !strings.HasPrefix(out, "signed by this computer") {
		t.Fatalf("verify the QR text: exit %d\n%s", code, out)
	}
}

// TestCertificatesIssueIncomplete: a workshop without an Arabic title or
// wilayat, and no signatory, is refused with the missing fields named in
// both languages, and nothing is issued; with them it issues.
func TestCertificatesIssueIncomplete(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	var w, p struct{ ID string }
	jsonOut(t, mustRun(t, db, "workshops", "add", "--title-en", "Smart Cities",
		"--date", "2026-11-29", "--hours", "3", "--governorate", "OM-DA", "--json"), &w)
	jsonOut(t, mustRun(t, db, "people", "add", "--name-ar", "عبدالله الإسماعيلي", "--governorate", "OM-DA", "--json"), &p)
	mustRun(t, db, "attend", w.ID, p.ID)
	pdf := filepath.Join(dir, "w.pdf")
	code, out, errs := run(t, db, "certificates", "issue", "--workshop", w.ID, "--out", pdf)
	for _, want := range []string{"the workshop's Arabic title", "the workshop's wilayat", "the signatory's name in Arabic",
		"the signatory's name in English", "عنوان الورشة بالعربية", "ولاية الورشة", "اسم الموقّع بالإنجليزية"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if code != 1 || out != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if _, err := os.Stat(pdf); !os.IsNotExist(err) {
		t.Fatalf("a PDF was written: %v", err)
	}
	var list struct {
		Certificates []any `json:"certificates"`
	}
	jsonOut(t, mustRun(t, db, "certificates", "list", "--workshop", w.ID, "--json"), &list)
	if len(list.Certificates) != 0 {
		t.Fatalf("issued anyway: %+v", list)
	}
	mustRun(t, db, "workshops", "edit", w.ID, "--title-ar", "المدن الذكية", "--wilayat", "Nizwa")
	mustRun(t, db, "certificates", "issue", "--workshop", w.ID, "--out", pdf, "--signatory-ar", "سالم الهنائي", "--signatory-en", "Salim Al Hinai")
}
