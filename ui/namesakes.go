package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// When Enter's top match is not clearly one person (data.TopCandidates),
// the check-in screen asks which one, showing what tells them apart:
// wilayat, the last digits of phone and civil ID (no more: the question is
// asked at a table where others can read the screen), and past workshops.
// The list has the keyboard: ↑ ↓ move, Enter checks in, Escape cancels;
// a click checks in too.

// namesake is a candidate with what tells them apart.
type namesake struct {
	data.SearchResult
	workshops int    // past workshops attended (this one not counted)
	lastTitle string // the newest of them, in the UI's language
	present   bool   // already checked in here
}

// namesakeDialog asks which of several people the coordinator meant.
type namesakeDialog struct {
	widget.BaseWidget
	u        *UI
	people   []namesake
	sel      int
	marks    []*canvas.Rectangle
	rows     *fyne.Container
	dialog   dialog.Dialog
	chosen   bool
	onChoose func(namesake)
	onCancel func()
}

// askNamesakes reads the candidates' past workshops, then asks.
func (c *checkInScreen) askNamesakes(cands []data.SearchResult) {
	u := c.u
	workshopID := c.workshopID
	current := c.queries.next()
	background(u, func(ctx context.Context) ([]namesake, error) {
		out := make([]namesake, len(cands))
		for i, r := range cands {
			out[i].SearchResult = r
			recs, err := u.store.PersonAttendance(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			for _, a := range recs { // newest workshop first
				if a.WorkshopID == workshopID || a.Status != safeer.Present {
					continue
				}
				if out[i].workshops == 0 {
					out[i].lastTitle = u.lang.pick(a.Workshop.TitleEn, a.Workshop.TitleAr)
				}
				out[i].workshops++
			}
		}
		return out, nil
	}, func(people []namesake, err error) {
		if !current() || workshopID != c.workshopID {
			return
		}
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		for i := range people {
			people[i].present = c.presentIDs[people[i].ID]
		}
		c.namesakes = newNamesakeDialog(u, people, func(n namesake) {
			c.namesakes = nil
			c.checkIn(n.SearchResult)
		}, func() {
			c.namesakes = nil
			c.focusSearch()
		})
		c.namesakes.show()
	})
}

func newNamesakeDialog(u *UI, people []namesake, onChoose func(namesake), onCancel func()) *namesakeDialog {
	d := &namesakeDialog{u: u, people: people, onChoose: onChoose, onCancel: onCancel}
	d.ExtendBaseWidget(d)
	d.rows = container.NewVBox()
	for i, p := range people {
		mark := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
		mark.CornerRadius = theme.InputRadiusSize()
		d.marks = append(d.marks, mark)
		d.rows.Add(newTapArea(container.NewStack(mark, container.NewPadded(d.describe(p))), func() { d.choose(i) }))
	}
	d.mark()
	return d
}

// describe is a candidate's two lines: name (and "already present"), then
// wilayat, phone and civil ID endings, past workshops.
func (d *namesakeDialog) describe(p namesake) fyne.CanvasObject {
	u := d.u
	name := u.heading(personLine(u.lang, p.NameEn, p.NameAr))
	first := []fyne.CanvasObject{name}
	if p.present {
		already := u.label(u.T("namesake.present"))
		already.Importance = widget.WarningImportance
		first = append(first, already)
	}
	var details []fyne.CanvasObject
	if w := u.places.wilayatName(u.lang, p.Governorate, p.Wilayat); w != "" {
		details = append(details, u.label(w))
	}
	// In Arabic a left-to-right mark before the digits keeps the dots on
	// their left (one number read left to right): without it displayText,
	// rightly by the bidi algorithm, takes the dots into the Arabic run.
	ltr := func(s string) string {
		if u.lang.RTL() {
			return string(lrm) + s
		}
		return s
	}
	if s := lastDigits(p.Phone, 4); s != "" {
		details = append(details, u.label(u.F("namesake.phone", ltr(s))))
	}
	if s := lastDigits(p.CivilID, 3); s != "" {
		details = append(details, u.label(u.F("namesake.civilid", ltr(s))))
	}
	past := u.T("namesake.none")
	if p.workshops > 0 {
		past = u.N("namesake.count", p.workshops)
	}
	if p.lastTitle != "" {
		past = u.F("namesake.last", past, p.lastTitle)
	}
	details = append(details, u.label(past))
	return container.NewVBox(u.row(first...), u.row(details...))
}

// lastDigits is the end of a phone or civil ID, the rest hidden: "•••4567".
// Digits shorter than twice n are not shown at all, since showing n of them
// would show most.
func lastDigits(s string, n int) string {
	var ds []rune
	for _, r := range s {
		if r >= '0' && r <= '9' {
			ds = append(ds, r)
		}
	}
	if len(ds) < 2*n {
		return ""
	}
	return "•••" + string(ds[len(ds)-n:])
}

func (d *namesakeDialog) show() {
	u := d.u
	help := u.wrapped(u.T("checkin.whichhelp"))
	content := container.NewBorder(help, nil, nil, nil, container.NewVScroll(d))
	d.dialog = u.custom(u.T("checkin.whichtitle"), u.T("button.cancel"), content)
	d.dialog.SetOnClosed(func() {
		if !d.chosen {
			d.onCancel()
		}
	})
	d.dialog.Resize(fyne.NewSize(620, min(200+float32(len(d.people))*92, 600)))
	d.dialog.Show()
	u.focus(d)
}

func (d *namesakeDialog) mark() {
	for i, m := range d.marks {
		if i == d.sel {
			m.FillColor = theme.Color(theme.ColorNameSelection)
		} else {
			m.FillColor = theme.Color(theme.ColorNameBackground)
		}
		m.Refresh()
	}
}

// choose checks in candidate i and closes the dialog.
func (d *namesakeDialog) choose(i int) {
	if d.chosen || i < 0 || i >= len(d.people) {
		return
	}
	d.chosen = true
	if d.dialog != nil {
		d.dialog.Hide()
	}
	d.onChoose(d.people[i])
}

// cancel closes the dialog, checking in nobody.
func (d *namesakeDialog) cancel() {
	if d.dialog != nil {
		d.dialog.Hide() // calls onCancel
		return
	}
	d.onCancel()
}

func (d *namesakeDialog) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(d.rows)
}

func (d *namesakeDialog) FocusGained()   {}
func (d *namesakeDialog) FocusLost()     {}
func (d *namesakeDialog) TypedRune(rune) {}
func (d *namesakeDialog) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyDown:
		d.sel = min(d.sel+1, len(d.people)-1)
		d.mark()
	case fyne.KeyUp:
		d.sel = max(d.sel-1, 0)
		d.mark()
	case fyne.KeyReturn, fyne.KeyEnter:
		d.choose(d.sel)
	case fyne.KeyEscape:
		d.cancel()
	}
}
