package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
)

// formCheck shows every problem of a form at once, each next to its field,
// and takes each away as its field is corrected: once a save was refused,
// every change checks the form again (in memory, with the store's own
// validation) and clears the messages of the fields that are now right.
// It never adds a message while someone types; only Save does.
type formCheck struct {
	u        *UI
	errs     map[string]*label
	aliases  map[string]string // a field the store names → the one on screen
	validate func() error      // the form's problems as it is now
	onClear  func()            // every message is gone
	checking bool
	// edited: a field changed since the form was filled (reset), so it
	// may hold typing not saved (place.go).
	edited bool
}

// show puts err's problems next to their fields and returns those no field
// took; from now on changes recheck.
func (c *formCheck) show(err error) []string {
	c.checking = true
	return c.u.fieldErrors(err, c.errs, c.aliases)
}

// reset clears every message: the form holds another record.
func (c *formCheck) reset() {
	c.checking = false
	c.edited = false
	for _, e := range c.errs {
		e.set("")
	}
}

// recheck keeps the message of each field still wrong (as it reads now)
// and clears the others.
func (c *formCheck) recheck() {
	if !c.checking {
		return
	}
	now := map[string]string{}
	var ve *data.ValidationError
	if errors.As(c.validate(), &ve) {
		for _, fe := range ve.Errors {
			f := fe.Field
			if a, ok := c.aliases[f]; ok {
				f = a
			}
			msg := c.u.lang.pick(fe.En, fe.Ar)
			if prev := now[f]; prev != "" {
				msg = prev + " " + msg
			}
			now[f] = msg
		}
	}
	left := false
	for f, l := range c.errs {
		if !l.Visible() {
			continue
		}
		l.set(now[f])
		left = left || now[f] != ""
	}
	if !left {
		c.checking = false
		if c.onClear != nil {
			c.onClear()
		}
	}
}

// watch rechecks the form when any of these entries or selects changes,
// after what they already do on a change.
func (c *formCheck) watch(objs ...fyne.CanvasObject) {
	for _, o := range objs {
		switch x := o.(type) {
		case *entry:
			prev := x.OnChanged
			x.OnChanged = func(s string) {
				if prev != nil {
					prev(s)
				}
				c.edited = true
				c.recheck()
			}
		case *textArea:
			prev := x.OnChanged
			x.OnChanged = func(s string) {
				if prev != nil {
					prev(s)
				}
				c.edited = true
				c.recheck()
			}
		case *widget.Select:
			prev := x.OnChanged
			x.OnChanged = func(s string) {
				if prev != nil {
					prev(s)
				}
				c.edited = true
				c.recheck()
			}
		}
	}
}

// notice is a message a form shows while it holds record id: it survives
// the form being filled again with the same record (the list reselects a
// saved row), and goes when another record is opened.
type notice struct{ id, text string }

// take returns the text meant for id; for another record it forgets it.
func (n *notice) take(id string) string {
	if n.id != id {
		*n = notice{}
	}
	return n.text
}
