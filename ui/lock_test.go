package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/vault"
)

// vaultLock is the tests' lockStore: a real key file of package vault in a
// temporary folder, with cheap argon2id parameters. It protects no data
// itself (the store beside it stays clear): what the tests check is what
// the app does with the lock: which screen, which words, which calls.
type vaultLock struct {
	path    string
	rows    int // Protect reports this many rows done
	mu      sync.Mutex
	key     *vault.Key
	unlocks atomic.Int32
}

// errTestWrong stands for the store's own error for a wrong passphrase
// (data.ErrWrongPassphrase): the app must know it through the function
// WithLock is given, not by its text.
var errTestWrong = errors.New("test: wrong passphrase")

func isTestWrong(err error) bool { return errors.Is(err, errTestWrong) }

var cheapParams = vault.Params{Time: 1, MemoryKiB: 64, Threads: 1}

const testPassphrase = "قهوة في نزوى 2026"

// newVaultLock is a lock on a clear store (no key file yet).
func newVaultLock(t *testing.T) *vaultLock {
	return &vaultLock{path: filepath.Join(t.TempDir(), "safeer.key"), rows: 250}
}

// protectedLock is a lock whose key file exists, locked.
func protectedLock(t *testing.T) *vaultLock {
	t.Helper()
	v := newVaultLock(t)
	kf, k, err := vault.Create(testPassphrase, cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	k.Forget()
	if err := vault.Save(v.path, kf); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *vaultLock) Protected() bool {
	_, err := os.Stat(v.path)
	return err == nil
}

func (v *vaultLock) Locked() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.Protected() && v.key == nil
}

func (v *vaultLock) Protect(ctx context.Context, passphrase string, progress func(done, total int)) error {
	kf, k, err := vault.Create(passphrase, cheapParams)
	if err != nil {
		return err
	}
	for i := 1; i <= v.rows; i++ {
		if err := ctx.Err(); err != nil {
			k.Forget()
			return err
		}
		progress(i, v.rows)
	}
	if err := vault.Save(v.path, kf); err != nil {
		k.Forget()
		return err
	}
	v.mu.Lock()
	v.key = k
	v.mu.Unlock()
	return nil
}

func (v *vaultLock) wrong(err error) error {
	if vaultWrongPassphrase(err) {
		return fmt.Errorf("%w: %w", errTestWrong, err)
	}
	return err
}

func (v *vaultLock) Unlock(ctx context.Context, passphrase string) error {
	v.unlocks.Add(1)
	kf, err := vault.Load(v.path)
	if err != nil {
		return err
	}
	k, err := kf.Unlock(passphrase)
	if err != nil {
		return v.wrong(err)
	}
	v.mu.Lock()
	v.key = k
	v.mu.Unlock()
	return nil
}

func (v *vaultLock) Lock() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key != nil {
		v.key.Forget()
		v.key = nil
	}
}

func (v *vaultLock) ChangePassphrase(ctx context.Context, old, new string) error {
	kf, err := vault.Load(v.path)
	if err != nil {
		return err
	}
	if err := kf.ChangePassphrase(old, new, cheapParams); err != nil {
		return v.wrong(err)
	}
	return vault.Save(v.path, kf)
}

var _ lockStore = (*vaultLock)(nil)

// fakeClock is the lock's clock in the tests: time moves when Advance says.
// Its timers run on a time of their own (mono), as Go's do on the
// monotonic clock: Sleep moves the wall clock alone (a laptop asleep, or
// a clock set), Advance both.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	mono   time.Duration
	timers []*fakeTimer
}

type fakeTimer struct {
	at   time.Duration
	f    func()
	done bool
}

// Sleep moves the wall clock by d (negative: set back) and fires nothing.
func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.mono + d, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.done
		t.done = true
		return was
	}
}

// Advance moves the time on by d, firing each timer when its time comes
// (in order, the time moved to it) and running what it queued for Fyne's
// goroutine before the next: timers set by those are fired too if due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.mono + d
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && t.at <= end && (next == nil || t.at < next.at) {
				next = t
			}
		}
		if next == nil {
			c.now = c.now.Add(end - c.mono)
			c.mono = end
			c.mu.Unlock()
			pump()
			return
		}
		c.now = c.now.Add(next.at - c.mono)
		c.mono = next.at
		next.done = true
		c.mu.Unlock()
		next.f()
		pump()
	}
}

// newLockUI opens the app on s with the lock ls and the clock clk, in
// language l, at size.
func newLockUI(t *testing.T, s *data.Store, l Lang, size fyne.Size, ls lockStore, clk clock, setup ...func(fyne.Preferences)) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(lightTheme{})
	a.Preferences().SetString(prefLanguage, string(l))
	a.Preferences().SetString(prefCertsDir, t.TempDir())
	for _, f := range setup {
		f(a.Preferences())
	}
	w := test.NewTempWindow(t, nil)
	quiet := client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	u := New(context.Background(), a, w, s, client.New(s, quiet), withLockStore(ls, isTestWrong), withClock(clk))
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	w.Resize(size)
	settle(u)
	return u
}

// personal is what of testPeople must never be on the lock screen.
func personal() []string {
	var out []string
	for _, p := range testPeople {
		for _, v := range []string{p.NameAr, p.NameEn, p.Phone} {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkNothingBehind fails if the window shows anything of the app behind
// the lock: a person, a screen's name, a dialog.
func checkNothingBehind(t *testing.T, u *UI) {
	t.Helper()
	if u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is still open over the lock screen")
	}
	text := allText(u.win.Content())
	for _, s := range personal() {
		if strings.Contains(text, s) || strings.Contains(text, u.text(s)) {
			t.Fatalf("%q is on the lock screen:\n%s", s, text)
		}
	}
	for _, id := range screenOrder {
		if findButton(u.win.Content(), u.T(screenTitles[id])) != nil {
			t.Fatalf("the navigation (%s) is on the lock screen:\n%s", id, text)
		}
	}
}

// typeUnlock types passphrase on the lock screen and presses Enter.
func typeUnlock(t *testing.T, u *UI, passphrase string) {
	t.Helper()
	s := u.lock.screen
	if s == nil {
		t.Fatal("no lock screen")
	}
	s.pass.SetText(passphrase)
	s.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "the answer to Unlock", func() bool { return !s.busy })
}

// TestLockAtStart: a locked store opens on the lock screen, with nothing
// of the roster; a wrong passphrase says so in Arabic and changes nothing;
// the right one opens the app on the screen of last time.
func TestLockAtStart(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	ls := protectedLock(t)
	clk := newFakeClock()
	u := newLockUI(t, s, Arabic, fyne.NewSize(1024, 600), ls, clk)
	if u.screens != nil || u.lock.screen == nil {
		t.Fatal("the screens were built before the store was unlocked")
	}
	checkNothingBehind(t, u)
	if !strings.Contains(allText(u.win.Content()), u.text(u.T("app.name"))) {
		t.Fatal("the lock screen does not name the app")
	}
	u.shortcut(shortcutScreens[1]) // Ctrl+2: nothing behind the lock
	if u.screens != nil {
		t.Fatal("a shortcut reached the app behind the lock")
	}

	typeUnlock(t, u, "not the passphrase")
	if !ls.Locked() || u.lock.screen == nil {
		t.Fatal("a wrong passphrase unlocked")
	}
	msg := u.lock.screen.message
	if !msg.Visible() || msg.Logical() != dropIsolates(u.T("lock.wrong")) || !hasArabic(msg.Logical()) {
		t.Fatalf("wrong passphrase says %q", msg.Logical())
	}
	if u.lock.screen.pass.Text != "" {
		t.Fatal("the wrong passphrase stays in the field")
	}
	checkNothingBehind(t, u)

	typeUnlock(t, u, testPassphrase)
	if ls.Locked() || u.locked() || u.screens == nil {
		t.Fatalf("not unlocked: store locked %v, app locked %v", ls.Locked(), u.locked())
	}
	eventually(t, "the dashboard", func() bool { return u.current == screenDashboard && u.nav[screenDashboard] != nil })
	if findButton(u.win.Content(), u.T("nav.people")) == nil {
		t.Fatal("the app is not on screen after Unlock")
	}
	if u.app.Preferences().Int(prefLockFailures) != 0 {
		t.Fatal("the failures were not forgotten after Unlock")
	}
}

// TestLockUnreadableKeyFile: an error other than a wrong passphrase is said
// in words from the message catalogue, not as a wrong passphrase.
func TestLockUnreadableKeyFile(t *testing.T) {
	ls := protectedLock(t)
	if err := os.WriteFile(ls.path, []byte("{not a key file"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := newLockUI(t, testStore(t), English, fyne.NewSize(1024, 600), ls, newFakeClock())
	typeUnlock(t, u, testPassphrase)
	got := u.lock.screen.message.Logical()
	if got == dropIsolates(u.T("lock.wrong")) || !strings.Contains(got, ls.path) {
		t.Fatalf("a damaged key file says %q", got)
	}
}

// TestLockBackoff: after the third wrong passphrase in a row, Unlock waits
// (5 s, doubling), says how long, and does not even try before then; the
// count survives a restart of the app.
func TestLockBackoff(t *testing.T) {
	ls := protectedLock(t)
	clk := newFakeClock()
	u := newLockUI(t, testStore(t), English, fyne.NewSize(1366, 768), ls, clk)
	for i := 1; i <= 3; i++ {
		typeUnlock(t, u, fmt.Sprintf("wrong passphrase %d", i))
	}
	s := u.lock.screen
	if !s.unlock.Disabled() {
		t.Fatal("Unlock is not held back after three wrong passphrases")
	}
	if want := dropIsolates(u.N("lock.wait", 5)); s.message.Logical() != want {
		t.Fatalf("message %q, want %q", s.message.Logical(), want)
	}
	tries := ls.unlocks.Load()
	s.pass.SetText(testPassphrase)
	s.tryUnlock()
	pump()
	if ls.unlocks.Load() != tries || !ls.Locked() {
		t.Fatal("Unlock was tried during the back-off")
	}
	clk.Advance(4 * time.Second)
	if !s.unlock.Disabled() {
		t.Fatal("the back-off ended early")
	}
	clk.Advance(time.Second)
	if s.unlock.Disabled() || s.message.Logical() != u.T("lock.tryagain") {
		t.Fatalf("after the back-off: disabled %v, %q", s.unlock.Disabled(), s.message.Logical())
	}
	typeUnlock(t, u, "wrong passphrase 4")
	if want := dropIsolates(u.N("lock.wait", 10)); s.message.Logical() != want {
		t.Fatalf("fourth: %q, want %q", s.message.Logical(), want)
	}
	if n := u.app.Preferences().Int(prefLockFailures); n != 4 {
		t.Fatalf("%d failures kept", n)
	}
	// Quitting and starting again does not start the count again.
	again := newLockUI(t, testStore(t), English, fyne.NewSize(1366, 768), ls, clk, func(p fyne.Preferences) {
		p.SetInt(prefLockFailures, 4)
	})
	typeUnlock(t, again, "wrong passphrase 5")
	if want := dropIsolates(again.N("lock.wait", 20)); again.lock.screen.message.Logical() != want {
		t.Fatalf("fifth, after a restart: %q, want %q", again.lock.screen.message.Logical(), want)
	}
	for n, want := range map[int]time.Duration{1: 0, 2: 0, 3: 5 * time.Second, 4: 10 * time.Second, 6: 40 * time.Second, 7: time.Minute, 50: time.Minute} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// unlockedUI opens the app on a protected, unlocked store.
func unlockedUI(t *testing.T, l Lang) (*UI, *vaultLock, *fakeClock) {
	return unlockedUIAt(t, l, fyne.NewSize(1366, 768))
}

func unlockedUIAt(t *testing.T, l Lang, size fyne.Size) (*UI, *vaultLock, *fakeClock) {
	t.Helper()
	s := testStore(t)
	addPeople(t, s, testPeople...)
	ls := protectedLock(t)
	clk := newFakeClock()
	u := newLockUI(t, s, l, size, ls, clk)
	typeUnlock(t, u, testPassphrase)
	settle(u)
	return u, ls, clk
}

// TestIdleLock: the app locks after the idle time with no activity, not
// before; activity (typing in a field, the pointer over the window) puts it
// off; locking closes the dialogs and forgets the key; Unlock brings back
// the screen the coordinator was on.
func TestIdleLock(t *testing.T) {
	u, ls, clk := unlockedUI(t, English)
	u.show(screenPeople)
	eventually(t, "the roster", func() bool { return strings.Contains(allText(u.win.Content()), "Fatima Al Zadjali") })

	clk.Advance(14 * time.Minute)
	if u.locked() {
		t.Fatal("locked before the idle time")
	}
	test.Type(u.people.search, "F") // typing is activity
	clk.Advance(14 * time.Minute)
	if u.locked() {
		t.Fatal("locked though the coordinator typed 14 minutes ago")
	}
	// The pointer moving over the window is activity too: Fyne asks the
	// sensor under the content for its cursor.
	var sensor *activitySensor
	if c, ok := u.win.Content().(*fyne.Container); ok && len(c.Objects) == 2 {
		sensor, _ = c.Objects[0].(*activitySensor)
	}
	if sensor == nil {
		t.Fatal("no activity sensor under the window's content")
	}
	sensor.Cursor()
	clk.Advance(14 * time.Minute)
	if u.locked() {
		t.Fatal("locked though the pointer moved 14 minutes ago")
	}
	u.askConfirm("A question", "Yes", "No", u.wrapped("Fatima Al Zadjali"), nil)
	if !hasSensor(u.win.Canvas().Overlays().Top()) {
		t.Fatal("no activity sensor in the dialog: Fyne walks only the dialog on top")
	}
	clk.Advance(time.Minute)
	if !u.locked() || !ls.Locked() {
		t.Fatalf("not locked after 15 idle minutes: app %v, store %v", u.locked(), ls.Locked())
	}
	checkNothingBehind(t, u)

	typeUnlock(t, u, testPassphrase)
	if u.locked() || ls.Locked() || u.current != screenPeople {
		t.Fatalf("after Unlock: locked %v, screen %s", u.locked(), u.current)
	}
	eventually(t, "the roster again", func() bool { return strings.Contains(allText(u.win.Content()), "Fatima Al Zadjali") })
	// The idle time counts again from the unlock.
	clk.Advance(15*time.Minute - time.Second)
	if u.locked() {
		t.Fatal("locked early after Unlock")
	}
	clk.Advance(time.Second)
	if !u.locked() {
		t.Fatal("the idle lock did not come back after Unlock")
	}
}

// TestIdleTimeSetting: Settings offers 5, 15, 30 and 60 minutes (15 at
// first); a shorter choice takes effect from the last activity.
func TestIdleTimeSetting(t *testing.T) {
	u, _, clk := unlockedUI(t, Arabic)
	u.show(screenSettings)
	sec := u.settings.security
	if sec == nil {
		t.Fatal("no security settings with an encrypted store")
	}
	if sec.idle.Selected != u.N("idle.minutes", 15) || len(sec.idle.Options) != len(idleChoices) {
		t.Fatalf("idle choices %q, selected %q", sec.idle.Options, sec.idle.Selected)
	}
	clk.Advance(4 * time.Minute)
	sec.idle.SetSelectedIndex(0) // 5 minutes
	if u.idleTime() != 5*time.Minute {
		t.Fatalf("idle time %v", u.idleTime())
	}
	clk.Advance(time.Minute - time.Second)
	if u.locked() {
		t.Fatal("locked early")
	}
	clk.Advance(time.Second)
	if !u.locked() {
		t.Fatal("not locked 5 minutes after the last activity")
	}
}

// TestLockNow: the navigation's Lock and Ctrl+L lock at once; without an
// encrypted store there is no Lock and no security settings.
func TestLockNow(t *testing.T) {
	u, ls, _ := unlockedUI(t, English)
	u.show(screenWorkshops)
	tapButton(t, u.win.Content(), u.T("lock.now"))
	if !u.locked() || !ls.Locked() {
		t.Fatal("Lock did not lock")
	}
	typeUnlock(t, u, testPassphrase)
	if u.current != screenWorkshops {
		t.Fatalf("back on %s", u.current)
	}
	u.shortcut(shortcutLock)
	if !u.locked() {
		t.Fatal("Ctrl+L did not lock")
	}

	plain := newTestUI(t, testStore(t), English)
	if plain.settings.security != nil || strings.Contains(allText(plain.win.Content()), plain.T("lock.now")) {
		t.Fatal("a Lock without an encrypted store")
	}
	plain.shortcut(shortcutLock)
	if plain.locked() {
		t.Fatal("Ctrl+L locked an app with nothing to lock")
	}
}

// tapButton taps the visible button under o whose text is text.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	b := findButton(o, text)
	if b == nil {
		t.Fatalf("no button %q", text)
	}
	test.Tap(b)
	pump()
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if o == nil || !o.Visible() {
		return nil
	}
	switch x := o.(type) {
	case *widget.Button:
		if dropIsolates(x.Text) == dropIsolates(text) || x.Text == displayText(text, true) {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// TestProtectFirstStart: a clear store opens on the first-start screen,
// which refuses a short passphrase and two that differ, then encrypts with
// a progress bar off Fyne's goroutine and opens the app.
func TestProtectFirstStart(t *testing.T) {
	s := testStore(t)
	addPeople(t, s, testPeople...)
	ls := newVaultLock(t)
	u := newLockUI(t, s, Arabic, fyne.NewSize(1024, 600), ls, newFakeClock())
	checkNothingBehind(t, u)
	text := allText(u.win.Content())
	for _, key := range []string{"protect.title", "protect.hq"} {
		if !strings.Contains(dropIsolates(text), strings.Fields(dropIsolates(u.T(key)))[0]) {
			t.Fatalf("the first start lacks %s:\n%s", key, text)
		}
	}
	ps := u.lock.protect
	ps.pass.SetText("قصير")
	if ps.strength.Logical() != dropIsolates(u.F("protect.short", vault.MinPassphraseRunes)) {
		t.Fatalf("strength of a short one: %q", ps.strength.Logical())
	}
	ps.protect()
	if ps.busy || ls.Protected() || ps.message.Logical() != dropIsolates(u.F("protect.short", vault.MinPassphraseRunes)) {
		t.Fatalf("a short passphrase: busy %v, %q", ps.busy, ps.message.Logical())
	}
	ps.pass.SetText(testPassphrase)
	if ps.strength.Logical() != u.T("protect.strong") {
		t.Fatalf("strength of %d runes: %q", len([]rune(testPassphrase)), ps.strength.Logical())
	}
	ps.again.SetText(testPassphrase + "!")
	ps.protect()
	if ps.busy || ls.Protected() || ps.message.Logical() != u.T("protect.mismatch") {
		t.Fatalf("two different: %q", ps.message.Logical())
	}
	ps.again.SetText(testPassphrase)
	ps.again.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !ps.busy || !ps.bar.Visible() || !ps.button.Disabled() {
		t.Fatal("no progress while encrypting")
	}
	eventually(t, "protected", func() bool { return !ps.busy })
	if !ls.Protected() || ls.Locked() || u.locked() || u.screens == nil {
		t.Fatalf("after Protect: protected %v, locked %v, app locked %v", ls.Protected(), ls.Locked(), u.locked())
	}
	if ps.bar.Value != 1 {
		t.Fatalf("the bar ends at %v", ps.bar.Value)
	}
	if fi, err := os.Stat(ls.path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
}

// TestProtectProgress: Protect's progress reaches the bar through Fyne's
// goroutine once a percent, however many rows.
func TestProtectProgress(t *testing.T) {
	u := newLockUI(t, testStore(t), English, fyne.NewSize(1024, 600), newVaultLock(t), newFakeClock())
	ps := u.lock.protect
	progress := ps.progress()
	pump()
	for i := 1; i <= 100000; i++ {
		progress(i, 100000)
		if i == 50000 {
			uiQueue.mu.Lock()
			n := len(uiQueue.fns)
			uiQueue.mu.Unlock()
			if n != 51 { // 0 % to 50 %
				t.Fatalf("%d updates queued for half the rows", n)
			}
			pump()
			if ps.bar.Value != 0.5 {
				t.Fatalf("bar at %v halfway", ps.bar.Value)
			}
		}
	}
	pump()
	if ps.bar.Value != 1 {
		t.Fatalf("bar at %v at the end", ps.bar.Value)
	}
}

// TestChangePassphrase: Settings' change of passphrase refuses a wrong
// current one in words and keeps the dialog open, refuses two new ones that
// differ, then rewraps the key: the new passphrase unlocks, the old no more.
func TestChangePassphrase(t *testing.T) {
	u, ls, _ := unlockedUI(t, Arabic)
	u.show(screenSettings)
	sec := u.settings.security
	tapButton(t, u.win.Content(), u.T("settings.changepass"))
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	entries := overlaySecrets(u)
	if len(entries) != 3 {
		t.Fatalf("%d passphrase fields", len(entries))
	}
	const newPass = "شاي بالهيل في صور"
	submit := func(old, pass, again string) string {
		entries[0].SetText(old)
		entries[1].SetText(pass)
		entries[2].SetText(again)
		entries[2].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		settle(u)
		eventually(t, "the answer", func() bool {
			return findButton(u.win.Canvas().Overlays().Top(), u.T("pass.change")) == nil || !findButton(u.win.Canvas().Overlays().Top(), u.T("pass.change")).Disabled()
		})
		top := u.win.Canvas().Overlays().Top()
		if top == nil {
			return ""
		}
		return shownLabels(top)
	}
	if got := submit("not the passphrase", newPass, newPass); !strings.Contains(got, u.T("pass.wrongold")) {
		t.Fatalf("a wrong current passphrase says:\n%s", got)
	}
	if got := submit(testPassphrase, newPass, newPass+"!"); !strings.Contains(got, u.T("protect.mismatch")) {
		t.Fatalf("two different new ones say:\n%s", got)
	}
	if got := submit(testPassphrase, "قصير", "قصير"); !strings.Contains(got, dropIsolates(u.F("protect.short", vault.MinPassphraseRunes))) {
		t.Fatalf("a short one says:\n%s", got)
	}
	if got := submit(testPassphrase, newPass, newPass); got != "" {
		t.Fatalf("the dialog stays open:\n%s", got)
	}
	if sec.said.Logical() != u.T("pass.changed") {
		t.Fatalf("settings say %q", sec.said.Logical())
	}
	u.lockNow()
	typeUnlock(t, u, testPassphrase)
	if !ls.Locked() || u.lock.screen.message.Logical() != dropIsolates(u.T("lock.wrong")) {
		t.Fatal("the old passphrase still unlocks")
	}
	typeUnlock(t, u, newPass)
	if ls.Locked() || u.locked() {
		t.Fatal("the new passphrase does not unlock")
	}
}

// overlaySecrets are the passphrase fields of the dialog on top, in order.
func overlaySecrets(u *UI) []*secretEntry {
	var out []*secretEntry
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *secretEntry:
			out = append(out, x)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(u.win.Canvas().Overlays().Top())
	return out
}

// TestExportAsksFirst: Export says the file holds personal data in clear
// and asks; No goes no further, Yes asks where to write it.
func TestExportAsksFirst(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		u := newTestUI(t, testStore(t), l)
		u.show(screenDashboard)
		u.dashboard.files.askExport("people")
		top := u.win.Canvas().Overlays().Top()
		if top == nil || !strings.Contains(shownLabels(top), u.T("files.confirm.text")) {
			t.Fatalf("%s: no warning before the export", l)
		}
		tapButton(t, top, u.T("button.cancel"))
		if u.win.Canvas().Overlays().Top() != nil {
			t.Fatalf("%s: something opened after Cancel", l)
		}
		u.dashboard.files.askExport("people")
		tapButton(t, u.win.Canvas().Overlays().Top(), u.T("files.confirm.go"))
		top = u.win.Canvas().Overlays().Top()
		if top == nil || strings.Contains(shownLabels(top), u.T("files.confirm.text")) {
			t.Fatalf("%s: no file chooser after Export", l)
		}
		u.closeOverlays()
	}
}

// shownLabels is the logical text of every visible app label under o, a
// line each.
func shownLabels(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *label:
			b.WriteString(x.Logical() + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// lockTour shows the lock's screens and dialogs in language l at size, in
// the states worth looking at, and calls at with each state's name: the
// screenshots save each, the layout check checks each.
func lockTour(t *testing.T, l Lang, size fyne.Size, at func(u *UI, name string)) {
	t.Helper()
	u := newLockUI(t, testStore(t), l, size, protectedLock(t), newFakeClock())
	at(u, "lock")
	typeUnlock(t, u, "not the passphrase")
	at(u, "lock-wrong")
	u.Close()

	u = newLockUI(t, testStore(t), l, size, newVaultLock(t), newFakeClock())
	ps := u.lock.protect
	at(u, "protect")
	ps.pass.SetText("قهوة في نزوى")
	ps.again.SetText("قهوة في نزوى")
	ps.say(u.T("protect.mismatch"), widget.DangerImportance)
	at(u, "protect-filled")
	// Half way through the encryption, as the screen shows it.
	ps.pass.Disable()
	ps.again.Disable()
	ps.button.Disable()
	ps.bar.Show()
	ps.bar.SetValue(0.42)
	ps.say(u.T("protect.working"), widget.MediumImportance)
	at(u, "protect-working")
	u.Close()

	u, _, _ = unlockedUIAt(t, l, size)
	u.show(screenSettings)
	settle(u)
	at(u, "settings-security")
	tapButton(t, u.win.Content(), u.T("settings.changepass"))
	entries := overlaySecrets(u)
	entries[0].SetText("not the passphrase")
	entries[1].SetText("شاي بالهيل في صور")
	entries[2].SetText("شاي بالهيل في صور")
	entries[2].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, "the answer", func() bool {
		return strings.Contains(shownLabels(u.win.Canvas().Overlays().Top()), u.T("pass.wrongold"))
	})
	at(u, "passphrase-change")
	u.closeOverlays()
	u.show(screenDashboard)
	settle(u)
	u.dashboard.files.askExport("people")
	at(u, "export-confirm")
	u.closeOverlays()
	u.Close()

	// A person's form changed and not saved when the app locks: after
	// Unlock, the form as saved and what became of the typing.
	u, _, _ = unlockedUIAt(t, l, size)
	u.show(screenPeople)
	p := u.people
	eventually(t, "the roster", func() bool { return p.onScreen != nil && p.onScreen.total > 0 })
	p.list.Select(0)
	eventually(t, "the form", func() bool { return p.detail.isOpen() && p.detail.person.ID != "" })
	p.detail.email.SetText("not.saved@example.om")
	u.lockNow()
	typeUnlock(t, u, testPassphrase)
	eventually(t, "the form again", func() bool { return u.people.detail.isOpen() && u.people.detail.person.ID != "" })
	settle(u)
	at(u, "unlock-dropped")
	u.Close()
}

// lockingStore is a store that is also a lockStore, as *data.Store is once
// it encrypts: its lock methods are the vault lock's (declared here, so
// they win over any of the embedded store's own).
type lockingStore struct {
	*data.Store
	v *vaultLock
}

func (s lockingStore) Protected() bool { return s.v.Protected() }
func (s lockingStore) Locked() bool    { return s.v.Locked() }
func (s lockingStore) Protect(ctx context.Context, p string, progress func(int, int)) error {
	return s.v.Protect(ctx, p, progress)
}
func (s lockingStore) Unlock(ctx context.Context, p string) error { return s.v.Unlock(ctx, p) }
func (s lockingStore) Lock()                                      { s.v.Lock() }
func (s lockingStore) ChangePassphrase(ctx context.Context, old, new string) error {
	return s.v.ChangePassphrase(ctx, old, new)
}

// TestWithLock: WithLock takes the lock from the store New is given, and
// with no function of its own knows a wrong passphrase by the vault's
// message; the device's clear store opens on the first start.
func TestWithLock(t *testing.T) {
	s := lockingStore{Store: testStore(t), v: protectedLock(t)}
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLanguage, string(Arabic))
	w := test.NewTempWindow(t, nil)
	quiet := client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	u := New(context.Background(), a, w, s, client.New(s.Store, quiet), WithLock(nil))
	t.Cleanup(func() {
		u.Close()
		pump()
	})
	settle(u)
	if !u.locked() || u.screens != nil {
		t.Fatal("WithLock did not open on the lock screen")
	}
	typeUnlock(t, u, "not the passphrase")
	if got := u.lock.screen.message.Logical(); got != dropIsolates(u.T("lock.wrong")) {
		t.Fatalf("the vault's wrong passphrase says %q", got)
	}
	typeUnlock(t, u, testPassphrase)
	if u.locked() || s.Locked() {
		t.Fatal("not unlocked")
	}

	plain := testStore(t)
	a2 := test.NewTempApp(t)
	u2 := New(context.Background(), a2, test.NewTempWindow(t, nil), plain, client.New(plain, quiet), WithLock(nil))
	t.Cleanup(func() {
		u2.Close()
		pump()
	})
	settle(u2)
	// The device's own store is a lock: a clear one opens on the first
	// start that encrypts it, with nothing of the roster behind.
	if u2.lock == nil || u2.lock.protect == nil || u2.screens != nil {
		t.Fatal("a clear store did not open on the first start")
	}
}

// TestIdleLockAfterSleep: a laptop that slept past the idle time locks
// within idleTick of waking, though Go's timers did not count the sleep;
// a clock set back counts the idle time from then, never locks early.
func TestIdleLockAfterSleep(t *testing.T) {
	u, _, clk := unlockedUI(t, English)
	clk.Advance(time.Minute)
	clk.Sleep(time.Hour) // the lid closed
	clk.Advance(idleTick)
	if !u.locked() {
		t.Fatal("not locked within idleTick of waking from an hour's sleep")
	}
	typeUnlock(t, u, testPassphrase)
	clk.Sleep(-2 * time.Hour)
	clk.Advance(14 * time.Minute)
	if u.locked() {
		t.Fatal("locked early after the clock was set back")
	}
	clk.Advance(time.Minute + idleTick)
	if !u.locked() {
		t.Fatal("never locked after the clock was set back")
	}
}

// hasSensor reports whether an activity sensor is under o.
func hasSensor(o fyne.CanvasObject) bool {
	switch x := o.(type) {
	case *activitySensor:
		return true
	case *fyne.Container:
		for _, c := range x.Objects {
			if hasSensor(c) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if hasSensor(c) {
				return true
			}
		}
	}
	return false
}

// TestLockLanguage: the lock screen and the first start switch to the other
// language (a computer whose system speaks English); after Unlock the app
// speaks it too, the screens made again in it.
func TestLockLanguage(t *testing.T) {
	u, _, _ := unlockedUI(t, English)
	u.show(screenWorkshops)
	u.lockNow()
	tapButton(t, u.win.Content(), "العربية")
	if u.lang != Arabic || u.app.Preferences().String(prefLanguage) != string(Arabic) {
		t.Fatalf("language %q after tapping العربية", u.lang)
	}
	if !strings.Contains(shownLabels(u.win.Content()), u.T("lock.help")) {
		t.Fatal("the lock screen is not in Arabic")
	}
	checkNothingBehind(t, u)
	typeUnlock(t, u, testPassphrase)
	if u.locked() || u.current != screenWorkshops || findButton(u.win.Content(), messages["nav.people"].ar) == nil {
		t.Fatal("the app is not back in Arabic on Workshops")
	}

	p := newLockUI(t, testStore(t), Arabic, fyne.NewSize(1024, 600), newVaultLock(t), newFakeClock())
	tapButton(t, p.win.Content(), "English")
	if p.lang != English || p.lock.protect == nil || !strings.Contains(shownLabels(p.win.Content()), messages["protect.why"].en) {
		t.Fatal("the first start did not switch to English")
	}
}

// TestProgressBarReadingSide: the first start's bar fills from the right in
// Arabic, from the left in English.
func TestProgressBarReadingSide(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		u := newLockUI(t, testStore(t), l, fyne.NewSize(1024, 600), newVaultLock(t), newFakeClock())
		b := u.lock.protect.bar
		b.Show()
		b.Resize(fyne.NewSize(400, 30))
		b.SetValue(0.25)
		r := test.WidgetRenderer(b).(*progressRenderer)
		wantX := float32(0)
		if l == Arabic {
			wantX = 300
		}
		if r.bar.Position().X != wantX || r.bar.Size().Width != 100 || r.text.Text != "25%" {
			t.Errorf("%s: bar at %v, %v wide, %q", l, r.bar.Position().X, r.bar.Size().Width, r.text.Text)
		}
	}
}
