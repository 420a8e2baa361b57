package ui

import "fyne.io/fyne/v2/widget"

// Where the coordinator was when the app locked. Locking drops every
// screen (lock.go): what a screen showed is gone, and after Unlock the
// screens are built again. The screen the coordinator was on comes back
// where it was: the roster with its filters and scrolled as it was, the
// person or workshop that was open opened again, read from the store, the
// check-in's and the certificates' workshop, the walk-in form open again. The app
// keeps only ids through the lock, nothing personal: not the search typed
// (a name, a phone), not a form's fields.
//
// Typing not saved when the app locked (a person's form, a workshop's, a
// walk-in) is dropped with the screen: keeping it would keep personal data
// in memory behind the lock, which the store can no longer encrypt (its
// key is forgotten), and deferring the lock would leave a laptop open for
// as long as a half-typed form stays on screen. The form comes back as it
// was last saved (or empty, for a new one), and says that the changes were
// dropped and need typing again.

// place is where a screen was when the app locked.
type place struct {
	id      string // the record open: a person, a workshop; "" for none
	newForm bool   // the form of a new record (person, workshop, walk-in) was open
	unsaved bool   // the form open had typing not saved, dropped
	// filters are the drop-downs' choices (the roster's governorate,
	// wilayat and status), by index; offset is how far the list was
	// scrolled.
	filters []int
	offset  float32
}

// resumable is a screen that goes back, after Unlock, where it was.
type resumable interface {
	// place is where the screen is now.
	place() place
	// restore goes back to p, the screen being shown.
	restore(p place)
}

var (
	_ resumable = (*peopleScreen)(nil)
	_ resumable = (*workshopsScreen)(nil)
	_ resumable = (*checkInScreen)(nil)
	_ resumable = (*certificatesScreen)(nil)
)

// isOpen reports whether the person's form is on screen.
func (p *personPanel) isOpen() bool {
	return len(p.content.Objects) == 1 && p.content.Objects[0] == p.body
}

// place of the roster: its filters and how far it was scrolled, and the
// person open; not the search typed (a name, a phone).
func (p *peopleScreen) place() place {
	pl := place{filters: []int{p.gov.SelectedIndex(), p.wilayat.SelectedIndex(), p.status.SelectedIndex()},
		offset: p.list.GetScrollOffset()}
	if d := p.detail; d.isOpen() {
		pl.id, pl.newForm, pl.unsaved = d.person.ID, d.person.ID == "", d.check.edited
	}
	return pl
}

func (p *peopleScreen) restore(pl place) {
	if len(pl.filters) == 3 {
		if i := pl.filters[0]; i > 0 && i < len(p.gov.Options) {
			p.gov.SetSelectedIndex(i) // the wilayats follow
		}
		if i := pl.filters[1]; i > 0 && i < len(p.wilayat.Options) {
			p.wilayat.SetSelectedIndex(i)
		}
		if i := pl.filters[2]; i > 0 && i < len(p.status.Options) {
			p.status.SetSelectedIndex(i)
		}
	}
	p.scrollTo = pl.offset // once the roster is there
	d := p.detail
	note := ""
	if pl.unsaved {
		note = p.u.T("lock.dropped")
	}
	switch {
	case pl.id != "":
		d.notice = notice{pl.id, note}
		d.open(pl.id)
	case pl.newForm:
		p.create()
		d.message.SetText(note)
	}
}

func (s *workshopsScreen) place() place {
	f := s.form
	if len(f.content.Objects) != 1 || f.content.Objects[0] != f.body {
		return place{}
	}
	return place{id: f.w.ID, newForm: f.w.ID == "", unsaved: f.check.edited}
}

func (s *workshopsScreen) restore(pl place) {
	note := ""
	if pl.unsaved {
		note = s.u.T("lock.dropped")
	}
	switch {
	case pl.id != "":
		s.form.notice = notice{pl.id, note}
		s.reload(pl.id)
	case pl.newForm:
		s.create()
		s.form.message.SetText(note)
	}
}

func (c *checkInScreen) place() place {
	f := c.walkIn
	if !f.content.Visible() {
		return place{id: c.workshopID}
	}
	return place{id: c.workshopID, newForm: true, unsaved: f.name.Text != "" || f.phone.Text != ""}
}

// restore chooses the workshop again (the list of workshops, on its way,
// selects it) and opens the walk-in form again.
func (c *checkInScreen) restore(pl place) {
	if pl.id != "" {
		c.workshopID = pl.id
	}
	if !pl.newForm {
		return
	}
	c.walkIn.open()
	if pl.unsaved {
		c.tell(c.u.T("lock.dropped"), widget.WarningImportance)
	}
}

func (c *certificatesScreen) place() place { return place{id: c.workshopID} }

func (c *certificatesScreen) restore(pl place) {
	if pl.id != "" && pl.id != c.workshopID {
		c.setWorkshop(pl.id)
		c.loadWorkshops()
	}
}

// drop stops the timer of the feedback line's Undo.
func (c *checkInScreen) drop() {
	if c.stopExpiry != nil {
		c.stopExpiry()
		c.stopExpiry = nil
	}
}
