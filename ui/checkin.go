package ui

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
)

// checkInScreen is built for a hall full of people: the search box has the
// keyboard, Enter checks in the top match (asking which one when it is not
// clearly one person: namesakes.go), the counter says how many are present
// out of the capacity, a walk-in is added with three fields, and a wrong
// check-in is undone (checkin_undo.go). The feedback line is derived from
// the screen's state (checkin_feedback.go).
type checkInScreen struct {
	u *UI

	workshops  []data.WorkshopSummary
	workshopID string
	picker     *widget.Select
	counter    *label
	search     *entry
	results    []data.SearchResult
	resultsFor string // the query results answer
	resultList *widget.List
	feedback   *label
	present    []data.AttendanceRecord
	presentIDs map[string]bool
	presentBox *widget.List
	walkIn     *walkInForm
	content    fyne.CanvasObject

	note       *checkInNote     // the last action's message
	redo       *widget.Button   // the feedback line's Undo (of an undo)
	stopExpiry func()           // cancels the redo's expiry
	now        func() time.Time // a fake clock in tests
	undone     map[string]bool  // attendance ids undone since the list was read
	asked      *undoDialog      // the open question before an undo, if any
	namesakes  *namesakeDialog  // the open question "which one?", if any

	queries latest
	loads   latest
}

const checkInMatches = 30

func newCheckInScreen(u *UI) *checkInScreen {
	c := &checkInScreen{u: u, presentIDs: map[string]bool{}, undone: map[string]bool{}, now: time.Now}
	c.workshopID = u.app.Preferences().String(prefWorkshop)
	c.picker = u.selectBox(nil, func(string) {
		i := c.picker.SelectedIndex()
		if i >= 0 && i < len(c.workshops) && c.workshops[i].ID != c.workshopID {
			c.workshopID = c.workshops[i].ID
			u.app.Preferences().SetString(prefWorkshop, c.workshopID)
			c.loadAttendance()
			c.refreshFeedback()
		}
	})
	c.counter = u.heading("")
	c.counter.SizeName = theme.SizeNameHeadingText
	c.search = u.entry(u.T("checkin.search"))
	c.search.OnChanged = func(string) { c.find() }
	c.search.OnSubmitted = func(string) { c.checkInTop() }
	c.feedback = u.wrapped("")
	// The name takes what the phone and the wilayat leave; a name cut
	// short is whole on the feedback line once checked in.
	matches := u.table(
		column{header: u.T("col.name"), grow: 3, bold: true},
		column{header: u.T("col.phone"), samples: []string{"+96899999999"}},
		column{header: u.T("col.wilayat"), grow: 1, samples: []string{u.T("checkin.already")}},
	)
	c.redo = u.button(u.T("checkin.undo"), u.undoIcon(), c.redoTapped)
	c.redo.Hide()
	c.resultList = widget.NewList(
		func() int { return len(c.results) },
		func() fyne.CanvasObject { return matches.row(u.cell(), u.cell(), u.cell()) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.results) {
				return
			}
			r := c.results[id]
			cells := o.(*fyne.Container).Objects
			name := cells[0].(*label)
			name.TextStyle.Bold = id == 0 // Enter checks this one in
			name.SetText(personLine(u.lang, r.NameEn, r.NameAr))
			cells[1].(*label).SetText(r.Phone)
			state := cells[2].(*label)
			if c.presentIDs[r.ID] {
				state.SetText(u.T("checkin.already"))
			} else {
				state.SetText(u.places.wilayatName(u.lang, r.Governorate, r.Wilayat))
			}
		},
	)
	c.resultList.OnSelected = func(id widget.ListItemID) {
		if id < len(c.results) {
			c.checkIn(c.results[id])
		}
		c.resultList.UnselectAll()
	}
	presentCell := func() (*entry, *widget.Button) {
		hours := u.entry("")
		undo := u.button(u.T("checkin.undo"), u.undoIcon(), nil)
		undo.Importance = widget.LowImportance
		return hours, undo
	}
	hoursFit, undoFit := presentCell()
	hoursFit.SetText("10.5")
	present := u.table(
		column{header: u.T("col.name"), grow: 1},
		column{header: u.T("col.time"), samples: []string{"00:00"}},
		column{header: u.T("col.hours"), fit: hoursFit},
		column{fit: undoFit},
	)
	c.presentBox = widget.NewList(
		func() int { return len(c.present) },
		func() fyne.CanvasObject {
			hours, undo := presentCell()
			return present.row(u.cell(), u.cell(), hours, undo)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.present) {
				return
			}
			r := c.present[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(personLine(u.lang, r.Person.NameEn, r.Person.NameAr))
			cells[1].(*label).SetText(checkInTime(r.CheckedInAt))
			hours := cells[2].(*entry)
			hours.SetText(formatHours(r.Hours))
			hours.OnSubmitted = func(s string) { c.setHours(r, s) }
			c.bindUndo(cells[3].(*widget.Button), r)
		},
	)
	// A name cut short in the list is whole on the feedback line.
	c.presentBox.OnSelected = func(id widget.ListItemID) {
		if id < len(c.present) {
			r := c.present[id]
			c.feedback.Importance = widget.MediumImportance
			c.feedback.SetText(u.F("pair", personLine(u.lang, r.Person.NameEn, r.Person.NameAr), checkInTime(r.CheckedInAt)))
		}
		c.presentBox.UnselectAll()
	}
	c.walkIn = newWalkInForm(u, c)

	// The walk-in form takes the matches' place while it is open (it has
	// its own), scrolling when the window is too short for it.
	left := container.NewBorder(
		container.NewVBox(c.search, u.border(nil, nil, nil, c.redo, c.feedback), u.heading(u.T("checkin.matches"))),
		c.walkIn.toggle, nil, nil, container.NewStack(c.resultList, c.walkIn.view()))
	presentHeader := present.header(u)
	// The counter heads the list it counts, so the workshop's title has
	// the whole width of the window (a long title was cut at 1024 pixels).
	presentTitle := u.border(nil, nil, u.heading(u.T("checkin.present")), c.counter)
	right := container.NewBorder(container.NewVBox(presentTitle, presentHeader, widget.NewSeparator()), nil, nil, nil, c.presentBox)
	top := u.border(nil, widget.NewSeparator(), u.label(u.T("checkin.workshop")), nil, c.picker)
	c.content = container.NewBorder(top, nil, nil, nil, u.split(left, right, 0.5))
	return c
}

func (c *checkInScreen) view() fyne.CanvasObject { return c.content }
func (c *checkInScreen) focusSearch()            { c.u.focus(c.search) }
func (c *checkInScreen) create()                 { c.walkIn.open() }

func (c *checkInScreen) shown() { c.loadWorkshops() }

// setWorkshop makes id the workshop people are checked in to.
func (c *checkInScreen) setWorkshop(id string) {
	c.workshopID = id
	c.u.app.Preferences().SetString(prefWorkshop, id)
}

// personLine is a person's name for l with the other language's after it.
func personLine(l Lang, en, ar string) string {
	first := l.pick(en, ar)
	second := ar
	if l.RTL() {
		second = en
	}
	if second == "" || second == first {
		return first
	}
	return l.F("pair", first, second)
}

func checkInTime(rfc string) string {
	t, err := time.Parse(time.RFC3339, rfc)
	if err != nil {
		return ""
	}
	return t.Local().Format("15:04")
}

// loadWorkshops fills the picker, keeping the chosen workshop or choosing
// today's (else the newest).
func (c *checkInScreen) loadWorkshops() {
	u := c.u
	background(u, func(ctx context.Context) ([]data.WorkshopSummary, error) {
		return u.store.ListWorkshops(ctx)
	}, func(ws []data.WorkshopSummary, err error) {
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		var live []data.WorkshopSummary
		for _, w := range ws {
			if w.Status != safeer.WorkshopCancelled {
				live = append(live, w)
			}
		}
		c.workshops = live
		var names []string
		chosen := -1
		today := time.Now().Format("2006-01-02")
		for i, w := range live {
			names = append(names, u.text(u.F("pair", u.lang.pick(w.TitleEn, w.TitleAr), w.Date)))
			if w.ID == c.workshopID {
				chosen = i
			}
		}
		if chosen < 0 {
			for i, w := range live {
				if w.Date == today {
					chosen = i
					break
				}
			}
		}
		if chosen < 0 && len(live) > 0 {
			chosen = 0
		}
		c.picker.Options = names
		if chosen >= 0 {
			c.workshopID = live[chosen].ID
			c.picker.SetSelectedIndex(chosen)
		} else {
			c.workshopID = ""
			c.picker.ClearSelected()
		}
		c.picker.Refresh()
		c.refreshFeedback()
		c.loadAttendance()
		c.focusSearch()
	})
}

func (c *checkInScreen) workshop() (data.WorkshopSummary, bool) {
	for _, w := range c.workshops {
		if w.ID == c.workshopID {
			return w, true
		}
	}
	return data.WorkshopSummary{}, false
}

// loadAttendance reads who is checked in, newest first.
func (c *checkInScreen) loadAttendance() {
	u := c.u
	id := c.workshopID
	if id == "" {
		c.present = nil
		c.undone = map[string]bool{}
		c.presentBox.Refresh()
		c.showCounter()
		return
	}
	current := c.loads.next()
	background(u, func(ctx context.Context) ([]data.AttendanceRecord, error) {
		return u.store.WorkshopAttendance(ctx, id)
	}, func(rows []data.AttendanceRecord, err error) {
		if !current() {
			return
		}
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].CheckedInAt > rows[j].CheckedInAt })
		c.present = c.present[:0:0]
		c.presentIDs = map[string]bool{}
		c.undone = map[string]bool{}
		for _, r := range rows {
			if r.Status == safeer.Present {
				c.present = append(c.present, r)
				c.presentIDs[r.PersonID] = true
			}
		}
		c.presentBox.Refresh()
		c.resultList.Refresh()
		c.showCounter()
	})
}

// find searches as the coordinator types.
func (c *checkInScreen) find() {
	u := c.u
	q := c.search.Text
	current := c.queries.next()
	if strings.TrimSpace(q) == "" {
		c.results, c.resultsFor = nil, ""
		c.resultList.Refresh()
		c.refreshFeedback()
		return
	}
	background(u, func(ctx context.Context) ([]data.SearchResult, error) {
		return u.store.Search(ctx, q, data.SearchOptions{Limit: checkInMatches})
	}, func(res []data.SearchResult, err error) {
		if !current() || err != nil {
			return
		}
		c.results, c.resultsFor = res, q
		c.resultList.Refresh()
		c.resultList.ScrollToTop()
		c.refreshFeedback()
	})
}

// checkInTop checks in the best match (Enter in the search box), or asks
// which one when it is not clearly one person (data.TopCandidates). Typing
// faster than the search answers is handled: Enter waits for the answer to
// what is in the box.
func (c *checkInScreen) checkInTop() {
	u := c.u
	q := c.search.Text
	if strings.TrimSpace(q) == "" || c.namesakes != nil {
		return
	}
	current := c.queries.next()
	background(u, func(ctx context.Context) ([]data.SearchResult, error) {
		return u.store.Search(ctx, q, data.SearchOptions{Limit: checkInMatches})
	}, func(res []data.SearchResult, err error) {
		if !current() {
			return
		}
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		c.results, c.resultsFor = res, q
		c.resultList.Refresh()
		c.refreshFeedback() // no one matches, or no workshop: the line says so
		if len(res) == 0 || c.workshopID == "" {
			return
		}
		if cands := data.TopCandidates(res); len(cands) > 1 {
			c.askNamesakes(cands)
			return
		}
		c.checkIn(res[0])
	})
}

// checkIn records r as present at the workshop.
func (c *checkInScreen) checkIn(r data.SearchResult) {
	c.checkInPerson(r.ID, personLine(c.u.lang, r.NameEn, r.NameAr))
}

func (c *checkInScreen) checkInPerson(personID, name string) {
	u := c.u
	if c.workshopID == "" {
		c.refreshFeedback() // says to choose one
		return
	}
	if c.presentIDs[personID] {
		c.tell(u.F("checkin.isalready", name), widget.WarningImportance)
		c.clear()
		return
	}
	a := safeer.Attendance{WorkshopID: c.workshopID, PersonID: personID, Status: safeer.Present}
	background(u, func(ctx context.Context) (safeer.Attendance, error) {
		return a, u.store.Attend(ctx, &a)
	}, func(a safeer.Attendance, err error) {
		if err != nil {
			c.tell(u.words(err), widget.DangerImportance)
			return
		}
		c.presentIDs[a.PersonID] = true
		c.tell(u.F("checkin.done", name), widget.SuccessImportance)
		c.clear()
		c.loadAttendance()
		u.changed()
	})
}

func (c *checkInScreen) clear() {
	c.queries.next()
	c.search.SetText("")
	c.results, c.resultsFor = nil, ""
	c.resultList.Refresh()
	c.refreshFeedback()
	c.focusSearch()
}

// setHours changes the hours a person attended (typed, then Enter).
func (c *checkInScreen) setHours(r data.AttendanceRecord, typed string) {
	u := c.u
	if c.undone[r.ID] {
		return // hours would check them in again
	}
	h, ok := parseNumber(typed)
	if !ok || h <= 0 {
		c.tell(u.T("form.number"), widget.DangerImportance)
		return
	}
	a := r.Attendance
	a.Hours = h
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.Attend(ctx, &a)
	}, func(_ struct{}, err error) {
		if err != nil {
			c.tell(u.words(err), widget.DangerImportance)
			c.loadAttendance()
			return
		}
		c.tell(u.F("checkin.hoursset", personLine(u.lang, r.Person.NameEn, r.Person.NameAr), formatHours(h)), widget.SuccessImportance)
		c.loadAttendance()
		u.changed()
	})
}

// walkInForm adds someone who is not on the roster yet and checks them in:
// name, phone and wilayat, with the duplicate warning while typing.
type walkInForm struct {
	u       *UI
	c       *checkInScreen
	name    *entry
	phone   *entry
	wilayat *widget.Select
	errs    map[string]*label
	check   *formCheck
	dups    *duplicateWarning
	add     *widget.Button
	form    *fyne.Container
	toggle  *widget.Button
	content *container.Scroll
}

func newWalkInForm(u *UI, c *checkInScreen) *walkInForm {
	f := &walkInForm{u: u, c: c}
	f.name = u.entry(u.T("walkin.nameph"))
	f.phone = u.entry("9xxxxxxx")
	f.wilayat = u.selectBox(u.places.wilayatNames(u.lang, ""), nil)
	f.errs = map[string]*label{"name": u.fieldError(), safeer.FieldPhone: u.fieldError(), safeer.FieldWilayat: u.fieldError()}
	f.dups = newDuplicateWarning(u)
	f.name.OnChanged = func(string) { f.typed() }
	f.phone.OnChanged = func(string) { f.typed() }
	f.check = &formCheck{u: u, errs: f.errs, validate: f.problems,
		aliases: map[string]string{safeer.FieldNameAr: "name", safeer.FieldNameEn: "name", safeer.FieldGovernorate: safeer.FieldWilayat}}
	f.check.watch(f.name, f.phone, f.wilayat)
	f.add = u.button(u.T("walkin.add"), theme.ContentAddIcon(), f.submit)
	f.add.Importance = widget.HighImportance
	f.name.OnSubmitted = func(string) { f.u.focus(f.phone) }
	f.phone.OnSubmitted = func(string) { f.submit() }
	cancel := u.button(u.T("button.cancel"), theme.CancelIcon(), f.close)
	f.form = container.NewVBox(
		widget.NewSeparator(),
		u.heading(u.T("walkin.title")),
		u.form(
			formRow{u.T("field.name"), withError(f.name, f.errs["name"])},
			formRow{u.T("field.phone"), withError(f.phone, f.errs[safeer.FieldPhone])},
			formRow{u.T("field.wilayat"), withError(f.wilayat, f.errs[safeer.FieldWilayat])},
		),
		f.dups.view(),
		u.row(f.add, cancel),
	)
	f.toggle = u.button(u.T("walkin.open"), theme.ContentAddIcon(), f.open)
	f.content = container.NewVScroll(f.form)
	f.content.Hide()
	return f
}

func (f *walkInForm) view() fyne.CanvasObject { return f.content }

func (f *walkInForm) open() {
	w, _ := f.c.workshop()
	if f.wilayat.Selected == "" && w.Wilayat != "" {
		f.wilayat.SetSelected(f.u.places.wilayatName(f.u.lang, w.Governorate, w.Wilayat))
	}
	if q := strings.TrimSpace(f.c.search.Text); q != "" && f.name.Text == "" && !startsWithDigit(q) {
		f.name.SetText(q)
	}
	f.toggle.Hide()
	f.c.resultList.Hide()
	f.content.Show()
	f.u.focus(f.name)
}

func startsWithDigit(s string) bool {
	for _, r := range s {
		return unicode.IsDigit(r) || r == '+'
	}
	return false
}

func (f *walkInForm) close() {
	f.name.SetText("")
	f.phone.SetText("")
	f.check.reset()
	f.dups.show(nil, nil, true)
	f.dups.dismissed = map[string]bool{}
	f.content.Hide()
	f.c.resultList.Show()
	f.toggle.Show()
	f.c.focusSearch()
}

// person is the walk-in as typed: the name goes to the Arabic or English
// name by its script; governorate from the wilayat, else the workshop's.
func (f *walkInForm) person() safeer.Person {
	u := f.u
	p := safeer.Person{Kind: safeer.KindGuest, Status: safeer.StatusActive, Phone: f.phone.Text}
	name := strings.TrimSpace(f.name.Text)
	if hasArabic(name) {
		p.NameAr = name
	} else {
		p.NameEn = name
	}
	if f.wilayat.Selected != "" {
		p.Governorate = u.places.wilayatGov(u.lang, f.wilayat.Selected)
		p.Wilayat = u.places.wilayatEn(u.lang, p.Governorate, f.wilayat.Selected)
	}
	if p.Governorate == "" {
		w, _ := f.c.workshop()
		p.Governorate = w.Governorate
	}
	return p
}

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

func (f *walkInForm) typed() {
	f.dups.check(f.person(), "", func(m data.Match) {
		// The same person: check in the one on the roster.
		f.c.checkInPerson(m.ID, personLine(f.u.lang, m.NameEn, m.NameAr))
		f.close()
	})
}

// problems are every problem of the walk-in as typed: a name is needed,
// and the rest is the store's validation of the person.
func (f *walkInForm) problems() error {
	u := f.u
	p := f.person()
	var bad []data.FieldError
	noName := strings.TrimSpace(f.name.Text) == ""
	if noName {
		bad = append(bad, data.FieldError{Field: "name", En: u.T("walkin.needname"), Ar: u.T("walkin.needname")})
	}
	if ve, ok := errorsAsValidation(u.store.ValidatePerson(&p)); ok {
		for _, fe := range ve.Errors {
			if noName && strings.HasPrefix(fe.Field, "name") {
				continue
			}
			bad = append(bad, fe)
		}
	}
	if len(bad) > 0 {
		return &data.ValidationError{Errors: bad}
	}
	return nil
}

func (f *walkInForm) submit() {
	u := f.u
	p := f.person()
	if err := f.problems(); err != nil { // every problem at once
		if rest := f.check.show(err); len(rest) > 0 {
			f.errs["name"].set(strings.Join(rest, " "))
		}
		return
	}
	background(u, func(ctx context.Context) (safeer.Person, error) {
		return p, u.store.AddPerson(ctx, &p)
	}, func(p safeer.Person, err error) {
		if err != nil {
			rest := f.check.show(err)
			if len(rest) > 0 {
				f.errs["name"].set(strings.Join(rest, " "))
			} else if _, ok := errorsAsValidation(err); !ok {
				u.showError(u.T("walkin.title"), err)
			}
			return
		}
		f.c.checkInPerson(p.ID, personLine(u.lang, p.NameEn, p.NameAr))
		f.close()
	})
}
