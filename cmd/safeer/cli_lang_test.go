package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/internal/testharness/protected"
	"github.com/oman-sca/safeer/message"
)

// TestErrorsInTheLocaleLanguage runs the real binary under Arabic and
// other locales: its errors come from the catalogue in the locale's
// language only (LC_ALL, then LC_MESSAGES, then LANG), with arguments
// isolated in Arabic; usage stays English.
func TestErrorsInTheLocaleLanguage(t *testing.T) {
	bin := buildSafeer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	if err := protected.Create(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "قائمة السفراء.xlsx")
	for _, c := range []struct {
		env    []string
		arabic bool
	}{
		{[]string{"LANG=ar_OM.UTF-8"}, true},
		{[]string{"LANG=C"}, false},
		{[]string{"LANG=C.UTF-8", "LC_MESSAGES=ar_OM.UTF-8"}, true},
		{[]string{"LANG=ar_OM.UTF-8", "LC_ALL=en_GB.UTF-8"}, false},
		{nil, false},
	} {
		t.Run(strings.Join(c.env, ","), func(t *testing.T) {
			// A person with a bad phone and a wilayat of another
			// governorate: every problem, one language.
			code, out, errs := runClean(t, bin, c.env, "--db", db, "people", "add", "--name-en", "Maryam",
				"--phone", "12", "--governorate", "OM-MA", "--wilayat", "Salalah")
			en := []string{"the data is not valid:", "  phone: not an Omani phone number «12»", "  wilayat: Salalah is in Dhofar, not in Muscat"}
			ar := []string{"البيانات غير صحيحة:", "  phone: ليس رقم هاتف عُماني " + message.FSI + "«12»" + message.PDI,
				"  wilayat: ولاية " + message.FSI + "صلالة" + message.PDI + " تتبع محافظة " + message.FSI + "ظفار" + message.PDI}
			want, not := en, ar
			if c.arabic {
				want, not = ar, en
			}
			if code != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q", code, out)
			}
			for _, w := range want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			for _, w := range not {
				if strings.Contains(errs, strings.TrimSpace(w)) {
					t.Errorf("stderr has %q in the other language:\n%s", w, errs)
				}
			}

			// A file that is not there: its path whole, in either language.
			code, _, errs = runClean(t, bin, c.env, "--db", db, "import", missing)
			w := "safeer: file not found: " + message.LRI + missing + message.PDI + "\n"
			if c.arabic {
				w = "safeer: الملف غير موجود: " + message.LRI + missing + message.PDI + "\n"
			}
			if code != 1 || errs != w {
				t.Errorf("import of a missing file: exit %d, stderr %q, want %q", code, errs, w)
			}

			// Sync on a computer not enrolled: the problem's words, then
			// the technical detail for support.
			code, _, errs = runClean(t, bin, c.env, "--db", db, "sync")
			w = "safeer: This computer is not enrolled with HQ yet. Ask HQ for an enrolment code, then enrol it.\n(this device is not enrolled with HQ)\n"
			if c.arabic {
				w = "safeer: هذا الجهاز غير مسجّل لدى المقر بعد. اطلب رمز تسجيل من المقر ثم سجّل الجهاز.\n(this device is not enrolled with HQ)\n"
			}
			if code != 1 || errs != w {
				t.Errorf("sync not enrolled: exit %d, stderr %q, want %q", code, errs, w)
			}

			// JSON errors carry the code and both languages, whatever
			// the locale.
			_, _, errs = runClean(t, bin, c.env, "--db", db, "--json", "import", missing)
			var j struct{ Error, Code, En, Ar string }
			if err := json.Unmarshal([]byte(errs), &j); err != nil || j.Code != "sheet.open.not_found" || j.Ar == "" || j.En == "" {
				t.Errorf("JSON error %q: %+v %v", errs, j, err)
			}

			// Usage stays English.
			code, _, errs = runClean(t, bin, c.env, "--db", db, "no-such-command")
			if code != 2 || !strings.Contains(errs, `unknown command "no-such-command"`) {
				t.Errorf("usage: exit %d, %q", code, errs)
			}
		})
	}
}
