package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
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
