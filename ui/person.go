package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/roster"
)

// personPanel shows one person: the form (validation messages next to the
// fields), a warning while a new person looks like someone already on the
// roster, and their attendance history with the hours.
type personPanel struct {
	u       *UI
	onSaved func(id string)
	onShown func(open bool) // the form came forward (or went away)

	person safeer.Person // as loaded; ID "" for a new person

	title        *label
	kind         *widget.Select
	nameAr       *entry
	nameEn       *entry
	gender       *widget.Select
	civilID      *entry
	phone        *entry
	email        *entry
	gov          *widget.Select
	wilayat      *widget.Select
	organisation *entry
	expertise    *entry
	joinedOn     *entry
	status       *widget.Select
	notes        *textArea
	errs         map[string]*label
	check        *formCheck
	message      *label
	notice       notice // shown once the saved person is loaded again

	dups        *duplicateWarning
	history     *fyne.Container
	historyCols *table
	hours       *label
	save        *widget.Button
	remove      *widget.Button
	body        fyne.CanvasObject
	empty       fyne.CanvasObject
	content     *fyne.Container
	loading     bool // filling the form: changes are not the user's typing
	openQuery   latest
}

func newPersonPanel(u *UI, onSaved func(id string)) *personPanel {
	p := &personPanel{u: u, onSaved: onSaved}
	p.historyCols = u.table(
		column{header: u.T("col.title"), grow: 1},
		column{header: u.T("col.date"), samples: []string{"2026-12-31"}},
		column{samples: []string{u.T("attendance.present"), u.T("attendance.absent"), u.T("attendance.excused")}},
		column{samples: []string{u.F("hours.n", "10.5")}},
	)
	p.title = u.heading("")
	p.title.SizeName = theme.SizeNameSubHeadingText
	p.kind = u.selectBox([]string{u.T("kind.ambassador"), u.T("kind.guest")}, nil)
	p.nameAr = u.entry("")
	p.nameEn = u.entry("")
	p.gender = u.selectBox([]string{u.T("gender.none"), u.T("gender.male"), u.T("gender.female")}, nil)
	p.civilID = u.entry("")
	p.phone = u.entry("9xxxxxxx")
	p.email = u.entry("")
	p.gov = u.selectBox(u.places.govNames(u.lang), nil)
	p.wilayat = u.selectBox(nil, nil)
	p.gov.OnChanged = func(string) {
		p.wilayat.Options = append([]string{u.T("wilayat.none")}, u.places.wilayatNames(u.lang, u.places.govCode(u.lang, p.gov.Selected))...)
		p.wilayat.ClearSelected()
		p.typed()
	}
	p.organisation = u.entry("")
	p.expertise = u.entry("")
	p.joinedOn = u.entry(u.T("form.dateformat"))
	p.status = u.selectBox([]string{u.T("status.active"), u.T("status.inactive")}, nil)
	p.notes = u.textArea(3)
	for _, e := range []*entry{p.nameAr, p.nameEn, p.civilID, p.phone, p.email} {
		e.OnChanged = func(string) { p.typed() }
	}
	p.errs = map[string]*label{}
	for _, f := range []string{
		safeer.FieldKind, safeer.FieldNameAr, safeer.FieldNameEn, safeer.FieldGender, safeer.FieldCivilID,
		safeer.FieldPhone, safeer.FieldEmail, safeer.FieldGovernorate, safeer.FieldWilayat, safeer.FieldOrganisation,
		safeer.FieldExpertise, safeer.FieldJoinedOn, safeer.FieldStatus, safeer.FieldNotes,
	} {
		p.errs[f] = u.fieldError()
	}
	p.message = u.wrapped("")
	p.check = &formCheck{u: u, errs: p.errs, aliases: map[string]string{"name": safeer.FieldNameAr},
		validate: func() error { x := p.read(); return u.store.ValidatePerson(&x) },
		onClear:  func() { p.message.SetText("") }}
	p.check.watch(p.kind, p.nameAr, p.nameEn, p.gender, p.civilID, p.phone, p.email, p.gov, p.wilayat,
		p.organisation, p.expertise, p.joinedOn, p.status, p.notes)
	p.dups = newDuplicateWarning(u)
	p.save = u.button(u.T("button.save"), theme.DocumentSaveIcon(), p.submit)
	p.save.Importance = widget.HighImportance
	p.remove = u.button(u.T("person.delete"), theme.DeleteIcon(), p.confirmDelete)
	p.history = container.NewVBox()
	p.hours = u.label("")

	f := func(w fyne.CanvasObject, field string) fyne.CanvasObject { return withError(w, p.errs[field]) }
	form := u.form(
		formRow{u.T("field.kind"), f(p.kind, safeer.FieldKind)},
		formRow{u.T("field.name_ar"), f(p.nameAr, safeer.FieldNameAr)},
		formRow{u.T("field.name_en"), f(p.nameEn, safeer.FieldNameEn)},
		formRow{u.T("field.phone"), f(p.phone, safeer.FieldPhone)},
		formRow{u.T("field.civil_id"), f(p.civilID, safeer.FieldCivilID)},
		formRow{u.T("field.email"), f(p.email, safeer.FieldEmail)},
		formRow{u.T("field.governorate"), f(p.gov, safeer.FieldGovernorate)},
		formRow{u.T("field.wilayat"), f(p.wilayat, safeer.FieldWilayat)},
		formRow{u.T("field.gender"), f(p.gender, safeer.FieldGender)},
		formRow{u.T("field.organisation"), f(p.organisation, safeer.FieldOrganisation)},
		formRow{u.T("field.expertise"), f(p.expertise, safeer.FieldExpertise)},
		formRow{u.T("field.joined_on"), f(p.joinedOn, safeer.FieldJoinedOn)},
		formRow{u.T("field.status"), f(p.status, safeer.FieldStatus)},
		formRow{u.T("field.notes"), f(p.notes, safeer.FieldNotes)},
	)
	closeBtn := u.button(u.T("button.close"), theme.CancelIcon(), p.close)
	closeBtn.Importance = widget.LowImportance
	p.body = container.NewBorder(
		container.NewVBox(p.title, p.dups.view()),
		container.NewVBox(widget.NewSeparator(), p.message, u.row(p.save, p.remove, closeBtn)),
		nil, nil,
		container.NewVScroll(container.NewVBox(
			form,
			widget.NewSeparator(),
			u.heading(u.T("person.history")),
			p.hours,
			p.history,
		)),
	)
	p.empty = u.hint(u.T("person.choose"))
	p.content = container.NewStack(p.empty)
	return p
}

func (p *personPanel) view() fyne.CanvasObject { return p.content }

func (p *personPanel) showForm() {
	p.content.Objects = []fyne.CanvasObject{p.body}
	p.content.Refresh()
	if p.onShown != nil {
		p.onShown(true)
	}
}

// close puts the panel away: the roster takes the whole width again.
func (p *personPanel) close() {
	p.notice = notice{}
	p.person = safeer.Person{}
	p.content.Objects = []fyne.CanvasObject{p.empty}
	p.content.Refresh()
	if p.onShown != nil {
		p.onShown(false)
	}
}

// newPerson clears the form for a new person, in the governorate last used.
func (p *personPanel) newPerson() {
	gov := p.person.Governorate
	p.person = safeer.Person{Governorate: gov, Status: safeer.StatusActive, Kind: safeer.KindAmbassador}
	p.fill()
	p.dups.dismissed = map[string]bool{} // a new form: warn again
	p.dups.personID = ""
	p.title.SetText(p.u.T("person.newtitle"))
	p.remove.Hide()
	p.history.RemoveAll()
	p.hours.SetText("")
	p.showForm()
	p.u.focus(p.nameAr)
}

// open loads a person, their attendance and the people they look like.
func (p *personPanel) open(id string) {
	type loaded struct {
		person     safeer.Person
		attendance []data.AttendanceRecord
		dups       []data.Match
	}
	current := p.openQuery.next()
	background(p.u, func(ctx context.Context) (loaded, error) {
		var l loaded
		var err error
		if l.person, err = p.u.store.Person(ctx, id); err != nil {
			return l, err
		}
		if l.attendance, err = p.u.store.PersonAttendance(ctx, id); err != nil {
			return l, err
		}
		dups, err := p.u.store.DuplicateCandidates(ctx, l.person)
		if err != nil {
			return l, err
		}
		// Not the people the coordinator said are someone else (on the
		// Duplicates screen or with "Different person" here).
		notSame, err := p.u.store.NotSamePairs(ctx)
		for _, d := range dups {
			if d.ID != id && !notSame[data.NewPairKey(id, d.ID)] {
				l.dups = append(l.dups, d)
			}
		}
		return l, err
	}, func(l loaded, err error) {
		if !current() {
			return
		}
		if err != nil {
			p.u.showError(p.u.T("person.title"), err)
			return
		}
		p.person = l.person
		p.fill()
		p.title.SetText(p.u.lang.pick(l.person.NameEn, l.person.NameAr))
		p.remove.Show()
		p.showHistory(l.attendance)
		p.dups.personID = l.person.ID
		p.dups.show(l.dups, p.sameAsExisting, false)
		p.showForm()
	})
}

// fill puts p.person in the form.
func (p *personPanel) fill() {
	u := p.u
	p.loading = true
	defer func() { p.loading = false }()
	x := p.person
	if x.Kind == safeer.KindGuest {
		p.kind.SetSelectedIndex(1)
	} else {
		p.kind.SetSelectedIndex(0)
	}
	p.nameAr.SetText(x.NameAr)
	p.nameEn.SetText(x.NameEn)
	switch x.Gender {
	case "male":
		p.gender.SetSelectedIndex(1)
	case "female":
		p.gender.SetSelectedIndex(2)
	default:
		p.gender.SetSelectedIndex(0)
	}
	p.civilID.SetText(x.CivilID)
	p.phone.SetText(x.Phone)
	p.email.SetText(x.Email)
	if x.Governorate != "" {
		p.gov.SetSelected(u.places.govName(u.lang, x.Governorate))
	} else {
		p.gov.ClearSelected()
	}
	if x.Wilayat != "" {
		p.wilayat.SetSelected(u.places.wilayatName(u.lang, x.Governorate, x.Wilayat))
	} else {
		p.wilayat.ClearSelected()
	}
	p.organisation.SetText(x.Organisation)
	p.expertise.SetText(x.Expertise)
	p.joinedOn.SetText(x.JoinedOn)
	if x.Status == safeer.StatusInactive {
		p.status.SetSelectedIndex(1)
	} else {
		p.status.SetSelectedIndex(0)
	}
	p.notes.SetText(x.Notes)
	p.check.reset()
	p.message.SetText(p.notice.take(x.ID))
	p.dups.show(nil, nil, false)
}

// read is the person as the form holds it.
func (p *personPanel) read() safeer.Person {
	u := p.u
	x := p.person
	x.Kind = safeer.KindAmbassador
	if p.kind.SelectedIndex() == 1 {
		x.Kind = safeer.KindGuest
	}
	x.NameAr, x.NameEn = p.nameAr.Text, p.nameEn.Text
	switch p.gender.SelectedIndex() {
	case 1:
		x.Gender = "male"
	case 2:
		x.Gender = "female"
	default:
		x.Gender = ""
	}
	x.CivilID, x.Phone, x.Email = p.civilID.Text, p.phone.Text, p.email.Text
	x.Governorate = u.places.govCode(u.lang, p.gov.Selected)
	x.Wilayat = ""
	if p.wilayat.SelectedIndex() > 0 {
		x.Wilayat = u.places.wilayatEn(u.lang, x.Governorate, p.wilayat.Selected)
	}
	x.Organisation, x.Expertise, x.JoinedOn = p.organisation.Text, p.expertise.Text, p.joinedOn.Text
	x.Status = safeer.StatusActive
	if p.status.SelectedIndex() == 1 {
		x.Status = safeer.StatusInactive
	}
	x.Notes = p.notes.Text
	return x
}

// typed looks, a moment after the typing stops, for people on the roster
// who look like the new person being typed.
func (p *personPanel) typed() {
	if p.loading || p.person.ID != "" {
		return
	}
	p.dups.check(p.read(), "", p.sameAsExisting)
}

// sameAsExisting handles "this is the same person" for match m. For a new
// person, what was typed completes the existing record (empty fields only)
// and that record is opened instead of making a second one. For a person on
// the roster, m is merged into them.
func (p *personPanel) sameAsExisting(m data.Match) {
	u := p.u
	if p.person.ID == "" {
		typed := p.read()
		background(u, func(ctx context.Context) (string, error) {
			_, err := u.store.CompletePerson(ctx, m.ID, typed)
			return m.ID, err
		}, func(id string, err error) {
			if err != nil {
				u.showError(u.T("person.title"), err)
				return
			}
			u.changed()
			p.notice = notice{id, u.F("form.savedname", personLine(u.lang, m.NameEn, m.NameAr))}
			p.onSaved(id)
			p.open(id)
		})
		return
	}
	into := p.person
	msg := u.F("merge.confirm", u.lang.pick(m.NameEn, m.NameAr), u.lang.pick(into.NameEn, into.NameAr))
	u.askConfirm(u.T("merge.title"), u.T("merge.yes"), u.T("button.cancel"), u.wrapped(msg), func(ok bool) {
		if !ok {
			return
		}
		background(u, func(ctx context.Context) (struct{}, error) {
			_, err := u.store.MergePeople(ctx, m.ID, into.ID, nil) // the defaults: nothing non-empty dropped
			return struct{}{}, err
		}, func(_ struct{}, err error) {
			if err != nil {
				u.showError(u.T("merge.title"), err)
				return
			}
			u.changed()
			p.notice = notice{into.ID, u.F("merge.done", personLine(u.lang, m.NameEn, m.NameAr), personLine(u.lang, into.NameEn, into.NameAr))}
			p.onSaved(into.ID)
			p.open(into.ID)
		})
	})
}

// submit saves the form; problems appear next to their fields.
func (p *personPanel) submit() {
	u := p.u
	x := p.read()
	isNew := x.ID == ""
	// Every problem at once, before anything is written.
	v := x
	if err := u.store.ValidatePerson(&v); err != nil {
		p.problems(err)
		return
	}
	p.save.Disable()
	background(u, func(ctx context.Context) (safeer.Person, error) {
		if isNew {
			return x, u.store.AddPerson(ctx, &x)
		}
		return x, u.store.UpdatePerson(ctx, &x)
	}, func(x safeer.Person, err error) {
		p.save.Enable()
		if err != nil {
			if _, ok := errorsAsValidation(err); ok {
				p.problems(err)
			} else {
				u.showError(u.T("person.title"), err)
			}
			return
		}
		u.changed()
		p.person = x
		done := "form.savedname"
		if isNew {
			done = "form.addedname"
		}
		p.notice = notice{x.ID, u.F(done, personLine(u.lang, x.NameEn, x.NameAr))}
		p.message.SetText(p.notice.text)
		p.onSaved(x.ID)
		p.open(x.ID)
	})
}

// problems shows a validation error's problems next to their fields.
func (p *personPanel) problems(err error) {
	if rest := p.check.show(err); len(rest) > 0 {
		p.message.SetText(strings.Join(rest, "\n"))
	} else {
		p.message.SetText(p.u.T("form.fix"))
	}
}

func (p *personPanel) confirmDelete() {
	u := p.u
	x := p.person
	if x.ID == "" {
		return
	}
	u.askConfirm(u.T("person.delete"), u.T("person.delete"), u.T("button.cancel"),
		u.wrapped(u.F("person.deleteconfirm", u.lang.pick(x.NameEn, x.NameAr))), func(ok bool) {
			if !ok {
				return
			}
			background(u, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, u.store.DeletePerson(ctx, x.ID)
			}, func(_ struct{}, err error) {
				if err != nil {
					u.showError(u.T("person.delete"), err)
					return
				}
				u.changed()
				p.close()
				p.onSaved("")
			})
		})
}

// showHistory lists the workshops a person attended and their hours.
func (p *personPanel) showHistory(rows []data.AttendanceRecord) {
	u := p.u
	p.history.RemoveAll()
	var total float64
	for _, r := range rows {
		if r.Status == safeer.Present {
			total += r.Hours
		}
		cells := []*label{u.cell(), u.cell(), u.cell(), u.cell()}
		cells[0].SetText(u.lang.pick(r.Workshop.TitleEn, r.Workshop.TitleAr))
		cells[1].SetText(r.Workshop.Date)
		cells[2].SetText(u.attendanceWord(r.Status))
		cells[3].SetText(u.F("hours.n", formatHours(r.Hours)))
		p.history.Add(p.historyCols.row(cells[0], cells[1], cells[2], cells[3]))
	}
	if len(rows) == 0 {
		p.history.Add(u.label(u.T("person.nohistory")))
	}
	p.hours.SetText(u.F("person.totalhours", len(rows), formatHours(total)))
}

// attendanceWord is an attendance status in words.
func (u *UI) attendanceWord(s string) string {
	switch s {
	case safeer.Present:
		return u.T("attendance.present")
	case safeer.Absent:
		return u.T("attendance.absent")
	case safeer.Excused:
		return u.T("attendance.excused")
	}
	return s
}

// formatHours writes hours without needless decimals: 3, 2.5.
func formatHours(h float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", h), "0"), ".")
}

// duplicateWarning says, while a person is typed, who on the roster they
// look like and why, with "this is the same person" and "different person"
// for each. It checks a moment after the typing stops, off Fyne's goroutine.
type duplicateWarning struct {
	u         *UI
	box       *fyne.Container
	list      *fyne.Container
	title     *label
	stop      func() // cancels the pending check
	queries   latest
	dismissed map[string]bool // "different person", for this form
	matches   []data.Match
	onSame    func(data.Match)
	newPerson bool
	personID  string // the person on the roster the warning is about, if any
}

func newDuplicateWarning(u *UI) *duplicateWarning {
	d := &duplicateWarning{u: u, dismissed: map[string]bool{}}
	d.title = u.heading(u.T("dup.title"))
	d.title.Importance = widget.WarningImportance
	d.list = container.NewVBox()
	d.box = container.NewVBox(widget.NewSeparator(), d.title, d.list, widget.NewSeparator())
	d.box.Hide()
	return d
}

func (d *duplicateWarning) view() fyne.CanvasObject { return d.box }

// visible reports whether a warning is on screen.
func (d *duplicateWarning) visible() bool { return d.box.Visible() && len(d.matches) > 0 }

// check looks for people like x (but not exceptID), a moment from now.
func (d *duplicateWarning) check(x safeer.Person, exceptID string, onSame func(data.Match)) {
	u := d.u
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
	current := d.queries.next()
	if strings.TrimSpace(x.NameAr+x.NameEn+x.Phone+x.CivilID+x.Email) == "" {
		d.show(nil, nil, true)
		return
	}
	d.stop = later(u, dupDelay, func(ctx context.Context) ([]data.Match, error) {
		y := x
		u.store.ValidatePerson(&y) // canonical phone and governorate; problems are the form's business
		if y.Phone == "" || !strings.HasPrefix(y.Phone, "+") {
			y.Phone = "" // not a phone yet: no match on half a number
		}
		ms, err := u.store.DuplicateCandidates(ctx, y)
		var out []data.Match
		for _, m := range ms {
			if m.ID != exceptID {
				out = append(out, m)
			}
		}
		return out, err
	}, func(ms []data.Match, err error) {
		if !current() || err != nil {
			return
		}
		d.show(ms, onSame, true)
	})
}

// markNotSame keeps "Different person" said of two people on the roster,
// as the Duplicates screen's "Not the same person" does: neither the
// warning nor the Duplicates screen offers the pair again.
func (d *duplicateWarning) markNotSame(a, b string) {
	u := d.u
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.MarkNotSame(ctx, a, b)
	}, func(_ struct{}, err error) {
		if err != nil {
			u.showError(u.T("dup.different"), err)
		}
	})
}

// dupDelay is how long typing must pause before a duplicate check.
var dupDelay = 250 * time.Millisecond

// show lists matches (those not dismissed) or hides the warning.
func (d *duplicateWarning) show(ms []data.Match, onSame func(data.Match), newPerson bool) {
	u := d.u
	d.onSame, d.newPerson = onSame, newPerson
	var keep []data.Match
	for _, m := range ms {
		if !d.dismissed[m.ID] {
			keep = append(keep, m)
		}
	}
	d.matches = keep
	if ms == nil && newPerson {
		d.dismissed = map[string]bool{}
	}
	d.list.RemoveAll()
	if len(d.matches) == 0 {
		d.box.Hide()
		return
	}
	if newPerson {
		d.title.SetText(u.T("dup.title"))
	} else {
		d.title.SetText(u.T("dup.titleexisting"))
	}
	for _, m := range d.matches {
		var why []string
		for _, r := range m.Reasons {
			why = append(why, u.lang.pick(roster.Reason(r).Sentence()))
		}
		name := personLine(u.lang, m.NameEn, m.NameAr)
		same := u.button(u.T("dup.same"), theme.ConfirmIcon(), func() {
			if d.onSame != nil {
				d.onSame(m)
			}
		})
		same.Importance = widget.WarningImportance
		different := u.button(u.T("dup.different"), theme.CancelIcon(), func() {
			d.dismissed[m.ID] = true
			d.show(d.matches, d.onSame, d.newPerson)
			if !d.newPerson && d.personID != "" {
				d.markNotSame(d.personID, m.ID)
			}
		})
		d.list.Add(container.NewVBox(
			u.wrapped(name),
			u.wrapped(strings.Join(why, u.T("list.sep"))),
			u.row(same, different),
		))
	}
	d.box.Show()
	d.box.Refresh()
}
