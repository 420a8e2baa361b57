package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer/data"
	gosync "github.com/oman-sca/safeer/sync"
	"github.com/oman-sca/safeer/sync/client"
)

var fastClient = []client.Option{
	client.WithBackoff(client.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 1}),
	client.WithTimeouts(client.Timeouts{Ping: time.Second, Enrol: time.Second, Push: time.Second, Pull: time.Second}),
}

// TestSyncErrorAppearsInWords: enrolling with an HQ that does not answer,
// and syncing with it, say what is wrong in words, in the user's language.
func TestSyncErrorAppearsInWords(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			s := testStore(t)
			u := newTestUI(t, s, l, fastClient...)
			u.show(screenSync)
			sc := u.syncScreen
			want := client.Words(client.ProblemUnreachable)

			// Not enrolled: Sync now says so.
			sc.runNow()
			notEnrolled := client.Words(client.ProblemNotEnrolled)
			eventually(t, "not enrolled", func() bool { return sc.runErr.Text == displayText(l.pick(notEnrolled.En, notEnrolled.Ar), l.RTL()) })

			// Enrolling with an HQ nobody answers.
			sc.hqURL.SetText("http://127.0.0.1:1")
			sc.code.SetText("ABCD-1234")
			sc.runEnrol()
			eventually(t, "enrol error", func() bool { return sc.enrol.Disabled() == false && sc.enrolMsg.Text != u.text(u.T("sync.enrolling")) })
			if got := sc.enrolMsg.Logical(); got != l.pick(want.En, want.Ar) {
				t.Fatalf("enrol says %q, want %q", got, l.pick(want.En, want.Ar))
			}

			// Enrolled with an HQ that has gone away: the run fails in words
			// and the history says so too.
			if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "http://127.0.0.1:1", Token: "t",
				Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			u.sync.Refresh(context.Background())
			sc.runNow()
			eventually(t, "sync error", func() bool { return !sc.running && sc.runErr.Logical() != "" })
			if got := sc.runErr.Logical(); got != l.pick(want.En, want.Ar) {
				t.Fatalf("sync says %q, want %q", got, l.pick(want.En, want.Ar))
			}
			if strings.Contains(sc.runErr.Text, "127.0.0.1") || strings.Contains(sc.runErr.Text, "dial") {
				t.Fatalf("raw error shown: %q", sc.runErr.Text)
			}
			eventually(t, "history", func() bool { return len(sc.history) > 0 && sc.history[0].ErrorCode == client.ProblemUnreachable })
			eventually(t, "status bar offline", func() bool {
				return u.status.online.Logical() == u.T("status.offline") && sc.problem.Logical() == l.pick(want.En, want.Ar)
			})
			capture(t, u, "sync-error-"+string(l))
		})
	}
}

// addConflict makes HQ report that another computer's edit of p's phone
// lost to a newer one, as a pull does.
func addConflict(t testing.TB, s *data.Store, p data.Person, winner, loser string) string {
	t.Helper()
	now := time.Now()
	win := gosync.HLC{Wall: now.UnixMilli(), Device: "0000-hq-laptop-b"}.String()
	lose := gosync.HLC{Wall: now.Add(-time.Minute).UnixMilli(), Device: "0000-laptop-a"}.String()
	f := func(v any) gosync.Field { return gosync.Field{Value: v, HLC: win} }
	cid := uuid.Must(uuid.NewV7()).String()
	err := s.ApplyChanges(context.Background(), []gosync.Change{
		{Seq: 100, Table: "person", RowID: p.ID, Fields: map[string]gosync.Field{"phone": f(winner)}},
		{Seq: 101, Table: "conflict", RowID: cid, Fields: map[string]gosync.Field{
			"tbl": f("person"), "row_id": f(p.ID), "field": f("phone"),
			"winner": f(winner), "winner_hlc": f(win), "loser": f(loser), "loser_hlc": f(lose),
			"governorate": f(p.Governorate), "created_at": f(now.UTC().Format(time.RFC3339)), "resolved": f(false)}},
	}, "e1.101", "")
	if err != nil {
		t.Fatal(err)
	}
	return cid
}

// TestConflictReview shows both values side by side and keeps the one
// chosen.
func TestConflictReview(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	addConflict(t, s, people[0], "+96892222222", "+96893333333")
	u := newTestUI(t, s, English)
	eventually(t, "status bar shows it", func() bool {
		return u.status.conflicts.Visible() && u.status.conflicts.Text == "1 conflict to review"
	})
	u.show(screenSync)
	u.syncScreen.showConflicts()
	r := u.syncScreen.conflicts
	eventually(t, "listed", func() bool { return len(r.items) == 1 })
	r.list.Select(0)
	text := allText(r.detail)
	for _, want := range []string{"+96892222222", "+96893333333", "Phone", "أحمد البلوشي"} {
		if !strings.Contains(text, want) {
			t.Errorf("side by side lacks %q:\n%s", want, text)
		}
	}
	capture(t, u, "sync-conflict-en")
	r.resolve(r.items[0], data.TakeLoser)
	eventually(t, "resolved", func() bool { return len(r.items) == 0 })
	if got, _ := s.Person(context.Background(), people[0].ID); got.Phone != "+96893333333" {
		t.Fatalf("phone %s", got.Phone)
	}
}

// TestDuplicateReview finds people who may be the same and merges a pair.
func TestDuplicateReview(t *testing.T) {
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	twin := addPeople(t, s, data.Person{NameAr: "احمد البلوشي", Governorate: "OM-MA", Phone: "91234567"})[0]
	u := newTestUI(t, s, English)
	u.show(screenSync)
	d := u.syncScreen.dups
	d.run()
	eventually(t, "scanned", func() bool { return !d.scanning })
	if len(d.pairs) != 1 || d.message.Text != "1 pair may be the same person." {
		t.Fatalf("pairs %+v, message %q", d.pairs, d.message.Text)
	}
	p := d.pairs[0]
	if ids := []string{p.a.ID, p.b.ID}; !(ids[0] == people[0].ID && ids[1] == twin.ID || ids[1] == people[0].ID && ids[0] == twin.ID) {
		t.Fatalf("pair %+v", p)
	}
	d.doMerge(p)
	eventually(t, "merged", func() bool { return len(d.pairs) == 0 })
	if n, _ := s.CountPeople(context.Background()); n != 3 {
		t.Fatalf("%d people after merging", n)
	}
}
