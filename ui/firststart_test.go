package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// stepStates is each first-start step's state as shown ("done" or "to do").
func stepStates(u *UI) []string {
	var out []string
	for _, st := range u.dashboard.steps.steps {
		if st.done {
			out = append(out, "done")
		} else {
			out = append(out, "to do")
		}
		if st.done != strings.Contains(st.state.Logical(), u.T("steps.done")) {
			out[len(out)-1] += "?" // the label says otherwise
		}
	}
	return out
}

// TestFirstStartSteps: an empty, unenrolled computer shows the three steps
// to do, each button goes where the step is done, and the states follow as
// the steps are done until the card goes.
func TestFirstStartSteps(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	show := func() {
		u.show(screenDashboard)
		settle(u)
	}
	show()
	f := u.dashboard.steps
	if !f.content.Visible() || strings.Join(stepStates(u), ",") != "to do,to do,to do" {
		t.Fatalf("first start: card %v, steps %v", f.content.Visible(), stepStates(u))
	}

	// Each button goes there.
	f.steps[stepEnrol].button.OnTapped()
	if u.current != screenSync || u.win.Canvas().Focused() != u.syncScreen.hqURL {
		t.Fatalf("enrol step opened %q, focus %T", u.current, u.win.Canvas().Focused())
	}
	show()
	f.steps[stepRoster].button.OnTapped()
	if u.current != screenPeople || !u.dialogOpen() {
		t.Fatalf("roster step opened %q, dialog %v", u.current, u.dialogOpen())
	}
	escapeKey(u)
	show()
	f.steps[stepWorkshop].button.OnTapped()
	if u.current != screenWorkshops || u.workshops.form.title.Text != "New workshop" {
		t.Fatalf("workshop step opened %q", u.current)
	}
	u.workshops.form.close()

	// Done one by one.
	addPeople(t, s, testPeople[0])
	show()
	if got := strings.Join(stepStates(u), ","); got != "to do,done,to do" {
		t.Fatalf("after the roster: %s", got)
	}
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "https://hq.example.om", Token: "t",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u.sync.Refresh(context.Background())
	show()
	if got := strings.Join(stepStates(u), ","); got != "done,done,to do" || !f.content.Visible() {
		t.Fatalf("after enrolling: %s, card %v", got, f.content.Visible())
	}
	addWorkshop(t, s, safeer.Workshop{TitleAr: "ورشة", TitleEn: "Workshop", Date: "2026-12-01", Hours: 2, Governorate: "OM-MA"})
	show()
	if f.content.Visible() {
		t.Fatalf("every step done, the card stays: %v", stepStates(u))
	}
}

// TestPullStepOnceEnrolled: an enrolled computer with an empty roster is
// offered to pull it from HQ as well as to import it.
func TestPullStepOnceEnrolled(t *testing.T) {
	s := testStore(t)
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "http://127.0.0.1:1", Token: "t",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, Arabic, fastClient...)
	u.show(screenDashboard)
	settle(u)
	f := u.dashboard.steps
	if got := strings.Join(stepStates(u), ","); got != "done,to do,to do" || !f.pull.Visible() {
		t.Fatalf("steps %s, pull offered %v", got, f.pull.Visible())
	}
	f.pull.OnTapped()
	if u.current != screenSync {
		t.Fatalf("pull opened %q", u.current)
	}
	eventually(t, "a run", func() bool { return !u.syncScreen.running && len(u.syncScreen.history) > 0 })
}

// TestEmptyRosterHint: the empty roster says how to fill it, with Import;
// the hint goes once someone is there, and is not shown for a search that
// finds nobody.
func TestEmptyRosterHint(t *testing.T) {
	s := testStore(t)
	u := newTestUI(t, s, English)
	u.show(screenPeople)
	settle(u)
	p := u.people
	if !p.emptyHint.Visible() || !strings.Contains(allText(p.emptyHint), "Import") {
		t.Fatalf("empty roster: hint %v %q", p.emptyHint.Visible(), allText(p.emptyHint))
	}
	firstButton(p.emptyHint, "").OnTapped()
	if !u.dialogOpen() {
		t.Fatal("the hint's Import opens no dialog")
	}
	escapeKey(u)
	addPeople(t, s, testPeople...)
	p.refresh()
	settle(u)
	if p.emptyHint.Visible() {
		t.Fatal("hint over a roster of three")
	}
	p.search.SetText("nobody by this name")
	settle(u)
	if p.emptyHint.Visible() {
		t.Fatal("the empty-roster hint for a search that finds nobody")
	}
}

// TestBackupFromApp: Backup on the dashboard writes a file that opens as
// a Safeer database with the people and without the sync token, readable
// by its owner only; a second backup to the same name is refused in words.
func TestBackupFromApp(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	if err := s.SaveEnrolment(context.Background(), data.Enrolment{HQURL: "https://hq.example.om", Token: "secret-token",
		Governorates: []string{"OM-MA"}, EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, s, Arabic)
	u.show(screenDashboard)
	d := u.dashboard.files
	path := filepath.Join(t.TempDir(), "usb", "safeer-backup.db")
	os.MkdirAll(filepath.Dir(path), 0o755)
	d.backup(path)
	if !d.bar.Visible() || d.message.Logical() != u.T("files.backingup") {
		t.Fatalf("no progress: bar %v, %q", d.bar.Visible(), d.message.Logical())
	}
	eventually(t, "backed up", func() bool { return !d.busy })
	if want := dropIsolates(u.F("files.backedup", path)); d.message.Logical() != want {
		t.Fatalf("message %q, want %q", d.message.Logical(), want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("secret-token")) {
		t.Fatal("the token is in the backup's bytes")
	}
	b, err := data.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("backup does not open as a Safeer database: %v", err)
	}
	defer b.Close()
	if n, _ := b.CountPeople(context.Background()); n != 3 {
		t.Fatalf("%d people in the backup", n)
	}
	st, err := b.SyncState(context.Background())
	if err != nil || st.Token != "" || !st.TokenMissing() {
		t.Fatalf("backup's sync state %+v, %v", st, err)
	}

	d.backup(path) // never over a file
	eventually(t, "refused", func() bool { return !d.busy })
	if !strings.HasPrefix(d.message.Logical(), u.T("files.exists")) || !hasArabic(d.message.Logical()) {
		t.Fatalf("second backup says %q", d.message.Logical())
	}
}

// TestExportFromApp: Export people writes a CSV with the roster, Export
// attendance an XLSX (a zip), owner-only, and says how many rows.
func TestExportFromApp(t *testing.T) {
	s := demoStore(t)
	u := newTestUI(t, s, English)
	u.show(screenDashboard)
	d := u.dashboard.files
	dir := t.TempDir()
	people := filepath.Join(dir, "people.csv")
	d.export("people", people)
	eventually(t, "people exported", func() bool { return !d.busy })
	raw, err := os.ReadFile(people)
	if err != nil {
		t.Fatalf("%v (message %q)", err, d.message.Logical())
	}
	if !strings.Contains(string(raw), "Fatima Al Zadjali") || !strings.Contains(string(raw), "فاطمة الزدجالية") {
		t.Fatalf("people.csv lacks the roster:\n%s", raw)
	}
	n, _ := s.CountPeople(context.Background())
	if want := dropIsolates(u.F("files.exported", n, people)); d.message.Logical() != want {
		t.Fatalf("message %q, want %q", d.message.Logical(), want)
	}

	att := filepath.Join(dir, "attendance") // no extension: XLSX
	d.export("attendance", att)
	eventually(t, "attendance exported", func() bool { return !d.busy })
	raw, err = os.ReadFile(att + ".xlsx")
	if err != nil || !bytes.HasPrefix(raw, []byte("PK")) {
		t.Fatalf("attendance.xlsx: %v, %d bytes, message %q", err, len(raw), d.message.Logical())
	}
	if fi, _ := os.Stat(att + ".xlsx"); fi.Mode().Perm() != 0o600 {
		t.Fatalf("export mode %v", fi.Mode().Perm())
	}
}
