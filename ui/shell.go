package ui

import (
	"context"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
)

// Screen ids, also the names saved in preferences.
const (
	screenDashboard    = "dashboard"
	screenPeople       = "people"
	screenWorkshops    = "workshops"
	screenCheckIn      = "checkin"
	screenCertificates = "certificates"
	screenSync         = "sync"
	screenSettings     = "settings"
)

var screenOrder = []string{screenDashboard, screenPeople, screenWorkshops, screenCheckIn, screenCertificates, screenSync, screenSettings}

// Preference keys.
const (
	prefWidth     = "window.width"
	prefHeight    = "window.height"
	prefScreen    = "screen"
	prefLanguage  = "language" // "en", "ar", or "" for the system's
	prefCertsDir  = "certificates.folder"
	prefWorkshop  = "checkin.workshop"
	defaultWidth  = 1180
	defaultHeight = 760
)

// screen is one page of the app. Its view is built once per language;
// shown is called each time it comes on screen, to reload what it shows.
type screen interface {
	view() fyne.CanvasObject
	shown()
}

// A screen with a search box focuses it on Ctrl+F.
type finder interface{ focusSearch() }

// A screen that makes things (people, workshops) starts a new one on Ctrl+N.
type creator interface{ create() }

// UI is the app's main window and its screens.
type UI struct {
	ctx    context.Context // New's, cancelled by Close: the screens' work
	outer  context.Context // New's own: when it is done, Run closes the window
	cancel context.CancelFunc
	wg     sync.WaitGroup

	app   fyne.App
	win   fyne.Window
	store Store
	sync  Syncer
	lang  Lang

	current string
	screens map[string]screen
	nav     map[string]*widget.Button
	navBox  *fyne.Container
	body    *fyne.Container
	status  *statusBar

	dashboard    *dashboardScreen
	people       *peopleScreen
	workshops    *workshopsScreen
	checkin      *checkInScreen
	certificates *certificatesScreen
	syncScreen   *syncScreen
	settings     *settingsScreen
	duplicates   *duplicatesScreen

	// dups keeps the roster's look-alike pairs while the roster does not
	// change (dupcount.go). Any goroutine.
	dups dupCache

	// places caches the reference data for the screens' drop-downs.
	places *places
	// warming: the store was asked to build its search index (warmSearch).
	warming bool
	// lock is the lock of an encrypted store (lock.go); nil without one.
	lock *lockState
	// epoch counts the locks: the answer to work asked for before the
	// last one is dropped (background), the screen that asked being gone.
	epoch atomic.Uint64

	// firstRoster is the roster's first page, asked for before the screens
	// are built when the app opens on Ambassadors; the screen's first
	// refresh takes it. Fyne's goroutine only.
	firstRoster *prefetch[data.SearchPage]
}

// New builds the app in window w: navigation, the status bar, the screens;
// with WithLock and an encrypted store, first the lock screen (or the
// first-start one that encrypts a clear store), and the screens once it is
// unlocked.
func New(ctx context.Context, a fyne.App, w fyne.Window, store Store, sync Syncer, opts ...Option) *UI {
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	u := &UI{ctx: ctx, outer: outer, cancel: cancel, app: a, win: w, store: store, sync: sync}
	for _, o := range opts {
		o(u)
	}
	u.places = newPlaces(store)
	switch Lang(a.Preferences().String(prefLanguage)) {
	case English:
		u.lang = English
	case Arabic:
		u.lang = Arabic
	default:
		u.lang = systemLang()
	}
	fyneLanguage(u.lang)
	u.current = a.Preferences().StringWithFallback(prefScreen, screenDashboard)
	if _, ok := screenTitles[u.current]; !ok {
		u.current = screenDashboard
	}
	w.Resize(fyne.NewSize(
		float32(a.Preferences().FloatWithFallback(prefWidth, defaultWidth)),
		float32(a.Preferences().FloatWithFallback(prefHeight, defaultHeight))))
	w.SetCloseIntercept(func() {
		u.saveSize()
		u.Close()
		w.Close()
	})
	u.keyboard()
	u.start() // lock.go: the lock or first-start screen, or open
	return u
}

// warmSearch has the store build its search index now (a second or two at
// 100,000 people), so Ambassadors and Check-in answer at once when the
// coordinator gets there. The roster by name does not wait for it.
func (u *UI) warmSearch() {
	if u.warming {
		return
	}
	u.warming = true
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.LoadSearchIndex(ctx)
	}, func(struct{}, error) {})
}

// Close stops the UI's background work and waits for it.
func (u *UI) Close() {
	u.cancel()
	u.wg.Wait()
}

// T and F translate (see Lang).
func (u *UI) T(key string) string           { return u.lang.T(key) }
func (u *UI) F(key string, a ...any) string { return u.lang.F(key, a...) }
func (u *UI) N(key string, n int) string    { return u.lang.N(key, n) }

// word translates a code from another package (a duplicate reason, a sync
// trigger) by the message "kind.code", or shows the code as it is when
// there is no such message.
func (u *UI) word(kind, code string) string {
	if _, ok := messages[kind+"."+code]; ok {
		return u.T(kind + "." + code)
	}
	return code
}

var screenTitles = map[string]string{
	screenDashboard:    "nav.dashboard",
	screenPeople:       "nav.people",
	screenWorkshops:    "nav.workshops",
	screenCheckIn:      "nav.checkin",
	screenCertificates: "nav.certificates",
	screenSync:         "nav.sync",
	screenSettings:     "nav.settings",
}

// screenIcon is a screen's icon in the navigation (a function: the theme
// exists only once the app does).
func screenIcon(id string) fyne.Resource {
	switch id {
	case screenDashboard:
		return theme.HomeIcon()
	case screenPeople:
		return theme.AccountIcon()
	case screenWorkshops:
		return theme.GridIcon()
	case screenCheckIn:
		return theme.ConfirmIcon()
	case screenCertificates:
		return theme.DocumentPrintIcon()
	case screenSync:
		return theme.ViewRefreshIcon()
	}
	return theme.SettingsIcon()
}

// build makes every screen in the current language and lays out the window:
// navigation on the reading side, the screen, the status bar at the bottom.
func (u *UI) build() {
	if u.status != nil {
		u.status.stop()
	}
	u.win.SetTitle(u.T("app.title"))
	u.dashboard = newDashboardScreen(u)
	u.people = newPeopleScreen(u)
	u.workshops = newWorkshopsScreen(u)
	u.checkin = newCheckInScreen(u)
	u.certificates = newCertificatesScreen(u)
	u.syncScreen = newSyncScreen(u)
	u.settings = newSettingsScreen(u)
	u.duplicates = newDuplicatesScreen(u)
	u.screens = map[string]screen{
		screenDuplicates:   u.duplicates,
		screenDashboard:    u.dashboard,
		screenPeople:       u.people,
		screenWorkshops:    u.workshops,
		screenCheckIn:      u.checkin,
		screenCertificates: u.certificates,
		screenSync:         u.syncScreen,
		screenSettings:     u.settings,
	}
	u.nav = map[string]*widget.Button{}
	buttons := []fyne.CanvasObject{u.appName()}
	for _, id := range screenOrder {
		b := u.button(u.T(screenTitles[id]), screenIcon(id), func() { u.show(id) })
		if u.lang.RTL() {
			b.Alignment = widget.ButtonAlignTrailing
		} else {
			b.Alignment = widget.ButtonAlignLeading
		}
		b.Importance = widget.LowImportance
		u.nav[id] = b
		buttons = append(buttons, b)
	}
	if u.protected() {
		lock := u.button(u.T("lock.now"), theme.VisibilityOffIcon(), u.lockNow)
		lock.Alignment = u.nav[screenDashboard].Alignment
		lock.Importance = widget.LowImportance
		buttons = append(buttons, widget.NewSeparator(), lock)
	}
	u.navBox = container.NewVBox(buttons...)
	side := container.NewBorder(nil, nil, nil, nil, container.NewPadded(u.navBox))
	var sep fyne.CanvasObject = widget.NewSeparator()
	u.body = container.NewStack()
	u.status = newStatusBar(u)
	main := u.border(nil, nil, container.NewHBox(side), nil, u.border(nil, nil, sep, nil, container.NewPadded(u.body)))
	u.win.SetContent(u.watched(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), u.status.view()), nil, nil, main)))
}

// appName is the name at the top of the navigation.
func (u *UI) appName() fyne.CanvasObject {
	name := u.heading(u.T("app.name"))
	name.Alignment = fyne.TextAlignCenter
	name.SizeName = theme.SizeNameSubHeadingText
	return name
}

// show brings screen id forward and remembers it for the next start.
func (u *UI) show(id string) {
	s, ok := u.screens[id]
	if !ok {
		return
	}
	u.current = id
	u.app.Preferences().SetString(prefScreen, id)
	for other, b := range u.nav {
		if other == id || id == screenDuplicates && other == screenPeople { // duplicates are the roster's
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
	u.body.Objects = []fyne.CanvasObject{s.view()}
	u.body.Refresh()
	s.shown()
	if f, ok := s.(finder); ok {
		f.focusSearch()
	}
}

// setLanguage switches language without a restart: every screen is built
// again in the new language and the current one shown.
func (u *UI) setLanguage(l Lang) {
	u.app.Preferences().SetString(prefLanguage, string(l))
	if l == "" {
		l = systemLang()
	}
	if l == u.lang {
		return
	}
	u.lang = l
	fyneLanguage(l)
	u.build()
	u.status.start()
	u.show(u.current)
}

func (u *UI) saveSize() {
	s := u.win.Canvas().Size()
	if s.Width > 100 && s.Height > 100 {
		u.app.Preferences().SetFloat(prefWidth, float64(s.Width))
		u.app.Preferences().SetFloat(prefHeight, float64(s.Height))
	}
}

// The shortcuts: Ctrl+F focuses the screen's search, Ctrl+N starts a new
// person or workshop (Cmd on macOS); keyboard.go has the others.
var (
	shortcutFind = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNew  = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	// shortcutLock locks the app now (with a protected store).
	shortcutLock = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
)

// shortcut runs an app shortcut and reports whether s was one.
func (u *UI) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || u.locked() {
		return false
	}
	u.activity()
	if cs.ShortcutName() == shortcutLock.ShortcutName() {
		u.lockNow()
		return true
	}
	if u.dialogOpen() {
		return false // the dialog's own fields take their keys
	}
	if u.screenShortcut(cs.ShortcutName()) {
		return true
	}
	switch cs.ShortcutName() {
	case shortcutFind.ShortcutName():
		if f, ok := u.screens[u.current].(finder); ok {
			f.focusSearch()
		}
		return true
	case shortcutNew.ShortcutName():
		if c, ok := u.screens[u.current].(creator); ok {
			c.create()
		}
		return true
	}
	return false
}

// entry is the app's single-line text field (rtlEntry: mixed text in
// visual order, right-aligned in Arabic) that passes the app's shortcuts
// on: a focused field would swallow Ctrl+F and Ctrl+N.
type entry struct {
	rtlEntry
	u *UI
}

// entry is a single-line field; placeholder is logical text.
func (u *UI) entry(placeholder string) *entry {
	e := &entry{u: u}
	e.rtlUI = u.lang.RTL()
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedRune(r rune) {
	e.u.activity()
	e.rtlEntry.TypedRune(r)
}

func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if e.u.shortcut(s) {
		return
	}
	e.rtlEntry.TypedShortcut(s)
}

// textArea is the app's multi-line field (a person's notes): rtlArea (mixed
// text in visual order, wrapped, right-aligned in Arabic) that passes the
// app's shortcuts on, as entry does.
type textArea struct {
	rtlArea
	u *UI
}

// textArea is a multi-line field showing at least rows lines.
func (u *UI) textArea(rows int) *textArea {
	e := &textArea{u: u}
	e.rtlUI = u.lang.RTL()
	e.rows = rows
	e.goalX = -1
	e.ExtendBaseWidget(e)
	return e
}

func (e *textArea) TypedRune(r rune) {
	e.u.activity()
	e.rtlArea.TypedRune(r)
}

func (e *textArea) TypedShortcut(s fyne.Shortcut) {
	if e.u.shortcut(s) {
		return
	}
	e.rtlArea.TypedShortcut(s)
}

// focus puts the keyboard in e.
func (u *UI) focus(o fyne.Focusable) {
	if c := u.win.Canvas(); c != nil {
		c.Focus(o)
	}
}

// changed tells the status bar that the outbox may have grown (after a
// local edit), so "changes waiting" stays true.
func (u *UI) changed() {
	if u.sync == nil {
		return
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		u.sync.Refresh(u.ctx)
	}()
}
