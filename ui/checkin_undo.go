package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
)

// Undoing a check-in. The Undo buttons sit in a column under the pointer,
// so an undone row stays where it was, marked undone with its button
// disabled, until the list is next read (the next check-in, another
// workshop): a second click lands on the same, dead, button, not on the
// next person's. A check-in with a live certificate asks first and offers
// to revoke it. The undo itself can be undone from the feedback line for
// undoWindow.

// undo takes a check-in back, asking first if it has a live certificate.
func (c *checkInScreen) undo(r data.AttendanceRecord) {
	if c.undone[r.ID] {
		return
	}
	u := c.u
	background(u, func(ctx context.Context) ([]data.CertificateRow, error) {
		return u.store.LiveCertificates(ctx, r.ID)
	}, func(certs []data.CertificateRow, err error) {
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		if len(certs) == 0 {
			c.unattend(r, false, "")
			return
		}
		c.askUndo(r, certs)
	})
}

// undoDialog is the question asked before undoing a check-in that has a
// certificate (for the tests).
type undoDialog struct {
	dialog dialog.Dialog
	revoke *widget.Check
	reason *entry
}

// askUndo asks whether to undo a check-in whose certificates are live,
// offering to revoke them with a reason already filled in.
func (c *checkInScreen) askUndo(r data.AttendanceRecord, certs []data.CertificateRow) {
	u := c.u
	var codes []string
	for _, cert := range certs {
		codes = append(codes, certificate.FormatCode(cert.Code))
	}
	name := personLine(u.lang, r.Person.NameEn, r.Person.NameAr)
	q := &undoDialog{}
	q.reason = u.entry(u.T("certs.reasonph"))
	q.reason.SetText(u.T("checkin.undoreason"))
	q.revoke = widget.NewCheck(u.text(u.T("checkin.undorevoke")), func(on bool) {
		if on {
			q.reason.Enable()
		} else {
			q.reason.Disable()
		}
	})
	q.revoke.SetChecked(true)
	content := container.NewVBox(
		u.wrapped(u.F("checkin.undocert", name, strings.Join(codes, ", "))),
		u.row(q.revoke),
		u.form(formRow{u.T("certs.reason"), q.reason}),
	)
	q.dialog = u.confirm(u.T("checkin.undotitle"), u.T("checkin.undotitle"), u.T("button.cancel"), content, func(ok bool) {
		c.asked = nil
		if ok {
			c.unattend(r, q.revoke.Checked, strings.TrimSpace(q.reason.Text))
		}
		c.focusSearch()
	})
	q.dialog.Resize(fyne.NewSize(540, 280))
	c.asked = q
	q.dialog.Show()
}

// unattend undoes the check-in, revoking its live certificates with
// reason when revoke, and marks the row undone in place.
func (c *checkInScreen) unattend(r data.AttendanceRecord, revoke bool, reason string) {
	u := c.u
	background(u, func(ctx context.Context) ([]data.CertificateRow, error) {
		if revoke {
			return u.store.UnattendRevoking(ctx, r.WorkshopID, r.PersonID, reason)
		}
		return nil, u.store.Unattend(ctx, r.WorkshopID, r.PersonID)
	}, func(revoked []data.CertificateRow, err error) {
		if err != nil {
			u.showError(u.T("nav.checkin"), err)
			return
		}
		if r.WorkshopID == c.workshopID {
			c.undone[r.ID] = true
			delete(c.presentIDs, r.PersonID)
			c.presentBox.Refresh()
			c.resultList.Refresh()
			c.showCounter()
		}
		name := personLine(u.lang, r.Person.NameEn, r.Person.NameAr)
		msg := u.F("checkin.undone", name)
		if len(revoked) > 0 {
			var codes []string
			for _, cert := range revoked {
				codes = append(codes, certificate.FormatCode(cert.Code))
			}
			msg = u.F("checkin.undonerevoked", name, strings.Join(codes, ", "))
		}
		// About r's workshop: if another was chosen meanwhile, the line
		// does not show it there.
		c.tellUndoable(r.WorkshopID, msg, widget.MediumImportance, func() { c.reattend(r, len(revoked) > 0) })
		u.changed()
	})
}

// reattend undoes an undo: the person is checked in again with the hours
// and time they had.
func (c *checkInScreen) reattend(r data.AttendanceRecord, revoked bool) {
	u := c.u
	a := r.Attendance
	a.Deleted = false
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.Attend(ctx, &a)
	}, func(_ struct{}, err error) {
		if err != nil {
			c.tell(u.words(err), widget.DangerImportance)
			return
		}
		name := personLine(u.lang, r.Person.NameEn, r.Person.NameAr)
		if revoked {
			c.tell(u.F("checkin.redonecert", name), widget.WarningImportance)
		} else {
			c.tell(u.F("checkin.redone", name), widget.SuccessImportance)
		}
		c.loadAttendance()
		u.changed()
	})
}

// bindUndo sets a present row's Undo button for r: dead and saying so once
// r is undone.
func (c *checkInScreen) bindUndo(b *widget.Button, r data.AttendanceRecord) {
	if c.undone[r.ID] {
		b.SetText(c.u.text(c.u.T("checkin.undonerow")))
		b.OnTapped = nil
		b.Disable()
		return
	}
	b.SetText(c.u.text(c.u.T("checkin.undo")))
	b.OnTapped = func() { c.undo(r) }
	b.Enable()
}

// showCounter says how many are present (undone rows not counted).
func (c *checkInScreen) showCounter() {
	u := c.u
	if c.workshopID == "" {
		c.counter.SetText("")
		return
	}
	n := 0
	for _, r := range c.present {
		if !c.undone[r.ID] {
			n++
		}
	}
	w, _ := c.workshop()
	if w.Capacity > 0 {
		c.counter.SetText(u.F("checkin.counter.cap", n, w.Capacity))
	} else {
		c.counter.SetText(u.F("checkin.counter.nocap", n))
	}
}
