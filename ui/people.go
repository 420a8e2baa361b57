package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// peopleScreen is the Ambassadors screen: the roster with type-ahead search
// and filters on one side, the chosen person (or a new one) on the other.
//
// The list is virtualised twice over: widget.List draws only the rows on
// screen, and the screen holds only the pages of the answer that have been
// on screen (rosterPage people each), fetched as the list scrolls to them.
// Every search runs off Fyne's goroutine and only the answer to the newest
// query is shown. The roster by name (no query) is on screen before the
// store's search index is built: the store reads that page from SQL.
type peopleScreen struct {
	u *UI

	search *entry
	// emptyHint is over the list while the roster is empty.
	emptyHint *fyne.Container
	gov       *widget.Select
	wilayat   *widget.Select
	status    *widget.Select
	count     *label
	// dups opens the duplicates screen and says how many pairs there are.
	dups      *widget.Button
	dupsCount latest
	list      *widget.List
	detail    *personPanel
	content   fyne.CanvasObject

	onScreen *rosterView // the answer on screen; Fyne's goroutine only
	queries  latest
	// scrollTo is where the list goes once the next answer is on screen
	// (back where it was before a lock: place.go); 0 for nowhere.
	scrollTo float32
}

// rosterView is one search's answer as the list has it: how many people
// match and the pages of them fetched so far.
type rosterView struct {
	query   string
	opt     data.SearchOptions
	current func() bool // whether this is still the newest search
	total   int
	pages   map[int][]data.SearchResult // page number → its people
	asked   map[int]bool                // pages fetched or being fetched
}

// rosterPage is how many people a page of the list holds.
const rosterPage = 200

// rosterFirstPage is what the screen asks first when it opens: everyone,
// unfiltered, by name.
var rosterFirstPage = data.SearchOptions{Limit: rosterPage}

// prefetchRoster asks for the roster's first page at once, when the app
// opens on Ambassadors: the store reads it while the screens are built (on
// a cold cache the read is the larger part of the first paint).
func prefetchRoster(u *UI) *prefetch[data.SearchPage] {
	return start(u, func(ctx context.Context) (data.SearchPage, error) {
		return u.store.SearchPage(ctx, "", rosterFirstPage)
	})
}

func newPeopleScreen(u *UI) *peopleScreen {
	p := &peopleScreen{u: u}
	p.search = u.entry(u.T("people.search"))
	p.search.OnChanged = func(string) { p.refresh() }
	p.search.OnSubmitted = func(string) {
		if _, ok := p.row(0); ok {
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

	// Names take what the phone, the wilayat and the status leave; a name
	// cut short is whole in the person's panel.
	cols := u.table(
		column{header: u.T("col.name"), grow: 3},
		column{header: u.T("col.othername"), grow: 3},
		column{header: u.T("col.phone"), samples: []string{"+96899999999"}},
		column{header: u.T("col.wilayat"), grow: 1.5},
		column{header: u.T("col.status"), samples: []string{u.T("status.active"), u.T("status.inactive")}},
	)
	p.list = widget.NewList(
		func() int {
			if p.onScreen == nil {
				return 0
			}
			return p.onScreen.total
		},
		func() fyne.CanvasObject {
			return cols.row(u.cell(), u.cell(), u.cell(), u.cell(), u.cell())
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			cells := o.(*fyne.Container).Objects
			r, ok := p.row(id)
			if !ok { // its page is on its way
				for _, c := range cells {
					c.(*label).SetText("")
				}
				return
			}
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
		if r, ok := p.row(id); ok {
			p.detail.open(r.ID)
		}
	}
	p.detail = newPersonPanel(u, func(saved string) {
		p.refresh()
	})

	header := cols.header(u)
	newBtn := u.button(u.T("people.new"), theme.ContentAddIcon(), p.create)
	newBtn.Importance = widget.HighImportance
	importBtn := u.button(u.T("people.import"), theme.UploadIcon(), func() { newImportWizard(u, p.refresh).show() })
	p.dups = u.button(u.T("people.dups"), theme.AccountIcon(), func() { u.show(screenDuplicates) })
	p.dups.Importance = widget.LowImportance
	// The filters flow onto a second line rather than cut their words
	// when the roster shares the window with a person.
	top := container.NewVBox()
	filters := u.flow(func() { top.Refresh() }, p.gov, p.wilayat, p.status, p.count, p.dups)
	top.Objects = []fyne.CanvasObject{
		u.border(nil, nil, nil, u.row(importBtn, newBtn), p.search),
		filters,
		header,
		widget.NewSeparator(),
	}
	// The roster has the whole width until a person (or a new one) is
	// open; then the person's panel takes its share beside it.
	// An empty roster says how to fill it, with the Import button at hand.
	emptyImport := u.button(u.T("people.import"), theme.UploadIcon(), func() { newImportWizard(u, p.refresh).show() })
	emptyImport.Importance = widget.HighImportance
	p.emptyHint = container.NewVBox(u.wrapped(u.T("people.emptyhint")), u.row(emptyImport))
	p.emptyHint.Hide()
	left := container.NewBorder(top, nil, nil, nil, container.NewStack(p.list, container.NewPadded(p.emptyHint)))
	split := u.split(left, container.NewPadded(p.detail.view()), 0.6)
	stack := container.NewStack(left)
	p.detail.onShown = func(open bool) {
		if open {
			stack.Objects = []fyne.CanvasObject{split}
		} else {
			stack.Objects = []fyne.CanvasObject{left}
			p.list.UnselectAll()
		}
		stack.Refresh()
	}
	p.content = stack
	return p
}

func (p *peopleScreen) view() fyne.CanvasObject { return p.content }

func (p *peopleScreen) shown() {
	p.refresh()
	p.countDuplicates()
}

// countDuplicates puts the number of pairs who may be the same person on
// the duplicates button.
func (p *peopleScreen) countDuplicates() {
	u := p.u
	u.countDuplicates(p.dupsCount.next(), func(n int) {
		p.dups.SetText(u.text(u.F("people.dupsn", n)))
		if n > 0 {
			p.dups.Importance = widget.WarningImportance
		} else {
			p.dups.Importance = widget.LowImportance
		}
		p.dups.Refresh()
	})
}

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
		opt.Status = safeer.StatusActive
	case 2:
		opt.Status = safeer.StatusInactive
	}
	return opt
}

// refresh runs the search off Fyne's goroutine and shows the newest
// answer: its first page and how many people match, so the list can
// scroll over all of them; later pages come as they scroll into view.
func (p *peopleScreen) refresh() {
	if p.list == nil || p.status == nil {
		return // still being built
	}
	u := p.u
	v := &rosterView{query: p.search.Text, opt: p.options(), current: p.queries.next(),
		pages: map[int][]data.SearchResult{}, asked: map[int]bool{0: true}}
	first := v.opt
	first.Limit = rosterPage
	work := func(ctx context.Context) (data.SearchPage, error) {
		return u.store.SearchPage(ctx, v.query, first)
	}
	if pre := u.firstRoster; pre != nil {
		u.firstRoster = nil
		if v.query == "" && first == rosterFirstPage {
			work = pre.wait
		}
	}
	background(u, work, func(pg data.SearchPage, err error) {
		if !v.current() {
			return
		}
		if err != nil {
			p.count.SetText(u.T("people.searchfailed"))
			return
		}
		v.total, v.pages[0] = pg.Total, pg.Results
		old := p.onScreen
		p.onScreen = v
		p.count.SetText(u.N("people.count", pg.Total))
		if pg.Total == 0 && v.query == "" && v.opt == (data.SearchOptions{}) {
			p.emptyHint.Show()
		} else {
			p.emptyHint.Hide()
		}
		p.list.UnselectAll()
		if old != nil && (old.query != v.query || old.opt != v.opt) {
			p.list.ScrollToTop() // a new search: its best matches; the same one again (after a save) stays put
		}
		p.list.Refresh()
		if p.scrollTo > 0 {
			p.list.ScrollToOffset(p.scrollTo)
			p.scrollTo = 0
		}
		u.warmSearch()
	})
}

// row is the id'th person of the answer on screen, if their page is here;
// if not, it asks for the page.
func (p *peopleScreen) row(id int) (data.SearchResult, bool) {
	v := p.onScreen
	if v == nil || id < 0 || id >= v.total {
		return data.SearchResult{}, false
	}
	n := id / rosterPage
	rows, ok := v.pages[n]
	if !ok {
		p.fetch(v, n)
		return data.SearchResult{}, false
	}
	if i := id % rosterPage; i < len(rows) {
		return rows[i], true
	}
	return data.SearchResult{}, false // the roster shrank since it was counted
}

// fetch gets page n of v off Fyne's goroutine, once.
func (p *peopleScreen) fetch(v *rosterView, n int) {
	if v.asked[n] {
		return
	}
	v.asked[n] = true
	opt := v.opt
	opt.Limit, opt.Offset = rosterPage, n*rosterPage
	u := p.u
	background(u, func(ctx context.Context) (data.SearchPage, error) {
		return u.store.SearchPage(ctx, v.query, opt)
	}, func(pg data.SearchPage, err error) {
		if p.onScreen != v || !v.current() {
			return // a newer search replaced this answer
		}
		if err != nil {
			p.count.SetText(u.T("people.searchfailed"))
			return
		}
		v.pages[n] = pg.Results
		if pg.Total != v.total { // someone changed the roster meanwhile
			v.total = pg.Total
			p.count.SetText(u.N("people.count", pg.Total))
		}
		p.list.Refresh()
	})
}

// statusWord is a person's status in words.
func (u *UI) statusWord(status string) string {
	switch status {
	case safeer.StatusActive:
		return u.T("status.active")
	case safeer.StatusInactive:
		return u.T("status.inactive")
	}
	return status
}
