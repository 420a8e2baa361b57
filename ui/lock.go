package ui

// The lock (issue 14, point 3). With a store whose personal fields are
// encrypted (lockStore), the app asks for the passphrase at start and after
// an idle time set in Settings (idle.go's timer, default 15 minutes),
// forgets the key when it locks, and shows nothing personal behind the
// lock: every dialog is closed, the lock screen replaces the whole window
// content (navigation, screen, status bar), and every screen is dropped,
// not hidden: the app keeps no reference to a screen, a list's rows, a
// form or a cache of people (dropScreens), so what they held can be
// collected. After Unlock the screens are built again and the one the
// coordinator was on comes back, where it was (place.go): the same
// person or workshop open, read again from the store. Typing not saved
// when the app locked is dropped, and the screen says so (see
// docs/ARCHITECTURE.md, "The lock"). A clear store (a first start, or an
// upgrade from a version without encryption) gets the first-start screen
// of protect.go instead, which has the coordinator choose the passphrase
// and encrypts the database.

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	catalogue "github.com/oman-sca/safeer/message"
)

// Option changes how New builds the app.
type Option func(*UI)

// WithLock turns the lock on: the store given to New is asked whether it is
// protected and locked (lockStore), and the app locks and unlocks it. A
// store without those methods leaves the app as it was (no lock).
// isWrongPassphrase tells the error Unlock and ChangePassphrase return for
// a wrong passphrase from any other; nil takes the vault's message
// (vault.passphrase.wrong) for it.
func WithLock(isWrongPassphrase func(error) bool) Option {
	return func(u *UI) {
		if ls, ok := u.store.(lockStore); ok {
			withLockStore(ls, isWrongPassphrase)(u)
		}
	}
}

// withLockStore is WithLock with the lockStore given (the tests' own, on a
// real key file).
func withLockStore(ls lockStore, isWrongPassphrase func(error) bool) Option {
	return func(u *UI) {
		if isWrongPassphrase == nil {
			isWrongPassphrase = vaultWrongPassphrase
		}
		u.lock = &lockState{store: ls, isWrong: isWrongPassphrase, clock: realClock{}}
	}
}

// withClock sets the lock's clock (the tests' own).
func withClock(c clock) Option {
	return func(u *UI) {
		if u.lock != nil {
			u.lock.clock = c
		}
	}
}

// vaultWrongPassphrase reports whether err carries the vault's message for
// a wrong passphrase.
func vaultWrongPassphrase(err error) bool {
	m, ok := catalogue.Find(err)
	return ok && m.Code == "vault.passphrase.wrong"
}

// clock is the time as the lock sees it: the idle timer and the back-off
// after wrong passphrases. A variable clock lets the tests move time.
type clock interface {
	Now() time.Time
	// AfterFunc calls f on its own goroutine after d; stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

// Now is the wall clock without its monotonic reading, so durations count
// the time the laptop slept (idle.go).
func (realClock) Now() time.Time { return time.Now().Round(0) }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// lockState is the lock's part of the UI. Fyne's goroutine only.
type lockState struct {
	store   lockStore
	isWrong func(error) bool
	clock   clock

	// locked: the lock screen (or the first-start screen) is up; place
	// is where the coordinator was when the app locked (ids, nothing
	// personal), to go back to after Unlock.
	locked  bool
	place   place
	screen  *lockScreen
	protect *protectScreen

	// last is the last key or pointer activity; stopIdle cancels the idle
	// timer (idle.go).
	last     time.Time
	stopIdle func() bool

	// failures counts the wrong passphrases in a row (kept in the
	// preferences, so quitting does not reset it); no new try before
	// waitUntil.
	failures  int
	waitUntil time.Time
	stopWait  func() bool
}

// Preference keys of the lock.
const (
	prefLockFailures = "lock.failures"
	prefIdleMinutes  = "lock.idleminutes"
)

// locked reports whether the lock screen is up (or the first-start one):
// nothing of the roster may be reached.
func (u *UI) locked() bool { return u.lock != nil && u.lock.locked }

// protected reports whether the app has a lock to lock: a store whose
// personal fields are encrypted.
func (u *UI) protected() bool { return u.lock != nil && u.lock.store.Protected() }

// start shows the window's first content: the lock screen for a locked
// store, the first-start screen for a clear one, the app otherwise.
func (u *UI) start() {
	switch {
	case u.lock == nil:
		u.open()
	case !u.lock.store.Protected():
		u.lock.locked = true
		u.showProtect(func() {
			u.lock.locked = false
			u.open()
		})
	case u.lock.store.Locked():
		u.lock.locked = true
		u.showLock(func() {
			u.lock.locked = false
			u.open()
		})
	default:
		u.open()
	}
}

// open builds the screens and shows the one of last time, with the status
// bar running; the idle timer starts.
func (u *UI) open() {
	if u.current == screenPeople {
		u.firstRoster = prefetchRoster(u) // while the screens are built
	}
	u.build()
	u.status.start()
	u.show(u.current)
	if u.current != screenPeople {
		u.warmSearch()
	} // else once the roster is on screen: building the index would slow its first page down
	u.startIdle()
}

// lockNow locks the app: every dialog closed, the key forgotten, the lock
// screen in place of everything and every screen dropped; Unlock builds
// the screens again and brings back the one the coordinator was on. It
// does nothing without a protected store or when already locked.
func (u *UI) lockNow() {
	l := u.lock
	if l == nil || l.locked || !l.store.Protected() || u.ctx.Err() != nil {
		return
	}
	u.closeOverlays()
	l.store.Lock()
	l.locked = true
	u.epoch.Add(1) // answers on their way to the screens are dropped
	u.stopIdleTimer()
	l.place = place{}
	if s, ok := u.screens[u.current].(resumable); ok {
		l.place = s.place()
	}
	if c := u.win.Canvas(); c != nil {
		c.Unfocus() // the focused field lets go (its cursor, its text)
	}
	u.showLock(func() {
		l.locked = false
		u.open() // the screens again, in the language chosen meanwhile
		if s, ok := u.screens[u.current].(resumable); ok {
			s.restore(l.place)
		}
		l.place = place{}
	})
	u.dropScreens()
}

// dropScreens lets go of every screen and of what the app keeps of the
// roster beside them: the window shows the lock screen, and nothing left
// reaches a screen, its lists' rows, a person's form or their pairs of
// look-alikes. Fyne frees the widgets once they have been out of the
// window for its cache's time (a minute).
func (u *UI) dropScreens() {
	if u.status != nil {
		u.status.stop()
	}
	for _, s := range u.screens {
		if d, ok := s.(dropper); ok {
			d.drop()
		}
	}
	u.screens = nil
	u.dashboard, u.people, u.workshops, u.checkin = nil, nil, nil, nil
	u.certificates, u.syncScreen, u.settings, u.duplicates = nil, nil, nil, nil
	u.nav, u.navBox, u.body, u.status = nil, nil, nil, nil
	u.firstRoster = nil
	u.warming = false // the store forgot its search index with the key
	u.dups.forget()
}

// A screen that runs timers of its own stops them when it is dropped.
type dropper interface{ drop() }

// otherLanguage is a button, named in its own language, that switches the
// lock or first-start screen to the other language (and the app with it):
// a computer whose system speaks English still opens in English.
func (u *UI) otherLanguage() fyne.CanvasObject {
	other := Arabic
	if u.lang == Arabic {
		other = English
	}
	name := ""
	for _, c := range languageChoices {
		if c.lang == other {
			name = c.name
		}
	}
	b := widget.NewButton(displayText(name, other.RTL()), func() { u.setLockedLanguage(other) })
	b.Importance = widget.LowImportance
	return container.NewVBox(b)
}

// setLockedLanguage switches the language from the lock or first-start
// screen: the screen is made again in l, what was typed in it dropped;
// the app's screens follow once unlocked.
func (u *UI) setLockedLanguage(l Lang) {
	u.app.Preferences().SetString(prefLanguage, string(l))
	u.lang = l
	fyneLanguage(l)
	switch lk := u.lock; {
	case lk.protect != nil && !lk.protect.busy:
		u.showProtect(lk.protect.then)
	case lk.screen != nil && !lk.screen.busy:
		u.showLock(lk.screen.then)
	}
}

// closeOverlays closes every dialog, pop-up and menu on the window, the
// file chooser too: what they show may be personal.
func (u *UI) closeOverlays() {
	ov := u.win.Canvas().Overlays()
	for top := ov.Top(); top != nil; top = ov.Top() {
		top.Hide()
		ov.Remove(top)
	}
}

// lockScreen is what the window shows while locked: the app's name, a
// passphrase field and Unlock; nothing else of the app.
type lockScreen struct {
	u       *UI
	pass    *secretEntry
	unlock  *widget.Button
	message *label
	busy    bool
	then    func()
	content fyne.CanvasObject
}

// showLock puts the lock screen in the window; then runs once the store is
// unlocked.
func (u *UI) showLock(then func()) {
	s := &lockScreen{u: u, then: then}
	s.pass = u.secret()
	s.pass.OnSubmitted = func(string) { s.tryUnlock() }
	s.unlock = u.button(u.T("lock.unlock"), theme.LoginIcon(), s.tryUnlock)
	s.unlock.Importance = widget.HighImportance
	s.message = u.wrapped("")
	s.message.Importance = widget.DangerImportance
	s.message.Hide()
	name := u.heading(u.T("app.name"))
	name.Alignment = fyne.TextAlignCenter
	name.SizeName = theme.SizeNameHeadingText
	forgot := u.wrapped(u.T("lock.forgot"))
	forgot.SizeName = theme.SizeNameCaptionText
	card := container.NewVBox(
		u.border(nil, nil, nil, u.otherLanguage(), name),
		u.wrapped(u.T("lock.help")),
		u.form(formRow{u.T("lock.passphrase"), s.pass}),
		u.answers(s.unlock, layout.NewSpacer()),
		s.message,
		forgot,
	)
	s.content = u.centred(card, 460)
	u.lock.screen = s
	u.win.SetTitle(u.T("app.title"))
	u.win.SetContent(s.content)
	u.focus(s.pass)
	u.lock.failures = u.app.Preferences().Int(prefLockFailures)
	s.waitIfNeeded()
}

// tryUnlock unlocks the store with the passphrase typed, off Fyne's
// goroutine (argon2id takes about half a second).
func (s *lockScreen) tryUnlock() {
	u, l := s.u, s.u.lock
	if s.busy || s.pass.Text == "" || s.waiting() {
		return
	}
	pass := s.pass.Text
	s.busy = true
	s.unlock.Disable()
	s.pass.Disable()
	s.say(u.T("lock.unlocking"), widget.MediumImportance)
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, l.store.Unlock(ctx, pass)
	}, func(_ struct{}, err error) {
		s.busy = false
		s.pass.SetText("")
		s.pass.Enable()
		s.unlock.Enable()
		if err == nil {
			l.failures = 0
			u.app.Preferences().SetInt(prefLockFailures, 0)
			l.screen = nil
			s.then()
			return
		}
		u.focus(s.pass)
		if !l.isWrong(err) {
			s.say(u.words(err), widget.DangerImportance)
			return
		}
		l.failures++
		u.app.Preferences().SetInt(prefLockFailures, l.failures)
		if d := backoff(l.failures); d > 0 {
			l.waitUntil = l.clock.Now().Add(d)
		}
		if !s.waitIfNeeded() {
			s.say(u.T("lock.wrong"), widget.DangerImportance)
		}
	})
}

// backoff is how long to wait after n wrong passphrases in a row: nothing
// for the first two (a typo), then 5 s doubling up to a minute.
func backoff(n int) time.Duration {
	if n < 3 {
		return 0
	}
	d := 5 * time.Second << min(n-3, 4)
	return min(d, time.Minute)
}

// waiting reports whether a new try must still wait.
func (s *lockScreen) waiting() bool {
	return s.u.lock.clock.Now().Before(s.u.lock.waitUntil)
}

// waitIfNeeded disables Unlock until the back-off is over, saying so, and
// reports whether it must wait.
func (s *lockScreen) waitIfNeeded() bool {
	u, l := s.u, s.u.lock
	left := l.waitUntil.Sub(l.clock.Now())
	if left <= 0 {
		return false
	}
	s.unlock.Disable()
	s.say(u.N("lock.wait", int((left+time.Second-1)/time.Second)), widget.DangerImportance)
	if l.stopWait != nil {
		l.stopWait()
	}
	l.stopWait = l.clock.AfterFunc(left, func() {
		do(func() {
			if l.screen != s || s.waiting() {
				return
			}
			s.unlock.Enable()
			s.say(u.T("lock.tryagain"), widget.MediumImportance)
		})
	})
	return true
}

func (s *lockScreen) say(msg string, imp widget.Importance) {
	s.message.Importance = imp
	s.message.set(msg)
}

// centred lays content out in the middle of the window, width wide (or
// the window's width if narrower), scrolling if the window is too low.
func (u *UI) centred(content fyne.CanvasObject, width float32) fyne.CanvasObject {
	return container.NewVScroll(container.New(&centredLayout{width: width}, content))
}

// centredLayout puts its one object in the middle, at most width wide, at
// the height it needs for that width.
type centredLayout struct{ width float32 }

func (c *centredLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding() * 4
	w := min(c.width, size.Width-2*pad)
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		h := o.MinSize().Height // a wrapped label knows its height once it has its width
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, max(pad, (size.Height-h)/2)))
	}
}

func (c *centredLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding() * 4
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(2*pad+min(c.width, 320), h+2*pad)
}

// secretEntry is a passphrase field: Fyne's password entry (the
// passphrase is a secret shown as dots, never Arabic text to shape), which
// counts as activity for the idle lock.
type secretEntry struct {
	widget.Entry
	u *UI
}

func (u *UI) secret() *secretEntry {
	e := &secretEntry{u: u}
	e.Password = true
	e.ExtendBaseWidget(e)
	return e
}

func (e *secretEntry) TypedRune(r rune) {
	e.u.activity()
	e.Entry.TypedRune(r)
}

func (e *secretEntry) TypedKey(k *fyne.KeyEvent) {
	e.u.activity()
	e.Entry.TypedKey(k)
}

// activitySensor is an invisible object under the window's content and
// each dialog's content (u.watched) that tells the idle lock the pointer
// moved: Fyne's desktop driver asks every object under the pointer for its
// cursor (desktop.Cursorable) at each pointer move, the window's content
// or the dialog on top. It takes no event from anything above it.
type activitySensor struct {
	widget.BaseWidget
	seen func()
}

func newActivitySensor(seen func()) *activitySensor {
	s := &activitySensor{seen: seen}
	s.ExtendBaseWidget(s)
	return s
}

func (s *activitySensor) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

// Cursor is called at each pointer move over the sensor: activity.
func (s *activitySensor) Cursor() desktop.Cursor {
	s.seen()
	return desktop.DefaultCursor
}

// watched lays an activity sensor under content.
func (u *UI) watched(content fyne.CanvasObject) *fyne.Container {
	return container.NewStack(newActivitySensor(u.activity), content)
}
