package ui

import (
	"context"
	"image/color"
	"sort"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
)

// dashboardScreen is the first thing a coordinator sees: the counts,
// attendance per month and per wilayat, and what needs attention
// (conflicts, changes not yet sent, workshops without certificates).
type dashboardScreen struct {
	u *UI

	people    *canvas.Text
	workshops *canvas.Text
	attended  *canvas.Text
	month     *canvas.Text
	byMonth   *barChart
	byWilayat *barChart
	attention *fyne.Container
	steps     *firstSteps
	files     *dataFiles
	content   fyne.CanvasObject
	loads     latest
}

func newDashboardScreen(u *UI) *dashboardScreen {
	d := &dashboardScreen{u: u}
	card := func(title string) (*canvas.Text, fyne.CanvasObject) {
		n := canvas.NewText("…", theme.Color(theme.ColorNamePrimary))
		n.TextSize = theme.TextSize() * 2.2
		n.TextStyle.Bold = true
		n.Alignment = fyne.TextAlignCenter
		t := u.label(title)
		t.Alignment = fyne.TextAlignCenter
		return n, widget.NewCard("", "", container.NewVBox(n, t))
	}
	var c1, c2, c3, c4 fyne.CanvasObject
	d.people, c1 = card(u.T("dash.people"))
	d.workshops, c2 = card(u.T("dash.workshops"))
	d.attended, c3 = card(u.T("dash.attendance"))
	d.month, c4 = card(u.T("dash.thismonth"))
	cards := []fyne.CanvasObject{c1, c2, c3, c4}
	if u.lang.RTL() {
		cards = []fyne.CanvasObject{c4, c3, c2, c1}
	}
	d.byMonth = newBarChart(u.lang.RTL())
	d.byWilayat = newBarChart(u.lang.RTL())
	d.attention = container.NewVBox()
	charts := u.columns([]float32{3, 2},
		container.NewBorder(u.heading(u.T("dash.bymonth")), nil, nil, nil, d.byMonth),
		container.NewBorder(u.heading(u.T("dash.bywilayat")), nil, nil, nil, d.byWilayat),
	)
	d.steps = newFirstSteps(u)
	d.files = newDataFiles(u)
	d.content = container.NewVScroll(container.NewVBox(
		d.steps.view(),
		container.NewGridWithColumns(4, cards...),
		fixedHeight(charts, 230),
		widget.NewSeparator(),
		u.heading(u.T("dash.attention")),
		d.attention,
		widget.NewSeparator(),
		d.files.view(),
	))
	return d
}

// fixedHeight gives o at least height h.
func fixedHeight(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(spacer, o)
}

func (d *dashboardScreen) view() fyne.CanvasObject { return d.content }

type dashboardData struct {
	people    int
	workshops []data.WorkshopSummary
	counts    data.SyncCounts
	noCerts   []data.WorkshopSummary
	dups      int // pairs who may be the same person
}

// noCertsChecked bounds how many past workshops are checked for missing
// certificates (one query each).
const noCertsChecked = 40

func (d *dashboardScreen) shown() {
	u := d.u
	current := d.loads.next()
	background(u, func(ctx context.Context) (dashboardData, error) {
		var dd dashboardData
		var err error
		if dd.people, err = u.store.CountPeople(ctx); err != nil {
			return dd, err
		}
		if dd.workshops, err = u.store.ListWorkshops(ctx); err != nil {
			return dd, err
		}
		if dd.counts, err = u.store.SyncCounts(ctx); err != nil {
			return dd, err
		}
		pairs, err := u.findDuplicates(ctx, false, nil) // scans only when the roster changed
		if err != nil {
			return dd, err
		}
		dd.dups = len(pairs)
		today := time.Now().Format("2006-01-02")
		checked := 0
		for _, w := range dd.workshops {
			if w.Present == 0 || w.Date > today || w.Status == safeer.WorkshopCancelled {
				continue
			}
			if checked++; checked > noCertsChecked {
				break
			}
			certs, err := u.store.WorkshopCertificates(ctx, w.ID)
			if err != nil {
				return dd, err
			}
			live := 0
			for _, c := range certs {
				if c.RevokedAt == "" {
					live++
				}
			}
			if live == 0 {
				dd.noCerts = append(dd.noCerts, w)
			}
		}
		return dd, nil
	}, func(dd dashboardData, err error) {
		if !current() {
			return
		}
		if err != nil {
			u.showError(u.T("nav.dashboard"), err)
			return
		}
		d.show(dd)
	})
}

func (d *dashboardScreen) show(dd dashboardData) {
	u := d.u
	total, thisMonth := 0, 0
	month := time.Now().Format("2006-01")
	perMonth := map[string]int{}
	perWilayat := map[string]int{}
	for _, w := range dd.workshops {
		total += w.Present
		if len(w.Date) >= 7 {
			perMonth[w.Date[:7]] += w.Present
			if w.Date[:7] == month {
				thisMonth += w.Present
			}
		}
		if w.Present > 0 {
			name := u.places.wilayatName(u.lang, w.Governorate, w.Wilayat)
			if name == "" {
				name = u.places.govName(u.lang, w.Governorate)
			}
			perWilayat[name] += w.Present
		}
	}
	enrolled := u.sync != nil && u.sync.Status().Enrolled
	d.steps.set(enrolled, dd.people, len(dd.workshops))
	setNumber(d.people, dd.people)
	setNumber(d.workshops, len(dd.workshops))
	setNumber(d.attended, total)
	setNumber(d.month, thisMonth)

	var months []bar
	now := time.Now()
	for i := 11; i >= 0; i-- {
		m := time.Date(now.Year(), now.Month()-time.Month(i), 1, 0, 0, 0, 0, time.Local)
		months = append(months, bar{label: u.monthName(m.Month()), value: perMonth[m.Format("2006-01")]})
	}
	d.byMonth.set(months)
	var wil []bar
	for name, v := range perWilayat {
		wil = append(wil, bar{label: name, value: v})
	}
	sort.Slice(wil, func(i, j int) bool {
		if wil[i].value != wil[j].value {
			return wil[i].value > wil[j].value
		}
		return wil[i].label < wil[j].label
	})
	if len(wil) > 8 {
		wil = wil[:8]
	}
	d.byWilayat.set(wil)

	d.attention.RemoveAll()
	st := u.status.st
	add := func(text string, importance widget.Importance, action string, onTap func()) {
		l := u.wrapped(text)
		l.Importance = importance
		var b fyne.CanvasObject = widget.NewLabel("")
		if onTap != nil {
			b = u.button(action, u.forward(), onTap)
		}
		d.attention.Add(u.border(nil, nil, nil, b, l))
	}
	// A restored backup is not enrolled either, but its problem says why
	// and what to do; "not enrolled yet" would be wrong there.
	// While the first steps are on screen, their first says it already.
	if !st.Enrolled && (st.Problem == nil || st.Problem.Code != client.ProblemTokenMissing) && !d.steps.content.Visible() {
		add(u.T("attn.notenrolled"), widget.WarningImportance, u.T("attn.open.sync"), func() { u.show(screenSync) })
	}
	if st.Problem != nil {
		add(u.lang.pick(st.Problem.En, st.Problem.Ar), widget.DangerImportance, u.T("attn.open.sync"), func() { u.show(screenSync) })
	}
	if dd.counts.ConflictsWaiting > 0 {
		add(u.N("attn.conflicts", dd.counts.ConflictsWaiting), widget.DangerImportance, u.T("attn.review"), func() {
			u.show(screenSync)
			u.syncScreen.showConflicts()
		})
	}
	if dd.counts.OpsWaiting > 0 {
		add(u.N("attn.unsent", dd.counts.OpsWaiting), widget.WarningImportance, u.T("attn.open.sync"), func() { u.show(screenSync) })
	}
	if dd.counts.RejectedOwn() > 0 { // others' values re-sent after HQ's restore: nothing to do
		add(u.N("attn.rejected", dd.counts.RejectedOwn()), widget.DangerImportance, "", nil)
	}
	if dd.dups > 0 {
		add(u.N("attn.dups", dd.dups), widget.WarningImportance, u.T("attn.review"), func() { u.show(screenDuplicates) })
	}
	for _, w := range dd.noCerts {
		add(u.F("attn.nocerts", u.lang.pick(w.TitleEn, w.TitleAr), w.Date, w.Present), widget.MediumImportance, u.T("attn.issue"), func() {
			u.certificates.setWorkshop(w.ID)
			u.show(screenCertificates)
		})
	}
	if len(d.attention.Objects) == 0 {
		ok := u.label(u.T("attn.none"))
		ok.Importance = widget.SuccessImportance
		d.attention.Add(ok)
	}
	d.attention.Refresh()
}

func setNumber(t *canvas.Text, n int) {
	t.Text = strconv.Itoa(n)
	t.Refresh()
}

// monthName is a month's name in the user's language.
func (u *UI) monthName(m time.Month) string {
	if u.lang == Arabic {
		return monthsAr[m-1]
	}
	return m.String()[:3]
}

var monthsAr = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
	"يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
