package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oman-sca/safeer/data"
)

// TestDashboard counts people, workshops and attendance, draws attendance
// per month, and lists what needs attention.
func TestDashboard(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	people := addPeople(t, s, testPeople...)
	w := addWorkshop(t, s, data.Workshop{TitleEn: "Open data", Date: time.Now().Format("2006-01-02"), Hours: 2,
		Governorate: "OM-MA", Wilayat: "Bawshar"})
	for _, p := range people[:2] {
		if err := s.Attend(ctx, &data.Attendance{WorkshopID: w.ID, PersonID: p.ID}); err != nil {
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
	for _, want := range []string{"not enrolled", "changes have not been sent", "Open data"} {
		if !strings.Contains(attention, want) {
			t.Errorf("attention list lacks %q:\n%s", want, attention)
		}
	}
}
