package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/sync/client"
)

// statusBar is always at the bottom of the window: online or not, changes
// waiting, the last successful sync, conflicts waiting. Tapping it opens the
// Sync screen. It follows the client's status through Subscribe.
type statusBar struct {
	u *UI

	light     *canvas.Circle
	online    *label
	waiting   *label
	last      *label
	conflicts *label
	conflSep  *label
	content   fyne.CanvasObject

	st   client.Status
	done chan struct{}
}

func newStatusBar(u *UI) *statusBar {
	s := &statusBar{u: u}
	s.light = dot(theme.Color(theme.ColorNameDisabled))
	s.online = u.label("")
	s.waiting = u.label("")
	s.last = u.label("")
	s.conflicts = u.label("")
	s.conflicts.Importance = widget.DangerImportance
	sep := func() *label { return u.label("·") }
	s.conflSep = sep()
	s.content = newTapArea(u.row(
		container.NewCenter(fixedSize(s.light, 12, 12)), s.online, sep(),
		s.waiting, sep(), s.last, s.conflSep, s.conflicts,
	), func() { u.show(screenSync) })
	return s
}

func (s *statusBar) view() fyne.CanvasObject { return s.content }

// start follows the client's status until stop (or the window closes); a
// ticker keeps "5 minutes ago" true.
func (s *statusBar) start() {
	u := s.u
	if u.sync == nil {
		s.online.SetText(u.T("status.nosync"))
		return
	}
	s.done = make(chan struct{})
	ch, unsubscribe := u.sync.Subscribe()
	s.set(u.sync.Status())
	done := s.done
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer unsubscribe()
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case st, ok := <-ch:
				if !ok {
					return
				}
				do(func() {
					select {
					case <-done:
					default:
						s.set(st)
					}
				})
			case <-tick.C:
				do(func() { s.set(s.st) })
			case <-done:
				return
			case <-u.ctx.Done():
				return
			}
		}
	}()
	u.changed() // read the counts now
}

func (s *statusBar) stop() {
	if s.done != nil {
		close(s.done)
		s.done = nil
	}
}

// set shows st, and hands it to the screens that show sync.
func (s *statusBar) set(st client.Status) {
	u := s.u
	s.st = st
	var light color.Color
	switch {
	case st.Revoked:
		light = theme.Color(theme.ColorNameError)
		s.online.SetText(u.T("status.revoked"))
	case !st.Enrolled:
		light = theme.Color(theme.ColorNameDisabled)
		s.online.SetText(u.T("status.notenrolled"))
	case st.Running:
		light = theme.Color(theme.ColorNamePrimary)
		s.online.SetText(u.T("status.syncing"))
	case st.Offline():
		light = theme.Color(theme.ColorNameError)
		s.online.SetText(u.T("status.offline"))
	case st.Online:
		light = theme.Color(theme.ColorNameSuccess)
		s.online.SetText(u.T("status.online"))
	default:
		light = theme.Color(theme.ColorNameDisabled)
		s.online.SetText(u.T("status.unknown"))
	}
	s.light.FillColor = light
	s.light.Refresh()
	s.waiting.SetText(u.N("status.waiting", st.OpsWaiting))
	if st.LastSync.IsZero() {
		s.last.SetText(u.T("status.never"))
	} else {
		s.last.SetText(u.F("status.last", u.ago(st.LastSync)))
	}
	if st.ConflictsWaiting > 0 {
		s.conflicts.SetText(u.N("status.conflicts", st.ConflictsWaiting))
		s.conflicts.Show()
		s.conflSep.Show()
	} else {
		s.conflicts.Hide()
		s.conflSep.Hide()
	}
	if u.syncScreen != nil {
		u.syncScreen.statusChanged(st)
	}
}

// ago says how long ago t was, in words.
func (u *UI) ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return u.T("time.now")
	case d < time.Hour:
		return u.N("time.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return u.N("time.hours", int(d/time.Hour))
	case d < 30*24*time.Hour:
		return u.N("time.days", int(d/(24*time.Hour)))
	}
	return u.date(t)
}

// date is a calendar date as people read it.
func (u *UI) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02")
}

// dateTime is a date and time of day.
func (u *UI) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}
