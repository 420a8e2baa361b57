package ui

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/arabic"
	"github.com/oman-sca/safeer/data"
)

// workshopsScreen lists the workshops and edits one: create, change, and
// from there go to its check-in or its certificates.
type workshopsScreen struct {
	u *UI

	filter  *entry
	notice  *label // what was done to a workshop no longer open (deleted)
	list    *widget.List
	all     []data.WorkshopSummary
	shownWs []data.WorkshopSummary
	form    *workshopForm
	content fyne.CanvasObject
	loads   latest
}

func newWorkshopsScreen(u *UI) *workshopsScreen {
	s := &workshopsScreen{u: u}
	s.filter = u.entry(u.T("workshops.filter"))
	s.filter.OnChanged = func(string) { s.applyFilter() }
	// The title takes what the others leave; a title cut short is whole in
	// the form beside the list.
	cols := u.table(
		column{header: u.T("col.title"), grow: 3},
		column{header: u.T("col.date"), samples: []string{"2026-12-31"}},
		column{header: u.T("col.wilayat"), grow: 1},
		column{header: u.T("col.present"), samples: []string{u.presentOf(999, 999)}},
		column{header: u.T("col.status"), samples: []string{u.workshopStatusWord(safeer.WorkshopPlanned),
			u.workshopStatusWord(safeer.WorkshopHeld), u.workshopStatusWord(safeer.WorkshopCancelled)}},
	)
	s.list = widget.NewList(
		func() int { return len(s.shownWs) },
		func() fyne.CanvasObject {
			return cols.row(u.cell(), u.cell(), u.cell(), u.cell(), u.cell())
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.shownWs) {
				return
			}
			w := s.shownWs[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(u.lang.pick(w.TitleEn, w.TitleAr))
			cells[1].(*label).SetText(w.Date)
			cells[2].(*label).SetText(u.places.wilayatName(u.lang, w.Governorate, w.Wilayat))
			cells[3].(*label).SetText(u.presentOf(w.Present, w.Capacity))
			cells[4].(*label).SetText(u.workshopStatusWord(w.Status))
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.shownWs) {
			s.notice.set("")
			s.form.edit(s.shownWs[id].Workshop)
		}
	}
	s.notice = u.wrapped("")
	s.notice.Hide()
	s.form = newWorkshopForm(u, func(w safeer.Workshop) { s.reload(w.ID) })
	s.form.onDeleted = func(w safeer.Workshop) {
		s.notice.set(u.F("workshops.deleted", u.lang.pick(w.TitleEn, w.TitleAr)))
		s.reload("")
	}
	newBtn := u.button(u.T("workshops.new"), theme.ContentAddIcon(), s.create)
	newBtn.Importance = widget.HighImportance
	header := cols.header(u)
	top := container.NewVBox(u.border(nil, nil, nil, newBtn, s.filter), s.notice, header, widget.NewSeparator())
	// The list has the whole width until a workshop (or a new one) is
	// open; then the form takes its share beside it.
	left := container.NewBorder(top, nil, nil, nil, s.list)
	split := u.split(left, container.NewPadded(s.form.view()), 0.55)
	stack := container.NewStack(left)
	s.form.onShown = func(open bool) {
		if open {
			stack.Objects = []fyne.CanvasObject{split}
		} else {
			stack.Objects = []fyne.CanvasObject{left}
			s.list.UnselectAll()
		}
		stack.Refresh()
	}
	s.content = stack
	return s
}

func (s *workshopsScreen) view() fyne.CanvasObject { return s.content }
func (s *workshopsScreen) shown()                  { s.reload("") }
func (s *workshopsScreen) focusSearch()            { s.u.focus(s.filter) }

func (s *workshopsScreen) create() {
	s.notice.set("")
	s.list.UnselectAll()
	s.form.newWorkshop()
}

// reload reads the workshops again (selecting id, when given).
func (s *workshopsScreen) reload(id string) {
	current := s.loads.next()
	background(s.u, func(ctx context.Context) ([]data.WorkshopSummary, error) {
		return s.u.store.ListWorkshops(ctx)
	}, func(ws []data.WorkshopSummary, err error) {
		if !current() {
			return
		}
		if err != nil {
			s.u.showError(s.u.T("nav.workshops"), err)
			return
		}
		s.all = ws
		s.applyFilter()
		for i, w := range s.shownWs {
			if w.ID == id {
				s.list.Select(i)
			}
		}
	})
}

func (s *workshopsScreen) applyFilter() {
	q := arabic.Fold(s.filter.Text)
	s.shownWs = s.shownWs[:0:0]
	for _, w := range s.all {
		if q == "" || strings.Contains(arabic.Fold(w.TitleAr+" "+w.TitleEn+" "+w.Topic+" "+w.Wilayat+" "+w.Venue+" "+w.Date), q) {
			s.shownWs = append(s.shownWs, w)
		}
	}
	s.list.UnselectAll()
	s.list.Refresh()
}

// presentOf is "present / capacity", or just present when there is no cap.
func (u *UI) presentOf(present, capacity int) string {
	if capacity > 0 {
		return u.F("present.of", present, capacity)
	}
	return strconv.Itoa(present)
}

// workshopStatusWord is a workshop's status in words.
func (u *UI) workshopStatusWord(s string) string {
	switch s {
	case safeer.WorkshopPlanned:
		return u.T("wstatus.planned")
	case safeer.WorkshopHeld:
		return u.T("wstatus.held")
	case safeer.WorkshopCancelled:
		return u.T("wstatus.cancelled")
	}
	return s
}

var workshopStatuses = []string{safeer.WorkshopPlanned, safeer.WorkshopHeld, safeer.WorkshopCancelled}

// workshopForm makes and edits a workshop.
type workshopForm struct {
	u       *UI
	onSaved func(safeer.Workshop)
	w       safeer.Workshop

	title       *label
	titleAr     *entry
	titleEn     *entry
	topic       *entry
	date        *entry
	start       *entry
	hours       *entry
	minHours    *entry
	gov         *widget.Select
	wilayat     *widget.Select
	venue       *entry
	facilitator *entry
	capacity    *entry
	status      *widget.Select
	errs        map[string]*label
	check       *formCheck
	message     *label
	notice      notice // shown once the saved workshop is open again
	save        *widget.Button
	remove      *widget.Button
	onDeleted   func(safeer.Workshop)
	govQuery    latest
	checkIn     *widget.Button
	certs       *widget.Button
	body        fyne.CanvasObject
	empty       fyne.CanvasObject
	content     *fyne.Container
	onShown     func(open bool) // the form came forward (or went away)
}

func newWorkshopForm(u *UI, onSaved func(safeer.Workshop)) *workshopForm {
	f := &workshopForm{u: u, onSaved: onSaved}
	f.title = u.heading("")
	f.title.SizeName = theme.SizeNameSubHeadingText
	f.title.Wrapping = fyne.TextWrapWord // titles run long
	f.titleAr, f.titleEn, f.topic = u.entry(""), u.entry(""), u.entry("")
	f.date, f.start = u.entry(u.T("form.dateformat")), u.entry("09:30")
	f.hours, f.minHours, f.capacity = u.entry(""), u.entry(""), u.entry("")
	f.venue, f.facilitator = u.entry(""), u.entry("")
	f.gov = u.selectBox(u.places.govNames(u.lang), nil)
	f.wilayat = u.selectBox(nil, nil)
	f.gov.OnChanged = func(string) {
		f.wilayat.Options = append([]string{u.T("wilayat.none")}, u.places.wilayatNames(u.lang, u.places.govCode(u.lang, f.gov.Selected))...)
		f.wilayat.ClearSelected()
	}
	var statusNames []string
	for _, s := range workshopStatuses {
		statusNames = append(statusNames, u.workshopStatusWord(s))
	}
	f.status = u.selectBox(statusNames, nil)
	f.errs = map[string]*label{}
	for _, k := range []string{
		safeer.FieldTitleAr, safeer.FieldTitleEn, safeer.FieldTopic, safeer.FieldDate, safeer.FieldStartTime,
		safeer.FieldHours, safeer.FieldMinHours, safeer.FieldGovernorate, safeer.FieldWilayat, safeer.FieldVenue,
		safeer.FieldFacilitator, safeer.FieldCapacity, safeer.FieldStatus,
	} {
		f.errs[k] = u.fieldError()
	}
	f.message = u.wrapped("")
	f.check = &formCheck{u: u, errs: f.errs, aliases: map[string]string{"title": safeer.FieldTitleAr},
		validate: func() error { _, err := f.read(); return err },
		onClear:  func() { f.message.SetText("") }}
	f.check.watch(f.titleAr, f.titleEn, f.topic, f.date, f.start, f.hours, f.minHours, f.gov, f.wilayat,
		f.venue, f.facilitator, f.capacity, f.status)
	f.save = u.button(u.T("button.save"), theme.DocumentSaveIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	// Delete sits by the title, away from Save.
	f.remove = u.button(u.T("workshops.delete"), theme.DeleteIcon(), f.confirmDelete)
	f.remove.Importance = widget.LowImportance
	f.checkIn = u.button(u.T("workshops.checkin"), theme.ConfirmIcon(), func() {
		u.checkin.setWorkshop(f.w.ID)
		u.show(screenCheckIn)
	})
	f.certs = u.button(u.T("workshops.certificates"), theme.DocumentPrintIcon(), func() {
		u.certificates.setWorkshop(f.w.ID)
		u.show(screenCertificates)
	})
	e := func(w fyne.CanvasObject, k string) fyne.CanvasObject { return withError(w, f.errs[k]) }
	form := u.form(
		formRow{u.T("field.title_ar"), e(f.titleAr, safeer.FieldTitleAr)},
		formRow{u.T("field.title_en"), e(f.titleEn, safeer.FieldTitleEn)},
		formRow{u.T("field.topic"), e(f.topic, safeer.FieldTopic)},
		formRow{u.T("field.date"), e(f.date, safeer.FieldDate)},
		formRow{u.T("field.start_time"), e(f.start, safeer.FieldStartTime)},
		formRow{u.T("field.hours"), e(f.hours, safeer.FieldHours)},
		formRow{u.T("field.min_hours"), e(f.minHours, safeer.FieldMinHours)},
		formRow{u.T("field.governorate"), e(f.gov, safeer.FieldGovernorate)},
		formRow{u.T("field.wilayat"), wide(e(f.wilayat, safeer.FieldWilayat))},
		formRow{u.T("field.venue"), e(f.venue, safeer.FieldVenue)},
		formRow{u.T("field.facilitator"), e(f.facilitator, safeer.FieldFacilitator)},
		formRow{u.T("field.capacity"), e(f.capacity, safeer.FieldCapacity)},
		formRow{u.T("field.wstatus"), e(f.status, safeer.FieldStatus)},
	)
	closeBtn := u.button(u.T("button.close"), theme.CancelIcon(), f.close)
	closeBtn.Importance = widget.LowImportance
	f.body = container.NewBorder(u.border(nil, nil, nil, container.NewVBox(f.remove), f.title),
		container.NewVBox(widget.NewSeparator(), f.message, u.row(f.save, f.checkIn, f.certs, closeBtn)),
		nil, nil, container.NewVScroll(form))
	f.empty = u.hint(u.T("workshops.choose"))
	f.content = container.NewStack(f.empty)
	return f
}

func (f *workshopForm) view() fyne.CanvasObject { return f.content }

// newWorkshop opens the form on a new workshop, in the governorate this
// computer is enrolled for (the first, if several), else the last used.
func (f *workshopForm) newWorkshop() {
	u := f.u
	f.edit(safeer.Workshop{
		Date:        time.Now().Format("2006-01-02"),
		Hours:       2,
		Status:      safeer.WorkshopPlanned,
		Governorate: f.w.Governorate,
	})
	u.focus(f.titleAr)
	asOpened := f.gov.Selected
	current := f.govQuery.next()
	background(u, func(ctx context.Context) (string, error) {
		st, err := u.store.SyncState(ctx)
		if err != nil || len(st.Governorates) == 0 {
			return "", err
		}
		return st.Governorates[0], nil
	}, func(gov string, err error) {
		// Not once someone chose a governorate or opened another workshop.
		if !current() || err != nil || gov == "" || f.w.ID != "" || f.gov.Selected != asOpened {
			return
		}
		f.w.Governorate = gov
		edited := f.check.edited // the app's choice, not the coordinator's typing
		f.gov.SetSelected(u.places.govName(u.lang, gov))
		f.check.edited = edited
	})
}

// edit fills the form with w (a new workshop when w.ID is "").
func (f *workshopForm) edit(w safeer.Workshop) {
	u := f.u
	f.w = w
	if w.ID == "" {
		f.title.SetText(u.T("workshops.newtitle"))
		f.checkIn.Hide()
		f.certs.Hide()
		f.remove.Hide()
	} else {
		f.title.SetText(u.lang.pick(w.TitleEn, w.TitleAr))
		f.checkIn.Show()
		f.certs.Show()
		f.remove.Show()
	}
	f.titleAr.SetText(w.TitleAr)
	f.titleEn.SetText(w.TitleEn)
	f.topic.SetText(w.Topic)
	f.date.SetText(w.Date)
	f.start.SetText(w.StartTime)
	f.hours.SetText(numberText(w.Hours))
	f.minHours.SetText(numberText(w.MinHours))
	f.capacity.SetText(numberText(float64(w.Capacity)))
	if w.Governorate != "" {
		f.gov.SetSelected(u.places.govName(u.lang, w.Governorate))
	} else {
		f.gov.ClearSelected()
	}
	if w.Wilayat != "" {
		f.wilayat.SetSelected(u.places.wilayatName(u.lang, w.Governorate, w.Wilayat))
	}
	f.venue.SetText(w.Venue)
	f.facilitator.SetText(w.Facilitator)
	for i, s := range workshopStatuses {
		if s == w.Status {
			f.status.SetSelectedIndex(i)
		}
	}
	f.check.reset()
	f.message.SetText(f.notice.take(w.ID))
	f.content.Objects = []fyne.CanvasObject{f.body}
	f.content.Refresh()
	if f.onShown != nil {
		f.onShown(true)
	}
}

// close puts the form away: the list takes the whole width again.
func (f *workshopForm) close() {
	f.notice = notice{}
	f.content.Objects = []fyne.CanvasObject{f.empty}
	f.content.Refresh()
	if f.onShown != nil {
		f.onShown(false)
	}
}

// numberText writes a number for an entry: "" for 0.
func numberText(v float64) string {
	if v == 0 {
		return ""
	}
	return formatHours(v)
}

// parseNumber reads a number typed with Latin or Arabic-Indic digits ("" is 0).
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(arabic.Digits(s), "٫", "."))
	if s == "" {
		return 0, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// read is the workshop as the form holds it, and every problem with it:
// numbers that are not numbers (a capacity that is not a whole number)
// and what the store's validation finds in the rest.
func (f *workshopForm) read() (safeer.Workshop, error) {
	u := f.u
	w := f.w
	w.TitleAr, w.TitleEn, w.Topic = f.titleAr.Text, f.titleEn.Text, f.topic.Text
	w.Date, w.StartTime = arabic.Digits(f.date.Text), arabic.Digits(f.start.Text)
	w.Venue, w.Facilitator = f.venue.Text, f.facilitator.Text
	w.Governorate = u.places.govCode(u.lang, f.gov.Selected)
	w.Wilayat = ""
	if f.wilayat.SelectedIndex() > 0 {
		w.Wilayat = u.places.wilayatEn(u.lang, w.Governorate, f.wilayat.Selected)
	}
	if i := f.status.SelectedIndex(); i >= 0 {
		w.Status = workshopStatuses[i]
	}
	var bad []data.FieldError
	problem := func(field, msg string) { bad = append(bad, data.FieldError{Field: field, En: msg, Ar: msg}) }
	if v, ok := parseNumber(f.hours.Text); ok {
		w.Hours = v
	} else {
		problem(safeer.FieldHours, u.T("form.number"))
	}
	if v, ok := parseNumber(f.minHours.Text); ok {
		w.MinHours = v
	} else {
		problem(safeer.FieldMinHours, u.T("form.number"))
	}
	if v, ok := parseNumber(f.capacity.Text); ok && v == math.Trunc(v) {
		w.Capacity = int(v)
	} else {
		problem(safeer.FieldCapacity, u.T("form.wholenumber"))
	}
	check := w
	if check.MinHours == 0 { // as AddWorkshop does: the whole workshop
		check.MinHours = check.Hours
	}
	if ve, ok := errorsAsValidation(u.store.ValidateWorkshop(&check)); ok {
		for _, fe := range ve.Errors {
			if !hasField(bad, fe.Field) { // a number not read says so already
				bad = append(bad, fe)
			}
		}
	}
	if len(bad) > 0 {
		return w, &data.ValidationError{Errors: bad}
	}
	return w, nil
}

func hasField(errs []data.FieldError, field string) bool {
	for _, fe := range errs {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// problems shows a validation error's problems next to their fields.
func (f *workshopForm) problems(err error) {
	if rest := f.check.show(err); len(rest) > 0 {
		f.message.SetText(strings.Join(rest, "\n"))
	} else {
		f.message.SetText(f.u.T("form.fix"))
	}
}

func (f *workshopForm) submit() {
	u := f.u
	w, err := f.read()
	if err != nil { // every problem at once, nothing written
		f.problems(err)
		return
	}
	isNew := w.ID == ""
	f.save.Disable()
	background(u, func(ctx context.Context) (safeer.Workshop, error) {
		if isNew {
			return w, u.store.AddWorkshop(ctx, &w)
		}
		return w, u.store.UpdateWorkshop(ctx, &w)
	}, func(w safeer.Workshop, err error) {
		f.save.Enable()
		if err != nil {
			if _, ok := errorsAsValidation(err); ok {
				f.problems(err)
			} else {
				u.showError(u.T("nav.workshops"), err)
			}
			return
		}
		u.changed()
		done := "form.savedname"
		if isNew {
			done = "form.addedname"
		}
		f.notice = notice{w.ID, u.F(done, u.lang.pick(w.TitleEn, w.TitleAr))}
		f.edit(w)
		f.onSaved(w)
	})
}

// confirmDelete asks, then deletes the workshop; one with attendance is
// refused, and the form says why.
func (f *workshopForm) confirmDelete() {
	u := f.u
	w := f.w
	if w.ID == "" {
		return
	}
	title := u.lang.pick(w.TitleEn, w.TitleAr)
	u.askConfirm(u.T("workshops.deletetitle"), u.T("workshops.delete"), u.T("button.cancel"),
		u.wrapped(u.F("workshops.deleteconfirm", title)), func(ok bool) {
			if !ok {
				return
			}
			background(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, u.store.DeleteWorkshop(ctx, w.ID)
			}, func(_ struct{}, err error) {
				if errors.Is(err, data.ErrWorkshopAttended) {
					f.message.SetText(u.words(err))
					return
				}
				if err != nil {
					u.showError(u.T("workshops.deletetitle"), err)
					return
				}
				u.changed()
				f.w = safeer.Workshop{}
				f.close()
				if f.onDeleted != nil {
					f.onDeleted(w)
				}
			})
		})
}
