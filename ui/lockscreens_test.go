package ui

import (
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
)

// lockedPerson is the person the lock must hide: every field that is
// personal is filled, so each can be looked for behind the lock.
var lockedPerson = safeer.Person{NameAr: "مريم الهنائية", NameEn: "Maryam Al Hinai", Governorate: "OM-MA",
	Wilayat: "Muscat", Phone: "93334444", CivilID: "23456789", Email: "maryam.hinai@example.om",
	Notes: "تفضل الاتصال بعد العصر", Gender: "female"}

// secretsOf is what of p must not be reachable while the app is locked.
func secretsOf(p safeer.Person) []string {
	return []string{p.NameAr, p.NameEn, "93334444", p.CivilID, p.Email, p.Notes}
}

// everyText is every text under o, hidden or not: labels (as given and as
// shown), fields, drop-downs' choices, buttons, the texts their renderers
// draw; into the renderers of widgets and the objects of hidden containers.
func everyText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil {
			return
		}
		switch x := o.(type) {
		case *label:
			b.WriteString(x.logical + "\n" + x.Text + "\n")
		case *entry:
			b.WriteString(x.Text + "\n")
		case *textArea:
			b.WriteString(x.Text + "\n")
		case *secretEntry:
			b.WriteString(x.Text + "\n")
		case *widget.Entry:
			b.WriteString(x.Text + "\n")
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
		case *widget.Select:
			b.WriteString(x.Selected + "\n" + strings.Join(x.Options, "\n") + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		}
		switch x := o.(type) {
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

// reachableText is every text the app can still reach from its window and
// its own fields: the window's content and overlays, the screens it keeps
// (all of them, not only the one shown) and the parts of the shell.
func reachableText(u *UI) string {
	var b strings.Builder
	c := u.win.Canvas()
	b.WriteString(everyText(c.Content()))
	for _, o := range c.Overlays().List() {
		b.WriteString(everyText(o))
	}
	ids := make([]string, 0, len(u.screens))
	for id := range u.screens {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.WriteString(everyText(u.screens[id].view()))
	}
	for _, o := range []fyne.CanvasObject{u.body, u.navBox} {
		if o != nil && o != (*fyne.Container)(nil) {
			b.WriteString(everyText(o))
		}
	}
	if u.status != nil {
		b.WriteString(everyText(u.status.view()))
	}
	return b.String()
}

// checkNothingReachable fails if any of secrets can be reached from the
// app (shaped for display or not), or if the app still keeps a screen.
func checkNothingReachable(t *testing.T, u *UI, secrets ...string) {
	t.Helper()
	text := reachableText(u)
	for _, s := range secrets {
		if strings.Contains(text, s) || strings.Contains(text, u.text(s)) {
			t.Fatalf("%q is still reachable behind the lock", s)
		}
	}
	if u.screens != nil || u.people != nil || u.checkin != nil || u.certificates != nil || u.workshops != nil ||
		u.syncScreen != nil || u.duplicates != nil || u.dashboard != nil || u.settings != nil ||
		u.body != nil || u.navBox != nil || u.nav != nil || u.status != nil || u.firstRoster != nil {
		t.Fatal("the app keeps a screen (or the shell around them) behind the lock")
	}
	u.dups.mu.Lock()
	kept := u.dups.have || u.dups.pairs != nil
	u.dups.mu.Unlock()
	if kept {
		t.Fatal("the pairs of look-alikes are kept behind the lock")
	}
}

// lockScreensUI opens the app, unlocked, on a roster with lockedPerson and
// a workshop of today they are checked in to, in language l at size.
func lockScreensUI(t *testing.T, l Lang, size fyne.Size) (*UI, *vaultLock, *fakeClock, safeer.Person, safeer.Workshop) {
	t.Helper()
	s := testStore(t)
	addPeople(t, s, testPeople...)
	m := addPeople(t, s, lockedPerson)[0]
	w := todayWorkshop(t, s)
	ls := protectedLock(t)
	clk := newFakeClock()
	u := newLockUI(t, s, l, size, ls, clk)
	typeUnlock(t, u, testPassphrase)
	settle(u)
	return u, ls, clk, m, w
}

// visitScreens goes through the screens that show people, leaving each
// with m on it: m checked in on Check-in, their certificate's line on
// Certificates, the workshop open, the look-alikes, the sync screen, and
// last the roster with m's form open.
func visitScreens(t *testing.T, u *UI, m safeer.Person, w safeer.Workshop) {
	t.Helper()
	u.show(screenCheckIn)
	c := u.checkin
	eventually(t, "today's workshop", func() bool { return c.workshopID == w.ID })
	test.Type(c.search, m.NameEn)
	eventually(t, "the match", func() bool { return c.resultsFor == m.NameEn && len(c.results) > 0 })
	c.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	eventually(t, m.NameEn+" present", func() bool { return len(c.present) == 1 })

	u.show(screenCertificates)
	eventually(t, "the eligible", func() bool { return len(u.certificates.eligible) == 1 })
	u.show(screenWorkshops)
	u.workshops.reload(w.ID)
	eventually(t, "the workshop open", func() bool { return u.workshops.form.w.ID == w.ID })
	u.show(screenDuplicates)
	u.show(screenSync)
	settle(u)

	u.show(screenPeople)
	p := u.people
	eventually(t, "the roster", func() bool { return p.onScreen != nil && p.onScreen.total == len(testPeople)+1 })
	p.detail.open(m.ID)
	eventually(t, m.NameEn+"'s form", func() bool { return p.detail.isOpen() && p.detail.civilID.Text == m.CivilID })
	settle(u)
}

// TestLockDropsEveryScreen: locking (idle or Ctrl+L, in both languages)
// drops every screen that showed the person, not only hides it: nothing
// the app can reach holds their name, phone, civil ID, e-mail or notes, and
// it keeps no screen. Unlock builds the screens again and reopens the
// person's form where the coordinator left it.
func TestLockDropsEveryScreen(t *testing.T) {
	for _, l := range []Lang{Arabic, English} {
		t.Run(string(l), func(t *testing.T) {
			u, ls, clk, m, w := lockScreensUI(t, l, fyne.NewSize(1366, 768))
			visitScreens(t, u, m, w)
			before := reachableText(u)
			for _, s := range secretsOf(m) { // the walk finds them when they are there
				if !strings.Contains(before, s) && !strings.Contains(before, u.text(s)) {
					t.Fatalf("%q is not on the screens before the lock: the walk misses it", s)
				}
			}
			old := u.people

			if l == Arabic {
				clk.Advance(u.idleTime())
			} else {
				u.shortcut(shortcutLock)
			}
			settle(u)
			if !u.locked() || !ls.Locked() {
				t.Fatal("not locked")
			}
			checkNothingBehind(t, u)
			checkNothingReachable(t, u, secretsOf(m)...)
			if got := u.lock.place; got.id != m.ID || got.newForm || got.unsaved || len(got.filters) != 3 {
				t.Fatalf("kept through the lock: %+v", got)
			}

			typeUnlock(t, u, testPassphrase)
			if u.locked() || u.current != screenPeople || u.people == nil || u.people == old {
				t.Fatalf("after Unlock: locked %v, on %s, screen rebuilt %v", u.locked(), u.current, u.people != old)
			}
			d := u.people.detail
			eventually(t, m.NameEn+"'s form again", func() bool { return d.isOpen() && d.person.ID == m.ID })
			if d.civilID.Text != m.CivilID || d.email.Text != m.Email || d.notes.Text != m.Notes {
				t.Fatalf("the form after Unlock: civil ID %q, e-mail %q, notes %q", d.civilID.Text, d.email.Text, d.notes.Text)
			}
			if d.message.Logical() != "" {
				t.Fatalf("a form with nothing typed says %q", d.message.Logical())
			}
			name := u.lang.pick(m.NameEn, m.NameAr)
			eventually(t, "the roster again", func() bool {
				text := allText(u.win.Content())
				return strings.Contains(text, u.text(name)) || strings.Contains(text, name)
			})
			if pl := u.lock.place; pl.id != "" || pl.filters != nil {
				t.Fatal("the place is kept after Unlock")
			}
		})
	}
}

// TestLockBackToTheScreen: Unlock goes back to the screen the coordinator
// was on, with what it showed there: the workshop open on Workshops, the
// workshop chosen on Certificates, the check-in list.
func TestLockBackToTheScreen(t *testing.T) {
	u, _, _, m, w := lockScreensUI(t, English, fyne.NewSize(1024, 600))
	visitScreens(t, u, m, w)

	u.show(screenWorkshops)
	u.workshops.reload(w.ID)
	eventually(t, "the workshop open", func() bool { return u.workshops.form.w.ID == w.ID })
	u.lockNow()
	typeUnlock(t, u, testPassphrase)
	eventually(t, "the workshop open again", func() bool {
		return u.current == screenWorkshops && u.workshops.form.w.ID == w.ID && u.workshops.form.titleEn.Text == w.TitleEn
	})

	u.show(screenCertificates)
	eventually(t, "the eligible", func() bool { return len(u.certificates.eligible) == 1 })
	u.lockNow()
	checkNothingReachable(t, u, secretsOf(m)...)
	typeUnlock(t, u, testPassphrase)
	eventually(t, "the certificates again", func() bool {
		c := u.certificates
		return u.current == screenCertificates && c.workshopID == w.ID && len(c.eligible) == 1
	})

	u.show(screenCheckIn)
	eventually(t, "the present", func() bool { return len(u.checkin.present) == 1 })
	u.lockNow()
	checkNothingReachable(t, u, secretsOf(m)...)
	typeUnlock(t, u, testPassphrase)
	eventually(t, "the check-in list again", func() bool {
		c := u.checkin
		return u.current == screenCheckIn && len(c.present) == 1 && strings.Contains(allText(u.win.Content()), m.NameEn)
	})
}

// TestLockKeepsTheRosterPlace: the roster comes back after Unlock with
// its filters and scrolled where it was; not with the search typed.
func TestLockKeepsTheRosterPlace(t *testing.T) {
	s := testStore(t)
	var many []safeer.Person
	for i := range 120 {
		many = append(many, safeer.Person{NameEn: fmt.Sprintf("Roster Person %03d", i), Governorate: "OM-MA",
			Phone: fmt.Sprintf("9%07d", 1000000+i)})
	}
	addPeople(t, s, many...)
	addPeople(t, s, safeer.Person{NameEn: "Gone Quiet", Governorate: "OM-MA", Status: safeer.StatusInactive})
	u := newLockUI(t, s, English, fyne.NewSize(1024, 600), protectedLock(t), newFakeClock())
	typeUnlock(t, u, testPassphrase)
	u.show(screenPeople)
	p := u.people
	eventually(t, "the roster", func() bool { return p.onScreen != nil && p.onScreen.total == 121 })
	p.status.SetSelectedIndex(1) // active
	eventually(t, "the active", func() bool { return p.onScreen.total == 120 })
	p.list.ScrollToOffset(900)
	settle(u)
	offset := p.list.GetScrollOffset()
	if offset < 800 {
		t.Fatalf("the list scrolled to %v only", offset)
	}
	u.lockNow()
	typeUnlock(t, u, testPassphrase)
	p = u.people
	eventually(t, "the roster where it was", func() bool {
		return p.onScreen != nil && p.onScreen.total == 120 && p.status.SelectedIndex() == 1 && p.list.GetScrollOffset() == offset
	})
	if strings.Contains(allText(u.win.Content()), "Roster Person 000") {
		t.Fatal("the top of the roster is on screen: the list did not scroll back")
	}

	test.Type(p.search, "Roster Person 01")
	eventually(t, "the search", func() bool { return p.onScreen.query == "Roster Person 01" })
	u.lockNow()
	typeUnlock(t, u, testPassphrase)
	if u.people.search.Text != "" {
		t.Fatalf("the search %q was kept through the lock", u.people.search.Text)
	}
}

// TestLockDropsUnsavedTyping: what was typed in a form and not saved when
// the app locked is dropped with the screen (it is not kept behind the
// lock); after Unlock the form is back as saved, or empty for a new one,
// and says the changes were dropped.
func TestLockDropsUnsavedTyping(t *testing.T) {
	for _, l := range []Lang{English, Arabic} {
		t.Run(string(l), func(t *testing.T) {
			u, _, clk, m, w := lockScreensUI(t, l, fyne.NewSize(1366, 768))
			dropped := dropIsolates(u.T("lock.dropped"))

			// A person on the roster, changed.
			u.show(screenPeople)
			d := u.people.detail
			d.open(m.ID)
			eventually(t, "the form", func() bool { return d.isOpen() && d.phone.Text != "" })
			savedPhone := d.phone.Text
			test.Type(d.phone, "0")
			d.email.SetText("typed.not.saved@example.om")
			clk.Advance(u.idleTime())
			checkNothingReachable(t, u, append(secretsOf(m), "typed.not.saved")...)
			typeUnlock(t, u, testPassphrase)
			d = u.people.detail
			eventually(t, "the form again", func() bool { return d.isOpen() && d.person.ID == m.ID })
			if d.email.Text != m.Email || d.phone.Text != savedPhone {
				t.Fatalf("the typing survived the lock: %q, %q", d.email.Text, d.phone.Text)
			}
			if d.message.Logical() != dropped || !d.message.Visible() {
				t.Fatalf("the form says %q", d.message.Logical())
			}

			// A new person, half typed.
			u.people.create()
			u.people.detail.nameEn.SetText("Zainab Al Rawahi")
			u.shortcut(shortcutLock)
			checkNothingReachable(t, u, "Zainab")
			typeUnlock(t, u, testPassphrase)
			d = u.people.detail
			if !d.isOpen() || d.person.ID != "" || d.nameEn.Text != "" || d.message.Logical() != dropped {
				t.Fatalf("the new form after Unlock: open %v, name %q, says %q", d.isOpen(), d.nameEn.Text, d.message.Logical())
			}
			if n, err := u.store.SearchPage(context.Background(), "Zainab", rosterFirstPage); err != nil || n.Total != 0 {
				t.Fatalf("the half-typed person was saved: %v, %d", err, n.Total)
			}

			// A person opened and not changed: nothing to say.
			u.people.detail.open(m.ID)
			eventually(t, "the form", func() bool { return u.people.detail.person.ID == m.ID })
			u.lockNow()
			typeUnlock(t, u, testPassphrase)
			d = u.people.detail
			eventually(t, "the form again", func() bool { return d.isOpen() && d.person.ID == m.ID })
			if d.message.Logical() != "" {
				t.Fatalf("an unchanged form says %q", d.message.Logical())
			}

			// A walk-in, half typed.
			u.show(screenCheckIn)
			eventually(t, "today's workshop", func() bool { return u.checkin.workshopID == w.ID })
			u.checkin.walkIn.open()
			u.checkin.walkIn.name.SetText("Zainab Al Rawahi")
			u.lockNow()
			checkNothingReachable(t, u, "Zainab")
			typeUnlock(t, u, testPassphrase)
			f := u.checkin.walkIn
			if !f.content.Visible() || f.name.Text != "" || u.checkin.feedback.Logical() != dropped {
				t.Fatalf("the walk-in after Unlock: open %v, name %q, feedback %q", f.content.Visible(), f.name.Text, u.checkin.feedback.Logical())
			}

			// A workshop changed.
			u.show(screenWorkshops)
			u.workshops.reload(w.ID)
			eventually(t, "the workshop", func() bool { return u.workshops.form.w.ID == w.ID })
			u.workshops.form.venue.SetText("A hall never saved")
			u.lockNow()
			typeUnlock(t, u, testPassphrase)
			wf := u.workshops.form
			eventually(t, "the workshop again", func() bool { return wf.w.ID == w.ID })
			if wf.venue.Text == "A hall never saved" || wf.message.Logical() != dropped {
				t.Fatalf("the workshop after Unlock: venue %q, says %q", wf.venue.Text, wf.message.Logical())
			}
		})
	}
}

// TestLockDropsLateAnswers: an answer to work asked for before the lock
// (a search, a person's record) is not shown when it comes after: not
// behind the lock, where it would be personal data, nor in a dialog over
// it, nor once unlocked, in a screen that is not the one that asked.
func TestLockDropsLateAnswers(t *testing.T) {
	u, _, _, m, _ := lockScreensUI(t, English, fyne.NewSize(1024, 600))
	release := make(chan struct{})
	var got []string
	ask := func() {
		background(u, func(ctx context.Context) (string, error) {
			<-release
			p, err := u.store.Person(ctx, m.ID)
			return p.NameEn, err
		}, func(name string, err error) { got = append(got, name) })
	}
	ask()
	u.lockNow()
	close(release)
	settle(u)
	typeUnlock(t, u, testPassphrase)
	settle(u)
	if len(got) != 0 {
		t.Fatalf("an answer asked before the lock came after it: %q", got)
	}
	if u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog opened")
	}
	ask() // the same, with no lock between: it comes
	eventually(t, "the answer", func() bool { return len(got) == 1 && got[0] == m.NameEn })
}

// TestLockFreesScreens: once the app locked, nothing holds the screens
// that showed the person: the garbage collector frees them. Fyne's own
// cache keeps the widgets drawn last for its cache time (a minute) and
// lets them go then, on a paint; the test runs itself again in a process
// whose Fyne cache time is a millisecond (FYNE_CACHE, read when Fyne
// starts), so one paint after the lock empties that cache, and what is
// left is what the app holds.
func TestLockFreesScreens(t *testing.T) {
	if os.Getenv("SAFEER_TEST_FREE_SCREENS") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockFreesScreens$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "SAFEER_TEST_FREE_SCREENS=1", "FYNE_CACHE=1ms")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestLockFreesScreens") {
			t.Fatalf("the test in a process of its own: %v\n%s", err, out)
		}
		return
	}
	u, _, _, m, w := lockScreensUI(t, English, fyne.NewSize(1024, 600))
	visitScreens(t, u, m, w)
	freed := make(chan string, 32)
	want := watchScreens(u, freed)
	u.lockNow()
	settle(u)
	time.Sleep(5 * time.Millisecond) // past the cache time
	if c, ok := u.win.Canvas().(interface{ Capture() image.Image }); ok {
		c.Capture() // a paint: Fyne's cache lets go of what it no longer draws
	} else {
		t.Fatal("the test canvas does not paint")
	}
	gone := map[string]bool{}
	deadline := time.Now().Add(10 * time.Second)
	for len(gone) < len(want) && time.Now().Before(deadline) {
		runtime.GC()
		pump()
		for done := false; !done; {
			select {
			case name := <-freed:
				gone[name] = true
			case <-time.After(10 * time.Millisecond):
				done = true
			}
		}
	}
	var kept []string
	for _, name := range want {
		if !gone[name] {
			kept = append(kept, name)
		}
	}
	if len(kept) > 0 {
		t.Fatalf("still reachable after the lock: %s", strings.Join(kept, ", "))
	}
	// Unlocking builds new screens, which show the person again.
	typeUnlock(t, u, testPassphrase)
	eventually(t, "the form again", func() bool { return u.people.detail.civilID.Text == m.CivilID })
}

// watchScreens has freed told the name of each screen of u (and of the
// parts of the shell) when the garbage collector frees it, and returns
// their names. A function of its own, so that no variable of the test
// holds them.
func watchScreens(u *UI, freed chan<- string) []string {
	var names []string
	watch := func(name string, add func()) {
		names = append(names, name)
		add()
	}
	tell := func(name string) { freed <- name }
	watch("people", func() { runtime.AddCleanup(u.people, tell, "people") })
	watch("person", func() { runtime.AddCleanup(u.people.detail, tell, "person") })
	watch("roster", func() { runtime.AddCleanup(u.people.onScreen, tell, "roster") })
	watch("checkin", func() { runtime.AddCleanup(u.checkin, tell, "checkin") })
	watch("certificates", func() { runtime.AddCleanup(u.certificates, tell, "certificates") })
	watch("workshops", func() { runtime.AddCleanup(u.workshops, tell, "workshops") })
	watch("duplicates", func() { runtime.AddCleanup(u.duplicates, tell, "duplicates") })
	watch("sync", func() { runtime.AddCleanup(u.syncScreen, tell, "sync") })
	watch("dashboard", func() { runtime.AddCleanup(u.dashboard, tell, "dashboard") })
	watch("settings", func() { runtime.AddCleanup(u.settings, tell, "settings") })
	watch("status", func() { runtime.AddCleanup(u.status, tell, "status") })
	return names
}
