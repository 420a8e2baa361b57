package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"
)

// The check-in screen's feedback line is derived, not set: every change of
// what it describes (the workshop chosen, the query and its matches, the
// last action) calls refreshFeedback, which asks checkInFeedback what the
// line says now. A message therefore goes when its state does: "No one
// matches" when the query has matches again, "Choose a workshop first"
// once one is chosen, the last action's message when another workshop is.

// undoWindow is how long an undone check-in can itself be undone from the
// feedback line's Undo.
const undoWindow = 8 * time.Second

// checkInNote is what the last action on the check-in screen said. It
// stays until the next action, and only while its workshop is the chosen
// one.
type checkInNote struct {
	text       string
	importance widget.Importance
	workshopID string
	// redo takes the action back (an undone check-in is checked in
	// again), offered until undoWindow after at.
	redo func()
	at   time.Time
}

// checkInState is what the feedback line describes.
type checkInState struct {
	workshopID string // "" when none is chosen
	query      string // what is in the search box, trimmed
	answered   bool   // the matches are the answer to query
	matches    int
	note       *checkInNote
	now        time.Time
}

// feedback is what the line says, and the action it offers, if any.
type feedback struct {
	text       string
	importance widget.Importance
	redo       func()
}

// checkInFeedback is the feedback line for a state: no workshop chosen
// comes first (nothing can be checked in), then a query that matches
// no one, then the last action's message about this workshop.
func checkInFeedback(l Lang, s checkInState) feedback {
	switch {
	case s.workshopID == "":
		return feedback{text: l.T("checkin.noworkshop"), importance: widget.WarningImportance}
	case s.query != "" && s.answered && s.matches == 0:
		return feedback{text: l.T("checkin.nomatch"), importance: widget.WarningImportance}
	case s.note != nil && s.note.workshopID == s.workshopID:
		f := feedback{text: s.note.text, importance: s.note.importance}
		if s.note.redo != nil && s.now.Sub(s.note.at) < undoWindow {
			f.redo = s.note.redo
		}
		return f
	}
	return feedback{importance: widget.MediumImportance}
}

func (c *checkInScreen) state() checkInState {
	q := strings.TrimSpace(c.search.Text)
	return checkInState{
		workshopID: c.workshopID,
		query:      q,
		answered:   q != "" && c.resultsFor == c.search.Text,
		matches:    len(c.results),
		note:       c.note,
		now:        c.now(),
	}
}

// refreshFeedback shows the feedback line for the current state, and
// comes back when the Undo it offers expires.
func (c *checkInScreen) refreshFeedback() {
	f := checkInFeedback(c.u.lang, c.state())
	c.feedback.Importance = f.importance
	c.feedback.SetText(f.text)
	if c.stopExpiry != nil {
		c.stopExpiry()
		c.stopExpiry = nil
	}
	if f.redo == nil {
		c.redo.Hide()
		return
	}
	c.redo.Show()
	// Not later(): the window must not wait for this timer when it closes.
	u := c.u
	t := time.AfterFunc(undoWindow-c.now().Sub(c.note.at), func() {
		do(func() {
			if u.ctx.Err() == nil {
				c.refreshFeedback()
			}
		})
	})
	c.stopExpiry = func() { t.Stop() }
}

// tell makes msg the last action's message.
func (c *checkInScreen) tell(msg string, importance widget.Importance) {
	c.note = &checkInNote{text: msg, importance: importance, workshopID: c.workshopID, at: c.now()}
	c.refreshFeedback()
}

// tellUndoable is tell, about workshop workshopID, with an Undo that runs
// redo, for undoWindow.
func (c *checkInScreen) tellUndoable(workshopID, msg string, importance widget.Importance, redo func()) {
	c.note = &checkInNote{text: msg, importance: importance, workshopID: workshopID, at: c.now(), redo: redo}
	c.refreshFeedback()
}

// redoTapped is the feedback line's Undo: it runs the note's redo once,
// if it has not expired.
func (c *checkInScreen) redoTapped() {
	f := checkInFeedback(c.u.lang, c.state())
	if f.redo == nil {
		c.refreshFeedback()
		return
	}
	c.note.redo = nil // once
	c.refreshFeedback()
	f.redo()
}
