package ui

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
)

// scanCounting is the real store, counting the whole-roster scans the
// screens ask of it.
type scanCounting struct {
	*data.Store
	scans atomic.Int64
}

func (s *scanCounting) DuplicatePairs(ctx context.Context, limit int) ([]data.DuplicatePair, error) {
	s.scans.Add(1)
	return s.Store.DuplicatePairs(ctx, limit)
}

// newTestUIOn is newTestUI with the screens on store (which wraps s).
func newTestUIOn(t *testing.T, store Store, s *data.Store, l Lang) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLanguage, string(l))
	w := test.NewTempWindow(t, nil)
	quiet := client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	u := New(context.Background(), a, w, store, client.New(s, quiet))
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	w.Resize(fyne.NewSize(1180, 760))
	settle(u)
	return u
}

// TestNotTheSamePersonAfterRestart: "Not the same person" is kept in the
// file: the app closed, the file opened again and the app built on it, the
// pair is neither listed nor counted.
func TestNotTheSamePersonAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ui.db")
	s, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addPeople(t, s, testPeople...)
	addPeople(t, s, safeer.Person{NameAr: "احمد البلوشي", NameEn: "Ahmad Al Balushi", Governorate: "OM-MA",
		Wilayat: "Bawshar", Phone: "91234567"})
	u := newTestUI(t, s, English)
	openPair(t, u)
	tapDialogButton(t, u, "Not the same person")
	eventually(t, "gone", func() bool { return !u.dialogOpen() && len(u.duplicates.pairs) == 0 })
	u.Close()
	pump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if all, err := s.DuplicatePairs(ctx, 0); err != nil || len(all) != 1 {
		t.Fatalf("the store's own scan: %d pairs, %v (the pair is still alike)", len(all), err)
	}
	for _, l := range []Lang{English, Arabic} {
		u = newTestUI(t, s, l)
		u.show(screenDuplicates)
		d := u.duplicates
		eventually(t, "scanned", func() bool { return !d.scanning })
		if len(d.pairs) != 0 {
			t.Fatalf("%s: the pair is offered again after a restart: %+v", l, d.pairs)
		}
		if d.message.Logical() != u.T("dups.none") {
			t.Errorf("%s: message %q", l, d.message.Logical())
		}
		u.show(screenPeople)
		want := u.text(u.F("people.dupsn", 0))
		eventually(t, "count", func() bool { return u.people.dups.Text == want })
		u.show(screenDashboard)
		eventually(t, "dashboard", func() bool { return u.dashboard.people.Text == "4" })
		settle(u)
		if text := labelsText(u.dashboard.attention); strings.Contains(text, l.pick("same person", "الشخص نفسه")) {
			t.Fatalf("%s: the dashboard still counts the pair:\n%s", l, text)
		}
	}
}

// TestDuplicateCountScansOnlyWhenTheRosterChanges: opening the roster, the
// dashboard and the duplicates screen again and again scans the roster
// once; an edit, a merge and a pulled change each make the next count scan
// again and show the new number; "Not the same person" changes the count
// without a scan.
func TestDuplicateCountScansOnlyWhenTheRosterChanges(t *testing.T) {
	ctx := context.Background()
	s, people, twin := twinStore(t)
	store := &scanCounting{Store: s}
	u := newTestUIOn(t, store, s, English)
	scans := func() int64 { settle(u); return store.scans.Load() }
	count := func(n int) {
		t.Helper()
		u.show(screenPeople)
		want := u.text(u.F("people.dupsn", n))
		eventually(t, want, func() bool { return u.people.dups.Text == want })
		u.show(screenDashboard)
		line := dropIsolates(u.N("attn.dups", n))
		eventually(t, line, func() bool { return (n == 0) != strings.Contains(labelsText(u.dashboard.attention), line) })
	}
	count(1)
	first := scans()
	if first != 1 {
		t.Fatalf("%d scans to count on two screens", first)
	}
	for range 3 {
		count(1)
		u.show(screenDuplicates)
		eventually(t, "pairs", func() bool { return !u.duplicates.scanning && len(u.duplicates.pairs) == 1 })
	}
	if n := scans(); n != first {
		t.Fatalf("the roster did not change, yet it was scanned %d times more", n-first)
	}

	// An edit makes Salim a second record of Fatima.
	salim := people[2]
	salim.NameAr, salim.NameEn, salim.Governorate, salim.Wilayat, salim.Phone, salim.Status, salim.Gender =
		"فاطمة الزدجالي", "Fatima Al Zadjali", "OM-MA", "As Seeb", "92223333", safeer.StatusActive, "female"
	if err := s.UpdatePerson(ctx, &salim); err != nil {
		t.Fatal(err)
	}
	count(2)
	if n := scans(); n != first+1 {
		t.Fatalf("%d scans after an edit, want 1", n-first)
	}

	// A merge takes Ahmed's pair away.
	if _, err := s.MergePeople(ctx, twin.ID, people[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	count(1)
	if n := scans(); n != first+2 {
		t.Fatalf("%d scans after a merge, want 1", n-first-1)
	}

	// A pull brings another record of Ahmed.
	h := protocol.HLC{Wall: time.Now().Add(-time.Hour).UnixMilli(), Device: "other"}.String()
	fld := func(v any) protocol.Field { return protocol.Field{Value: v, HLC: h} }
	err := s.ApplyChanges(ctx, []protocol.Change{{Seq: 3, Table: "person", RowID: uuid.Must(uuid.NewV7()).String(),
		Fields: map[string]protocol.Field{"name_ar": fld("أحمد البلوشي"), "name_en": fld("Ahmed Al Balushi"),
			"governorate": fld("OM-MA"), "phone": fld("+96891234567"), "gender": fld("male"), "deleted": fld(false)}}},
		"e1.3", protocol.HLC{Wall: time.Now().UnixMilli(), Device: "hq"}.String())
	if err != nil {
		t.Fatal(err)
	}
	count(2)
	if n := scans(); n != first+3 {
		t.Fatalf("%d scans after a pull, want 1", n-first-2)
	}

	// Not the same person: one pair fewer, and no scan for it.
	u.show(screenDuplicates)
	d := u.duplicates
	eventually(t, "pairs", func() bool { return !d.scanning && len(d.pairs) == 2 })
	d.notSame(d.pairs[0])
	eventually(t, "one pair left", func() bool { return len(d.pairs) == 1 })
	count(1)
	if n := scans(); n != first+3 {
		t.Fatalf("%d scans after marking a pair not the same, want none", n-first-3)
	}
	// "Scan again" does scan.
	u.show(screenDuplicates)
	eventually(t, "pairs", func() bool { return !d.scanning && len(d.pairs) == 1 })
	test.Tap(d.scan)
	eventually(t, "scanned again", func() bool { return !d.scanning })
	if n := scans(); n != first+4 || len(d.pairs) != 1 {
		t.Fatalf("Scan again: %d scans, %d pairs", n-first-3, len(d.pairs))
	}
}
