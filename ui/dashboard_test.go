package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// TestDashboard counts people, workshops and attendance, draws attendance
// per month, and lists what needs attention.
func TestDashboard(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := addWorkshop(t, s, safeer.Workshop{TitleEn: "Open data", Date: time.Now().Format("2006-01-02"), Hours: 2,
		Governorate: "OM-MA", Wilayat: "Bawshar"})
	for _, p := range people[:2] {
		if err := s.Attend(ctx, &safeer.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	u := newTestUI(t, s, English)
	u.show(screenDashboard)
	d := u.dashboard
	eventually(t, "counts", func() bool { return d.people.Text == "3" && d.attended.Text == "2" })
	if d.workshops.Text != "1" || d.month.Text != "2" {
		t.Fatalf("workshops %q, this month %q", d.workshops.Text, d.month.Text)
	}
	if n := len(d.byMonth.bars); n != 12 || d.byMonth.bars[11].value != 2 {
		t.Fatalf("months %+v", d.byMonth.bars)
	}
	if len(d.byWilayat.bars) != 1 || d.byWilayat.bars[0].label != "Bawshar" {
		t.Fatalf("wilayats %+v", d.byWilayat.bars)
	}
	attention := allText(d.attention)
	for _, want := range []string{"changes have not been sent", "Open data"} {
		if !strings.Contains(attention, want) {
			t.Errorf("attention list lacks %q:\n%s", want, attention)
		}
	}
	// Not enrolled is said once: by the first steps while they are there.
	if !d.steps.content.Visible() || d.steps.steps[stepEnrol].done || strings.Contains(attention, "not enrolled") {
		t.Errorf("not enrolled: steps %v, attention:\n%s", d.steps.content.Visible(), attention)
	}
}

// TestDashboardRestoredBackup: a database restored from a backup (which
// keeps no sync token) says so in the attention list, in the user's
// language, instead of "not enrolled yet".
func TestDashboardRestoredBackup(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			ctx := context.Background()
			s := testStore(t)
			if err := s.SaveEnrolment(ctx, data.Enrolment{HQURL: "https://hq.example", Token: "secret-token",
				Governorates: []string{"OM-MA"}}); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "backup.db")
			if err := s.Backup(ctx, dest); err != nil {
				t.Fatal(err)
			}
			r, err := data.Open(ctx, dest)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			u := newTestUI(t, r, l)
			u.show(screenDashboard)
			d := u.dashboard
			want := client.Words(client.ProblemTokenMissing)
			eventually(t, "restored backup in the attention list", func() bool {
				return slices.Contains(labelTexts(d.attention), l.pick(want.En, want.Ar))
			})
			if texts := labelTexts(d.attention); slices.Contains(texts, u.T("attn.notenrolled")) {
				t.Fatalf("attention list says not enrolled yet: %q", texts)
			}
		})
	}
}

// labelTexts is the logical text of each of the app's labels in o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *label:
			out = append(out, x.Logical())
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}
