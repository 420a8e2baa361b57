package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
)

// The Certificates screen hands out the Open Badges credentials HQ issued
// for the workshop's certificates (issue 16): they arrive with a pull, and
// are saved from here into a folder the coordinator chooses, each as a
// .jwt and a badge .png with the credential baked in, without a network.

// saveBadges asks for a folder and saves into it the credentials of the
// workshop shown, or of one certificate (from its row in the issued list).
func (c *certificatesScreen) saveBadges(only *data.CertificateRow) {
	if c.savingBadges || c.workshopID == "" {
		return
	}
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		c.writeBadges(l.Path(), only)
	}, c.u.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(c.dir())); err == nil {
		d.SetLocation(l)
	}
	c.u.showFileDialog(d)
}

type badgesResult struct {
	written int
	files   []string
}

// writeBadges writes the credentials into dir off Fyne's goroutine, with
// the progress bar moving a step per credential. When none has arrived the
// screen says why: HQ issues them once the certificates reach it.
func (c *certificatesScreen) writeBadges(dir string, only *data.CertificateRow) {
	u := c.u
	id := c.workshopID
	if c.savingBadges || id == "" {
		return
	}
	c.savingBadges = true
	c.badges.Disable()
	c.open.Hide()
	c.hideFixes()
	c.progress.SetValue(0)
	c.progress.Show()
	c.message.SetText(u.T("certs.badgessaving"))
	background(u, func(ctx context.Context) (badgesResult, error) {
		badges, err := c.store.OpenBadges(ctx, id)
		if err != nil {
			return badgesResult{}, err
		}
		if only != nil {
			var mine []data.OpenBadge
			for _, b := range badges {
				if b.CertificateID == only.ID {
					mine = append(mine, b)
				}
			}
			badges = mine
		}
		if len(badges) == 0 {
			return badgesResult{}, nil
		}
		n := float64(len(badges))
		files, err := data.WriteOpenBadges(ctx, dir, badges, func(done int) {
			do(func() { c.progress.SetValue(float64(done) / n) })
		})
		return badgesResult{written: len(files) / 2, files: files}, err
	}, func(res badgesResult, err error) {
		c.savingBadges = false
		c.badges.Enable()
		c.progress.Hide()
		switch {
		case err != nil:
			c.message.SetText("")
			u.showError(u.T("certs.badges"), err)
		case res.written == 0 && only != nil:
			c.message.SetText(u.F("certs.nobadge", certificate.FormatCode(only.Code)))
		case res.written == 0:
			c.message.SetText(u.T("certs.nobadges"))
		default:
			c.message.SetText(u.N("certs.badgesdone", res.written) + "\n" + u.F("certs.badgesin", dir))
		}
	})
}
