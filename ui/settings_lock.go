package ui

import (
	"context"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/vault"
)

// securitySettings is Settings' part for an encrypted store: the idle time
// after which the app locks, Lock now, and the change of passphrase. Nil
// (not shown) without one.
type securitySettings struct {
	u       *UI
	idle    *widget.Select
	said    *label
	content fyne.CanvasObject
}

func newSecuritySettings(u *UI) *securitySettings {
	if !u.protected() {
		return nil
	}
	s := &securitySettings{u: u}
	names := make([]string, len(idleChoices))
	current := int(u.idleTime().Minutes())
	for i, m := range idleChoices {
		names[i] = u.N("idle.minutes", m)
	}
	s.idle = u.selectBox(names, nil)
	for i, m := range idleChoices {
		if m == current {
			s.idle.SetSelectedIndex(i)
		}
	}
	s.idle.OnChanged = func(string) {
		if i := s.idle.SelectedIndex(); i >= 0 {
			u.setIdleTime(idleChoices[i])
		}
	}
	s.said = u.wrapped("")
	s.said.Importance = widget.SuccessImportance
	s.said.Hide()
	change := u.button(u.T("settings.changepass"), theme.AccountIcon(), s.changePassphrase)
	lock := u.button(u.T("settings.locknow"), theme.VisibilityOffIcon(), u.lockNow)
	s.content = container.NewVBox(
		u.heading(u.T("settings.security")),
		u.form(formRow{u.T("settings.idle"), s.idle}),
		u.wrapped(u.T("settings.lockhelp")),
		u.row(change, lock),
		s.said,
	)
	return s
}

// passphraseDialog is the change of passphrase: the current one, the new
// one twice; the dialog stays open on an error, said in words under the
// fields.
type passphraseDialog struct {
	old, pass, again *secretEntry
	strength         *label
	message          *label
	ok, cancel       *widget.Button
	dlg              dialog.Dialog
	busy             bool
}

func (s *securitySettings) changePassphrase() {
	u := s.u
	d := &passphraseDialog{old: u.secret(), pass: u.secret(), again: u.secret()}
	d.strength = u.wrapped("")
	d.strength.SizeName = theme.SizeNameCaptionText
	u.showStrength(d.strength, "")
	d.pass.OnChanged = func(p string) { u.showStrength(d.strength, p) }
	d.message = u.fieldError()
	d.ok = u.button(u.T("pass.change"), theme.ConfirmIcon(), func() { s.submit(d) })
	d.ok.Importance = widget.HighImportance
	d.cancel = u.button(u.T("button.cancel"), theme.CancelIcon(), func() { d.dlg.Hide() })
	d.old.OnSubmitted = func(string) { u.focus(d.pass) }
	d.pass.OnSubmitted = func(string) { u.focus(d.again) }
	d.again.OnSubmitted = func(string) { s.submit(d) }
	content := container.NewVBox(
		u.form(
			formRow{u.T("pass.old"), d.old},
			formRow{u.T("pass.new"), container.NewVBox(d.pass, d.strength)},
			formRow{u.T("pass.again"), d.again},
		),
		d.message,
		u.answers(d.ok, d.cancel),
	)
	d.dlg = u.customWithoutButtons(u.T("pass.title"), container.NewGridWrap(fyne.NewSize(520, content.MinSize().Height+40), content))
	d.dlg.Show()
	u.focus(d.old)
}

// submit checks the fields and changes the passphrase off Fyne's goroutine
// (two argon2id runs: about a second).
func (s *securitySettings) submit(d *passphraseDialog) {
	u := s.u
	if d.busy {
		return
	}
	old, pass := d.old.Text, d.pass.Text
	switch {
	case old == "":
		u.focus(d.old)
		return
	case utf8.RuneCountInString(pass) < vault.MinPassphraseRunes:
		d.message.set(u.F("protect.short", vault.MinPassphraseRunes))
		u.focus(d.pass)
		return
	case d.again.Text != pass:
		d.message.set(u.T("protect.mismatch"))
		d.again.SetText("")
		u.focus(d.again)
		return
	}
	d.busy = true
	d.ok.Disable()
	d.message.Importance = widget.MediumImportance
	d.message.set(u.T("pass.working"))
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.lock.store.ChangePassphrase(ctx, old, pass)
	}, func(_ struct{}, err error) {
		d.busy = false
		d.ok.Enable()
		d.message.Importance = widget.DangerImportance
		switch {
		case err == nil:
			d.dlg.Hide()
			s.said.set(u.T("pass.changed"))
		case u.lock.isWrong(err):
			d.message.set(u.T("pass.wrongold"))
			d.old.SetText("")
			u.focus(d.old)
		default:
			d.message.set(u.words(err))
		}
	})
}
