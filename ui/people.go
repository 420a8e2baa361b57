package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
)

// peopleScreen is the Ambassadors screen: the roster with type-ahead search
// and filters on one side, the chosen person (or a new one) on the other.
//
// The list is virtualised (widget.List draws only the rows on screen), so
// 100,000 people cost one slice of summaries; every search runs off Fyne's
// goroutine and only the answer to the newest query is shown.
type peopleScreen struct {
	u *UI

	search  *entry
	gov     *widget.Select
	wilayat *widget.Select
	status  *widget.Select
	count   *label
	list    *widget.List
	detail  *personPanel
	content fyne.CanvasObject

	results []data.SearchResult // Fyne's goroutine only
	queries latest
}

var personColumns = []float32{3, 3, 2.3, 1.8, 1.5}

func newPeopleScreen(u *UI) *peopleScreen {
	p := &peopleScreen{u: u}
	p.search = u.entry(u.T("people.search"))
	p.search.OnChanged = func(string) { p.refresh() }
	p.search.OnSubmitted = func(string) {
		if len(p.results) > 0 {
			p.list.Select(0)
		}
	}
	p.count = u.label("")
	p.gov = u.selectBox(append([]string{u.T("filter.allgov")}, u.places.govNames(u.lang)...), nil)
	p.gov.SetSelectedIndex(0)
	p.wilayat = u.selectBox([]string{u.T("filter.allwilayat")}, nil)
	p.wilayat.SetSelectedIndex(0)
	p.status = u.selectBox([]string{u.T("filter.allstatus"), u.T("status.active"), u.T("status.inactive")}, nil)
	p.status.SetSelectedIndex(0)
	p.gov.OnChanged = func(string) {
		p.wilayat.Options = append([]string{u.T("filter.allwilayat")}, u.places.wilayatNames(u.lang, p.govCode())...)
		p.wilayat.SetSelectedIndex(0) // refreshes
	}
	p.wilayat.OnChanged = func(string) { p.refresh() }
	p.status.OnChanged = func(string) { p.refresh() }

	p.list = widget.NewList(
		func() int { return len(p.results) },
		func() fyne.CanvasObject {
			return u.columns(personColumns, u.label(""), u.label(""), u.label(""), u.label(""), u.label(""))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.results) {
				return
			}
			r := p.results[id]
			cells := o.(*fyne.Container).Objects
			first, second := u.lang.pick(r.NameEn, r.NameAr), r.NameAr
			if u.lang.RTL() {
				second = r.NameEn
			}
			if second == first {
				second = ""
			}
			cells[0].(*label).SetText(first)
			cells[1].(*label).SetText(second)
			cells[2].(*label).SetText(r.Phone)
			cells[3].(*label).SetText(u.places.wilayatName(u.lang, r.Governorate, r.Wilayat))
			cells[4].(*label).SetText(u.statusWord(r.Status))
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) {
		if id < len(p.results) {
			p.detail.open(p.results[id].ID)
		}
	}
	p.detail = newPersonPanel(u, func(saved string) {
		p.refresh()
	})

	header := u.columns(personColumns,
		u.heading(u.T("col.name")), u.heading(u.T("col.othername")), u.heading(u.T("col.phone")),
		u.heading(u.T("col.wilayat")), u.heading(u.T("col.status")))
	newBtn := u.button(u.T("people.new"), theme.ContentAddIcon(), p.create)
	newBtn.Importance = widget.HighImportance
	importBtn := u.button(u.T("people.import"), theme.UploadIcon(), func() { newImportWizard(u, p.refresh).show() })
	selects := []fyne.CanvasObject{p.gov, p.wilayat, p.status}
	if u.lang.RTL() {
		selects = []fyne.CanvasObject{p.status, p.wilayat, p.gov}
	}
	filters := u.border(nil, nil, nil, p.count, container.NewGridWithColumns(3, selects...))
	top := container.NewVBox(
		u.border(nil, nil, nil, u.row(importBtn, newBtn), p.search),
		filters,
		header,
		widget.NewSeparator(),
	)
	left := container.NewBorder(top, nil, nil, nil, p.list)
	p.content = u.split(left, container.NewPadded(p.detail.view()), 0.58)
	return p
}

func (p *peopleScreen) view() fyne.CanvasObject { return p.content }

func (p *peopleScreen) shown() { p.refresh() }

func (p *peopleScreen) focusSearch() { p.u.focus(p.search) }

func (p *peopleScreen) create() {
	p.list.UnselectAll()
	p.detail.newPerson()
}

func (p *peopleScreen) govCode() string {
	if p.gov.SelectedIndex() <= 0 {
		return ""
	}
	return p.u.places.govCode(p.u.lang, p.gov.Selected)
}

func (p *peopleScreen) options() data.SearchOptions {
	u := p.u
	opt := data.SearchOptions{Governorate: p.govCode()}
	if p.wilayat.SelectedIndex() > 0 {
		if opt.Governorate != "" {
			opt.Wilayat = u.places.wilayatEn(u.lang, opt.Governorate, p.wilayat.Selected)
		}
	}
	switch p.status.SelectedIndex() {
	case 1:
		opt.Status = data.StatusActive
	case 2:
		opt.Status = data.StatusInactive
	}
	return opt
}

// refresh runs the search off Fyne's goroutine and shows the newest answer.
// It asks twice: the first page (fast: a few milliseconds even at 100,000
// people) and then everyone, so the list is on screen at once and the count
// and the scrollbar become exact a moment later. The first page is the
// start of the full answer, so the second does not move what is shown.
func (p *peopleScreen) refresh() {
	if p.list == nil || p.status == nil {
		return // still being built
	}
	u := p.u
	q, opt := p.search.Text, p.options()
	current := p.queries.next()
	first := opt
	first.Limit = firstPage
	background(u, func(ctx context.Context) ([]data.SearchResult, error) {
		return u.store.Search(ctx, q, first)
	}, func(res []data.SearchResult, err error) {
		if !current() {
			return
		}
		if err != nil {
			p.count.SetText(u.T("people.searchfailed"))
			return
		}
		p.show(res, len(res) < firstPage, false)
		if len(res) < firstPage {
			return // that was everyone
		}
		background(u, func(ctx context.Context) ([]data.SearchResult, error) {
			return u.store.Search(ctx, q, opt)
		}, func(res []data.SearchResult, err error) {
			if current() && err == nil {
				p.show(res, true, true)
			}
		})
	})
}

// firstPage is how many people the first answer to a search holds.
const firstPage = 200

// show lists res; complete says whether it is the whole answer, and rest
// whether it completes the first page already shown (the selection stays).
func (p *peopleScreen) show(res []data.SearchResult, complete, rest bool) {
	p.results = res
	if complete {
		p.count.SetText(p.u.N("people.count", len(res)))
	} else {
		p.count.SetText(p.u.F("people.countmore", len(res)))
	}
	if !rest {
		p.list.UnselectAll()
	}
	p.list.Refresh()
}

// statusWord is a person's status in words.
func (u *UI) statusWord(status string) string {
	switch status {
	case data.StatusActive:
		return u.T("status.active")
	case data.StatusInactive:
		return u.T("status.inactive")
	}
	return status
}
