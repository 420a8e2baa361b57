package ui

import (
	"context"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/vault"
)

// protectScreen is the first start of a clear store (a new computer, or the
// first start after the upgrade to encryption): it explains in plain words
// why a passphrase, has the coordinator type one twice, and encrypts the
// database (lockStore.Protect) with a progress bar, off Fyne's goroutine.
// There is no "Later": the issue asks that a lost laptop leak nothing, and
// a roster left clear "for now" is the one that is lost; the screen holds
// nothing personal, so leaving it is quitting the app.
type protectScreen struct {
	u        *UI
	pass     *secretEntry
	again    *secretEntry
	strength *label
	message  *label
	bar      *progressBar
	button   *widget.Button
	busy     bool
	then     func()
	content  fyne.CanvasObject
}

// showProtect puts the first-start screen in the window; then runs once
// the store is protected (and unlocked).
func (u *UI) showProtect(then func()) {
	s := &protectScreen{u: u, then: then}
	s.pass = u.secret()
	s.again = u.secret()
	s.strength = u.wrapped("")
	s.strength.SizeName = theme.SizeNameCaptionText
	s.pass.OnChanged = func(p string) { s.showStrength(p) }
	s.pass.OnSubmitted = func(string) { u.focus(s.again) }
	s.again.OnSubmitted = func(string) { s.protect() }
	s.message = u.wrapped("")
	s.message.Hide()
	s.bar = u.progressBar()
	s.bar.Hide()
	s.button = u.button(u.T("protect.start"), theme.ConfirmIcon(), s.protect)
	s.button.Importance = widget.HighImportance
	title := u.heading(u.T("protect.title"))
	title.SizeName = theme.SizeNameSubHeadingText
	s.showStrength("")
	card := container.NewVBox(
		u.border(nil, nil, nil, u.otherLanguage(), title),
		u.wrapped(u.T("protect.why")),
		u.wrapped(u.T("protect.hq")),
		widget.NewSeparator(),
		u.form(
			formRow{u.T("protect.passphrase"), container.NewVBox(s.pass, s.strength)},
			formRow{u.T("protect.again"), s.again},
		),
		u.answers(s.button, layout.NewSpacer()),
		s.bar,
		s.message,
	)
	s.content = u.centred(card, 620)
	u.lock.protect = s
	u.win.SetTitle(u.T("app.title"))
	u.win.SetContent(s.content)
	u.focus(s.pass)
}

// strength is a plain hint of how hard a passphrase is to guess, by its
// length (what counts most): the key file's argon2id makes each guess
// slow, a long passphrase makes the guesses many.
func strength(p string) string {
	switch n := utf8.RuneCountInString(p); {
	case n == 0:
		return "protect.rule"
	case n < vault.MinPassphraseRunes:
		return "protect.short"
	case n < 12:
		return "protect.fair"
	case n < 16:
		return "protect.good"
	}
	return "protect.strong"
}

func (s *protectScreen) showStrength(p string) { s.u.showStrength(s.strength, p) }

// showStrength puts the strength hint of passphrase p in l, coloured.
func (u *UI) showStrength(l *label, p string) {
	key := strength(p)
	switch key {
	case "protect.short":
		l.Importance = widget.DangerImportance
	case "protect.fair":
		l.Importance = widget.WarningImportance
	case "protect.good", "protect.strong":
		l.Importance = widget.SuccessImportance
	default:
		l.Importance = widget.MediumImportance
	}
	if key == "protect.rule" || key == "protect.short" {
		l.SetText(u.F(key, vault.MinPassphraseRunes))
	} else {
		l.SetText(u.T(key))
	}
}

// protect checks the two passphrases and encrypts the store with them.
func (s *protectScreen) protect() {
	u := s.u
	if s.busy {
		return
	}
	pass := s.pass.Text
	switch {
	case utf8.RuneCountInString(pass) < vault.MinPassphraseRunes:
		s.say(u.F("protect.short", vault.MinPassphraseRunes), widget.DangerImportance)
		u.focus(s.pass)
		return
	case s.again.Text != pass:
		s.say(u.T("protect.mismatch"), widget.DangerImportance)
		s.again.SetText("")
		u.focus(s.again)
		return
	}
	s.busy = true
	s.pass.Disable()
	s.again.Disable()
	s.button.Disable()
	s.bar.SetValue(0)
	s.bar.Show()
	s.say(u.T("protect.working"), widget.MediumImportance)
	progress := s.progress()
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.lock.store.Protect(ctx, pass, progress)
	}, func(_ struct{}, err error) {
		s.busy = false
		if err != nil {
			s.pass.Enable()
			s.again.Enable()
			s.button.Enable()
			s.bar.Hide()
			s.say(u.words(err), widget.DangerImportance)
			return
		}
		s.pass.SetText("")
		s.again.SetText("")
		u.lock.protect = nil
		s.then()
	})
}

// progress is the progress callback handed to Protect (on its goroutine):
// it moves the bar through fyne.Do when it has moved by a percent, so a
// hundred thousand rows do not queue a hundred thousand updates.
func (s *protectScreen) progress() func(done, total int) {
	var mu sync.Mutex
	shown := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		pc := min(100, done*100/total)
		mu.Lock()
		if pc == shown {
			mu.Unlock()
			return
		}
		shown = pc
		mu.Unlock()
		do(func() { s.bar.SetValue(float64(pc) / 100) })
	}
}

func (s *protectScreen) say(msg string, imp widget.Importance) {
	s.message.Importance = imp
	s.message.set(msg)
}

// progressBar is a determinate progress bar that fills from the reading
// side: from the right in Arabic (Fyne's fills from the left), with the
// percentage in the middle.
type progressBar struct {
	widget.BaseWidget
	Value float64 // 0 to 1
	rtl   bool
}

func (u *UI) progressBar() *progressBar {
	p := &progressBar{rtl: u.lang.RTL()}
	p.ExtendBaseWidget(p)
	return p
}

// SetValue moves the bar to v (0 to 1).
func (p *progressBar) SetValue(v float64) {
	p.Value = min(max(v, 0), 1)
	p.Refresh()
}

func (p *progressBar) CreateRenderer() fyne.WidgetRenderer {
	r := &progressRenderer{p: p, track: canvas.NewRectangle(nil), bar: canvas.NewRectangle(nil), text: canvas.NewText("", nil)}
	r.text.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type progressRenderer struct {
	p          *progressBar
	track, bar *canvas.Rectangle
	text       *canvas.Text
}

func (r *progressRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	w := size.Width * float32(r.p.Value)
	x := float32(0)
	if r.p.rtl {
		x = size.Width - w
	}
	r.bar.Move(fyne.NewPos(x, 0))
	r.bar.Resize(fyne.NewSize(w, size.Height))
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos(0, (size.Height-ts.Height)/2))
	r.text.Resize(fyne.NewSize(size.Width, ts.Height))
}

func (r *progressRenderer) MinSize() fyne.Size {
	pad := theme.InnerPadding()
	ts := r.text.MinSize()
	return fyne.NewSize(ts.Width+2*pad, ts.Height+pad)
}

func (r *progressRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.track.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bar.FillColor = th.Color(theme.ColorNamePrimary, v)
	r.bar.CornerRadius = r.track.CornerRadius
	r.text.Text = strconv.Itoa(int(math.Round(r.p.Value*100))) + "%"
	r.text.Color = th.Color(theme.ColorNameForegroundOnPrimary, v)
	if r.p.Value < 0.5 {
		r.text.Color = th.Color(theme.ColorNameForeground, v)
	}
	r.text.TextSize = th.Size(theme.SizeNameText)
	r.Layout(r.p.Size())
	r.track.Refresh()
	r.bar.Refresh()
	r.text.Refresh()
}

func (r *progressRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.bar, r.text}
}

func (r *progressRenderer) Destroy() {}
