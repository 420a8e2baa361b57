package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/input"
	catalogue "github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/spreadsheet"
	"github.com/oman-sca/safeer/sync/client"
)

// TestWordsFromTheCatalogue: errors that carry a message of the catalogue
// (a file that is not a roster, a sync failure, a value that is not a
// phone, even wrapped) are shown in the app's language, rendered from
// their message with the arguments isolated; a raw Go error is not.
func TestWordsFromTheCatalogue(t *testing.T) {
	s := testStore(t)
	missing := filepath.Join(t.TempDir(), "قائمة السفراء.xlsx")
	_, sheetErr := spreadsheet.Open(missing)
	_, phoneErr := input.Phone("12")
	syncErr := fmt.Errorf("sync: %w", &client.Error{Problem: client.Words(client.ProblemServer), Err: &client.HTTPError{Status: 502}})
	for _, l := range []Lang{English, Arabic} {
		u := newTestUI(t, s, l)
		got := u.words(sheetErr)
		if want := "الملف غير موجود: " + catalogue.LRI + missing + catalogue.PDI; l == Arabic && got != want {
			t.Errorf("missing file in Arabic: %q, want %q", got, want)
		}
		if want := "file not found: " + catalogue.LRI + missing + catalogue.PDI; l == English && got != want {
			t.Errorf("missing file in English: %q, want %q (the Arabic folder keeps the path whole)", got, want)
		}
		got = u.words(fmt.Errorf("check: %w", phoneErr))
		var pe *input.Error
		errors.As(phoneErr, &pe)
		if got != l.pick(pe.En, pe.Ar) || (l == Arabic && !strings.Contains(got, catalogue.FSI+"«12»"+catalogue.PDI)) {
			t.Errorf("phone in %s: %q", l, got)
		}
		got = u.words(syncErr)
		if p := client.Words(client.ProblemServer); got != l.pick(p.En, p.Ar) {
			t.Errorf("sync failure in %s: %q", l, got)
		}
		if got := u.words(errors.New("disk I/O error")); got != u.T("error.generic") {
			t.Errorf("a raw error in %s reads %q", l, got)
		}
	}
}
