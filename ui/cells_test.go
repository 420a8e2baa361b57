package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/oman-sca/safeer/sync/client"
)

// TestCellCutsWithEllipsisOnItsReadingSide: a cell shows what fits of its
// text and an ellipsis that ends the text where it is read: after the last
// Latin letter, to the left of the last Arabic one, in either UI.
func TestCellCutsWithEllipsisOnItsReadingSide(t *testing.T) {
	test.NewTempApp(t)
	cases := []struct {
		text string
		rtl  bool
		mark rune
	}{
		{"Abdulrahman bin Sulaiman bin Hamad Al Busaidi", false, lrm},
		{"عبدالرحمن بن سليمان بن حمد البوسعيدي", false, rlm},
		{"عبدالرحمن بن سليمان بن حمد البوسعيدي", true, rlm},
		{"Abdulrahman bin Sulaiman bin Hamad Al Busaidi", true, lrm},
	}
	for _, c := range cases {
		l := newLabel("", c.rtl)
		l.ellipsis = true
		l.SetText(c.text)
		l.Resize(fyne.NewSize(150, 36))
		cut := l.fitText(150)
		want := ellipsis + string(c.mark)
		if !strings.HasSuffix(cut, want) || !strings.HasPrefix(c.text, strings.TrimSuffix(cut, want)) {
			t.Errorf("%q (rtl %v) cut to %q", c.text, c.rtl, cut)
		}
		if w := fyne.MeasureText(l.Label.Text, theme.TextSize(), l.TextStyle).Width; w > 150-2*theme.InnerPadding() {
			t.Errorf("%q (rtl %v) drawn %.0f wide in a 150 cell", c.text, c.rtl, w)
		}
		l.Resize(fyne.NewSize(1000, 36))
		if l.Label.Text != displayText(c.text, c.rtl) {
			t.Errorf("%q (rtl %v) cut in a cell wide enough: %q", c.text, c.rtl, l.Label.Text)
		}
	}
}

// TestTableWidths: the columns that fit their content keep it, whatever
// the width; the growing ones share the rest by weight; in Arabic the first
// column is on the right.
func TestTableWidths(t *testing.T) {
	test.NewTempApp(t)
	u := &UI{lang: English}
	button := u.button("Same person: merge", theme.ConfirmIcon(), nil)
	tbl := u.table(column{grow: 2}, column{grow: 1}, column{samples: []string{"+96899999999"}}, column{fit: button})
	phone, btn := tbl.cols[2].need(), button.MinSize().Width
	for _, w := range []float32{1200, 600, 300} {
		ws := tbl.widths(w)
		if ws[2] != phone || ws[3] < btn {
			t.Errorf("at %v: phone %v (needs %v), button %v (needs %v)", w, ws[2], phone, ws[3], btn)
		}
		if d := ws[0] - 2*ws[1]; d > 0.5 || d < -0.5 {
			t.Errorf("at %v: names %v and %v, not 2:1", w, ws[0], ws[1])
		}
	}
	row := tbl.row(u.cell(), u.cell(), u.cell(), button)
	row.Resize(fyne.NewSize(900, 40))
	ar := &UI{lang: Arabic}
	rtl := ar.table(column{grow: 2}, column{grow: 1}, column{samples: []string{"+96899999999"}}, column{fit: button})
	mirrored := rtl.row(ar.cell(), ar.cell(), ar.cell(), ar.cell())
	mirrored.Resize(fyne.NewSize(900, 40))
	for i, o := range row.Objects {
		m := mirrored.Objects[i]
		if got, want := m.Position().X, 900-o.Position().X-o.Size().Width; got-want > 0.5 || want-got > 0.5 {
			t.Errorf("column %d at %v in Arabic, want %v", i, got, want)
		}
	}
}

// TestCutValuesAreWholeWhenChosen: where a list has no detail pane,
// choosing a row shows what its cells cut, whole: Check-in's present list,
// the reasons people are not eligible, Sync's history.
func TestCutValuesAreWholeWhenChosen(t *testing.T) {
	u := openUI(t, longStore(t), English, fyne.NewSize(1024, 600))
	full := func(l *label) string { return l.Logical() }

	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "workshops", func() bool { return len(c.workshops) > 0 })
	for i, w := range c.workshops {
		if w.TitleEn == longTitle[1] {
			c.picker.SetSelectedIndex(i)
		}
	}
	eventually(t, "attendance", func() bool { return len(c.present) > 0 })
	for i, r := range c.present {
		name := dropIsolates(personLine(English, r.Person.NameEn, r.Person.NameAr))
		c.presentBox.Select(i)
		if !strings.Contains(full(c.feedback), name) {
			t.Errorf("chose %q, feedback says %q", name, full(c.feedback))
		}
	}

	u.show(screenCertificates)
	cs := u.certificates
	eventually(t, "workshops", func() bool { return len(cs.workshops) > 0 })
	for i, w := range cs.workshops {
		if w.TitleEn == longTitle[1] {
			cs.picker.SetSelectedIndex(i)
		}
	}
	eventually(t, "eligibility", func() bool { return len(cs.skipped) > 0 })
	cs.skippedBox.Select(0)
	if s := cs.skipped[0]; !strings.Contains(full(cs.message), s.En) || !strings.Contains(full(cs.message), s.NameEn) {
		t.Errorf("chose %s (%s), message says %q", s.NameEn, s.En, full(cs.message))
	}

	u.show(screenSync)
	s := u.syncScreen
	eventually(t, "history", func() bool { return len(s.history) > 0 })
	for i, r := range s.history {
		if r.ErrorCode == "" {
			continue
		}
		s.histList.Select(i)
		if want := client.Words(r.ErrorCode).En; !s.histDetail.Visible() || !strings.Contains(full(s.histDetail), want) {
			t.Errorf("chose a run that failed with %q, the line under the history says %q", want, full(s.histDetail))
		}
	}
}
