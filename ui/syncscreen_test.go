package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/google/uuid"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/sqlite"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/protocol"
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

			// Not enrolled: the enrol panel is the way, Sync now waits for it,
			// and nothing is red.
			if !sc.syncNow.Disabled() || !sc.enrolOn || sc.problem.Visible() {
				t.Fatalf("not enrolled: sync now disabled %v, enrol panel %v, problem %q", sc.syncNow.Disabled(), sc.enrolOn, sc.problem.Text)
			}

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
			eventually(t, "sync error", func() bool { return !sc.running && sc.problem.Logical() != "" })
			if got := sc.problem.Logical(); got != l.pick(want.En, want.Ar) {
				t.Fatalf("sync says %q, want %q", got, l.pick(want.En, want.Ar))
			}
			if strings.Contains(sc.problem.Text, "127.0.0.1") || strings.Contains(sc.problem.Text, "dial") {
				t.Fatalf("raw error shown: %q", sc.problem.Text)
			}
			eventually(t, "history", func() bool { return len(sc.history) > 0 && sc.history[0].ErrorCode == client.ProblemUnreachable })
			eventually(t, "status bar offline", func() bool {
				return u.status.online.Logical() == u.T("status.offline") && sc.problem.Logical() == l.pick(want.En, want.Ar)
			})
			// Said once above the history (which keeps every run's result).
			settle(u)
			if n := timesShown(sc.top, sc.problem.Text); n != 1 {
				t.Fatalf("the problem is shown %d times:\n%s", n, allText(sc.top))
			}
			capture(t, u, "sync-error-"+string(l))
		})
	}
}

// addConflict makes HQ report that another computer's edit of p's phone
// lost to a newer one, as a pull does.
func addConflict(t testing.TB, s *data.Store, p safeer.Person, winner, loser string) string {
	t.Helper()
	now := time.Now()
	win := protocol.HLC{Wall: now.UnixMilli(), Device: "0000-hq-laptop-b"}.String()
	lose := protocol.HLC{Wall: now.Add(-time.Minute).UnixMilli(), Device: "0000-laptop-a"}.String()
	f := func(v any) protocol.Field { return protocol.Field{Value: v, HLC: win} }
	cid := uuid.Must(uuid.NewV7()).String()
	err := s.ApplyChanges(context.Background(), []protocol.Change{
		{Seq: 100, Table: "person", RowID: p.ID, Fields: map[string]protocol.Field{"phone": f(winner)}},
		{Seq: 101, Table: "conflict", RowID: cid, Fields: map[string]protocol.Field{
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

// startHQ serves a real HQ (hq.Server on SQLite) on loopback.
func startHQ(t *testing.T) *synccheck.HQ {
	t.Helper()
	dir := t.TempDir()
	h, err := synccheck.StartHQ(context.Background(), func(ctx context.Context) (hq.Store, error) {
		return sqlite.Open(ctx, filepath.Join(dir, "hq.db"))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// TestEnrolThenSyncAtOnce: enrolling from the Sync screen says so, takes the
// enrol panel away, and syncs at once (the person added before enrolment
// reaches HQ without Sync now); the background scheduler, paused while the
// computer was not enrolled, is no longer paused.
func TestEnrolThenSyncAtOnce(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) { enrolThenSync(t, l) })
	}
}

func enrolThenSync(t *testing.T, l Lang) {
	h := startHQ(t)
	code, err := h.Code(context.Background(), "OM-MA")
	if err != nil {
		t.Fatal(err)
	}
	s := testStore(t)
	addPeople(t, s, testPeople[0])
	u := newTestUI(t, s, l, fastClient...)
	sched, err := u.sync.(*client.Client).StartScheduler(client.ScheduleOptions{NoStartRun: true, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer sched.Stop()
	if !sched.Paused() {
		t.Fatal("scheduler not paused before enrolment")
	}
	u.show(screenSync)
	sc := u.syncScreen
	enrolTitle := u.text(u.T("sync.enroltitle"))
	if !sc.enrolOn || !strings.Contains(allText(sc.view()), enrolTitle) {
		t.Fatal("no enrol panel before enrolment")
	}
	sc.hqURL.SetText(h.URL())
	sc.code.SetText(code)
	sc.runEnrol()
	eventually(t, "synced after enrolment", func() bool {
		return !sc.running && len(sc.history) > 0 && sc.history[0].Trigger == triggerEnrol
	})
	if r := sc.history[0]; r.ErrorCode != "" || r.Pushed != 1 {
		t.Fatalf("first run %+v", r)
	}
	if st := u.sync.Status(); !st.Enrolled || st.OpsWaiting != 0 || st.LastSync.IsZero() {
		t.Fatalf("status after enrolment %+v", st)
	}
	settle(u)
	text := allText(sc.view())
	if sc.enrolOn || strings.Contains(text, enrolTitle) || strings.Contains(text, u.text(u.T("status.notenrolled"))) {
		t.Fatalf("enrol panel or 'not enrolled' still there:\n%s", text)
	}
	enrolled := dropIsolates(u.F("sync.enrolled", h.URL(), u.places.govName(l, "OM-MA")))
	if !sc.notice.Visible() || !strings.Contains(sc.notice.Logical(), enrolled) || !strings.Contains(sc.notice.Logical(), dropIsolates(u.F("sync.report", 1, sc.history[0].Pulled))) {
		t.Fatalf("notice %q", sc.notice.Logical())
	}
	if sc.problem.Visible() || sc.syncNow.Disabled() {
		t.Fatalf("problem %q, sync now disabled %v", sc.problem.Text, sc.syncNow.Disabled())
	}
	if sched.Paused() {
		t.Fatal("scheduler still paused after enrolment")
	}
	capture(t, u, "sync-enrolled-"+string(l))
}

// TestRestoredBackupShowsEnrolAgain: a restored backup (enrolled once, no
// token) shows its problem once and the enrol panel, which says to enrol
// again with a new code.
func TestRestoredBackupShowsEnrolAgain(t *testing.T) {
	s := testStore(t)
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "https://hq.example.om", Token: "t",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	r, err := data.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	u := newTestUI(t, r, English)
	u.show(screenSync)
	sc := u.syncScreen
	eventually(t, "token missing", func() bool { return sc.problem.Visible() })
	want := client.Words(client.ProblemTokenMissing)
	if sc.problem.Logical() != want.En || !sc.enrolOn || sc.enrolHelp.Logical() != u.T("sync.reenrolhelp") {
		t.Fatalf("problem %q, enrol panel %v, help %q", sc.problem.Logical(), sc.enrolOn, sc.enrolHelp.Logical())
	}
	if n := timesShown(sc.top, sc.problem.Text); n != 1 {
		t.Fatalf("problem shown %d times:\n%s", n, allText(sc.top))
	}
}

// timesShown counts how often text is on screen under o, by its first
// three words (a wrapped label is drawn as lines).
func timesShown(o fyne.CanvasObject, text string) int {
	w := strings.Fields(text)
	return strings.Count(allText(o), strings.Join(w[:min(3, len(w))], " "))
}

// refuseAfterRestore fills s as a laptop sees it after HQ's restore from a
// backup: others' values (three notes another laptop wrote, a phone HQ
// wrote) sent again and refused as out of scope, and the coordinator's own
// edit of me refused too. It returns me.
func refuseAfterRestore(t *testing.T, s *data.Store) safeer.Person {
	t.Helper()
	ctx := context.Background()
	if err := s.SaveEnrolment(ctx, data.Enrolment{HQURL: "https://hq.smartcity.om", Token: "t",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	made := protocol.HLC{Wall: now.Add(-time.Hour).UnixMilli(), Device: "laptop-b"}.String()
	noted := protocol.HLC{Wall: now.Add(-50 * time.Minute).UnixMilli(), Device: "laptop-b"}.String()
	phoned := protocol.HLC{Wall: now.Add(-40 * time.Minute).UnixMilli(), Device: protocol.HQDevice}.String()
	f := func(v any, h string) protocol.Field { return protocol.Field{Value: v, HLC: h} }
	var before, restored []protocol.Change
	for i, name := range []string{"Khalid Al Amri", "Maryam Al Hinai", "Yusuf Al Rashdi"} {
		id := uuid.Must(uuid.NewV7()).String()
		row := map[string]protocol.Field{"name_en": f(name, made), "governorate": f("OM-DA", made)}
		before = append(before, protocol.Change{Seq: int64(len(before) + 1), Table: "person", RowID: id, Fields: row},
			protocol.Change{Seq: int64(len(before) + 2), Table: "person", RowID: id, Fields: map[string]protocol.Field{"notes": f("b's note", noted)}})
		if i == 0 {
			before = append(before, protocol.Change{Seq: int64(len(before) + 1), Table: "person", RowID: id, Fields: map[string]protocol.Field{"phone": f("+96891234567", phoned)}})
		}
		restored = append(restored, protocol.Change{Seq: int64(len(restored) + 1), Table: "person", RowID: id, Fields: row})
	}
	if err := s.ApplyChanges(ctx, before, fmt.Sprintf("e1.%d", len(before)), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.StartResync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, restored, fmt.Sprintf("e2.%d", len(restored)), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishResync(ctx); err != nil {
		t.Fatal(err)
	}
	refuseAll := func(code string) {
		ops, err := s.Outbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var acks []data.PushAck
		for _, o := range ops {
			acks = append(acks, o.Ack(protocol.OpResult{ID: o.Op.ID, Status: protocol.Rejected, Code: code, Message: "refused"}))
		}
		if _, err := s.AckPush(ctx, acks); err != nil {
			t.Fatal(err)
		}
	}
	refuseAll(protocol.CodeOutOfScope)
	me := addPeople(t, s, testPeople[0])[0]
	ops, err := s.Outbox(ctx, 0, 100)
	if err != nil || len(ops) != 1 {
		t.Fatalf("%d ops, %v", len(ops), err)
	}
	if _, err := s.AckPush(ctx, []data.PushAck{ops[0].Ack(protocol.OpResult{ID: ops[0].Op.ID, Status: protocol.Applied})}); err != nil {
		t.Fatal(err)
	}
	me.Notes = "my own edit"
	if err := s.UpdatePerson(ctx, &me); err != nil {
		t.Fatal(err)
	}
	refuseAll(protocol.CodeOutOfScope)
	return me
}

// TestSyncScreenRefusedOwnAndResent: after HQ's restore, the Sync screen
// lists the coordinator's own refused edit, and says in one line that four
// values others wrote, sent again, were refused: nothing to do (issue 13).
// The counts and the warning are of the coordinator's own only; the
// others' people are not named. The text fits at both window sizes.
func TestSyncScreenRefusedOwnAndResent(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		for _, size := range layoutSizes {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", l, size.Width, size.Height), func(t *testing.T) {
				refusedScreen(t, l, size, func(u *UI) {
					for _, p := range layoutProblems(u) {
						t.Errorf("layout: %s", p)
					}
				})
			})
		}
	}
}

// refusedScreen opens the Sync screen on refuseAfterRestore's store,
// checks what it says of refused changes and hands it to at (the layout
// check, the screenshots: sync-refused).
func refusedScreen(t *testing.T, l Lang, size fyne.Size, at func(u *UI)) {
	t.Helper()
	s := testStore(t)
	me := refuseAfterRestore(t, s)
	if c, err := s.SyncCounts(context.Background()); err != nil || c.RejectedOps != 5 || c.RejectedResent != 4 {
		t.Fatalf("counts %+v, %v", c, err)
	}
	u := openUI(t, s, l, size)
	defer u.Close()
	if _, err := u.sync.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	u.show(screenSync)
	sc := u.syncScreen
	eventually(t, "refused listed", func() bool { return sc.refused.Visible() && sc.resent.Visible() })
	own := sc.refused.Logical()
	for _, want := range []string{dropIsolates(personLine(l, me.NameEn, me.NameAr)), u.T("field.notes"), u.T("refused.out_of_scope")} {
		if !strings.Contains(own, want) {
			t.Errorf("own refusals %q lack %q", own, want)
		}
	}
	if n := strings.Count(own, "\n") + 1; n != 1 {
		t.Errorf("%d lines of own refusals: %q", n, own)
	}
	if got, want := sc.resent.Logical(), dropIsolates(u.N("sync.resent", 4)); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if got, want := sc.counts.Logical(), dropIsolates(u.F("sync.countsline", 0, 0, 1)); got != want {
		t.Errorf("counts %q, want %q", got, want)
	}
	rej := client.Words(client.ProblemRejected)
	if !strings.Contains(sc.warnings.Logical(), l.pick(rej.En, rej.Ar)) {
		t.Errorf("warnings %q lack the refusal", sc.warnings.Logical())
	}
	text := allText(sc.view())
	for _, other := range []string{"Khalid", "Maryam", "Yusuf", "+96891234567"} {
		if strings.Contains(text, other) {
			t.Errorf("another author's value shown one by one (%s):\n%s", other, text)
		}
	}
	at(u)
}

// Only others' values refused: no warning, no count, nothing listed; the
// one line says there is nothing to do, and the dashboard says nothing of
// refused changes until one is the coordinator's.
func TestSyncScreenOnlyResent(t *testing.T) {
	s := testStore(t)
	me := refuseAfterRestore(t, s)
	ctx := context.Background()
	own, err := s.OwnRejectedOps(ctx, 0)
	if err != nil || len(own) != 1 || own[0].Op.RowID != me.ID {
		t.Fatalf("own %+v, %v", own, err)
	}
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM rejected_op WHERE op_id = ?`, own[0].Op.ID); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, English)
	if _, err := u.sync.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	u.show(screenSync)
	sc := u.syncScreen
	eventually(t, "summary", func() bool { return sc.resent.Visible() })
	settle(u)
	if sc.refused.Visible() || sc.warnings.Visible() {
		t.Fatalf("own refusals %q, warnings %q shown", sc.refused.Text, sc.warnings.Text)
	}
	if got, want := sc.counts.Logical(), dropIsolates(u.F("sync.countsline", 0, 0, 0)); got != want {
		t.Fatalf("counts %q, want %q", got, want)
	}
	if got := sc.resent.Logical(); !strings.HasPrefix(got, "4 values other laptops or HQ wrote") || !strings.HasSuffix(got, "nothing to do.") {
		t.Fatalf("summary %q", got)
	}
	// Nor does the dashboard count them as refused changes; it does
	// count the coordinator's own.
	u.show(screenDashboard)
	d := u.dashboard
	eventually(t, "dashboard", func() bool { return len(labelTexts(d.attention)) > 0 })
	settle(u)
	for _, text := range labelTexts(d.attention) {
		if strings.Contains(text, "HQ refused") {
			t.Fatalf("the dashboard says %q", text)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO rejected_op (op_id, tbl, row_id, base_rev, hlc, fields, code, message, rejected_at)
		SELECT 'mine-again', tbl, row_id, 0, ?, fields, code, message, rejected_at FROM rejected_op LIMIT 1`, own[0].Op.Fields["notes"].HLC); err != nil {
		t.Fatal(err)
	}
	u.show(screenSync)
	u.show(screenDashboard)
	eventually(t, "own refusal on the dashboard", func() bool {
		return slices.Contains(labelTexts(d.attention), dropIsolates(u.N("attn.rejected", 1)))
	})
}
