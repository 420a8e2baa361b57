package ui

import (
	"time"
)

// The idle lock: after the time set in Settings (5, 15, 30 or 60 minutes;
// 15 by default) with no key or pointer activity in the window, the app
// locks (lockNow). Activity is every key typed in the app's fields
// (entry, textArea, secretEntry) or on the window, every shortcut and
// button, and every pointer move over the window or a dialog
// (activitySensor). It only notes the time: the timer is set once for the
// whole idle time and, when it fires, set again for what is left since the
// last activity, but never for more than idleTick: Go's timers do not count
// the time a laptop sleeps, the wall clock does, so a laptop whose lid was
// closed for an hour locks within idleTick of waking, not after what was
// left of the idle time.

// idleChoices are the idle times Settings offers, in minutes.
var idleChoices = []int{5, 15, 30, 60}

// defaultIdleMinutes is the idle time until the coordinator sets another.
const defaultIdleMinutes = 15

// idleTick is the longest the idle timer is set for.
const idleTick = 30 * time.Second

// idleTime is the idle time set in Settings.
func (u *UI) idleTime() time.Duration {
	m := u.app.Preferences().IntWithFallback(prefIdleMinutes, defaultIdleMinutes)
	if m <= 0 {
		m = defaultIdleMinutes
	}
	return time.Duration(m) * time.Minute
}

// setIdleTime keeps the idle time and counts it from the last activity.
func (u *UI) setIdleTime(minutes int) {
	u.app.Preferences().SetInt(prefIdleMinutes, minutes)
	if u.lock != nil && !u.lock.locked && u.lock.stopIdle != nil {
		u.idleCheck()
	}
}

// activity notes a key or pointer event. Fyne's goroutine only.
func (u *UI) activity() {
	if l := u.lock; l != nil && !l.locked {
		l.last = l.clock.Now()
	}
}

// startIdle starts the idle timer from now (the app opened or unlocked);
// nothing without a protected store.
func (u *UI) startIdle() {
	if !u.protected() {
		return
	}
	u.lock.last = u.lock.clock.Now()
	u.armIdle(u.idleTime())
}

func (u *UI) armIdle(d time.Duration) {
	l := u.lock
	d = min(d, idleTick)
	u.stopIdleTimer()
	l.stopIdle = l.clock.AfterFunc(d, func() { do(u.idleCheck) })
}

func (u *UI) stopIdleTimer() {
	if l := u.lock; l != nil && l.stopIdle != nil {
		l.stopIdle()
		l.stopIdle = nil
	}
}

// idleCheck locks if the idle time has passed since the last activity,
// and otherwise sets the timer for what is left.
func (u *UI) idleCheck() {
	l := u.lock
	if l == nil || l.locked || u.ctx.Err() != nil {
		return
	}
	now := l.clock.Now()
	if l.last.After(now) {
		l.last = now // the clock was set back: count from now
	}
	left := l.last.Add(u.idleTime()).Sub(now)
	if left <= 0 {
		u.lockNow()
		return
	}
	u.armIdle(left)
}
