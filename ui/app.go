// Package ui is Safeer's Fyne desktop app. Screens depend on small
// interfaces (stores.go, Syncer below), hold no SQL, and never block Fyne's
// goroutine: work runs in goroutines and comes back through fyne.Do. The
// app is built elsewhere (cmd/safeer): it opens the store, makes the sync
// client and its scheduler, and hands them to New; Run shows the window.
//
// One file a screen: dashboard.go, people.go (Ambassadors, with person.go
// and importer.go), workshops.go, checkin.go, certificates.go, syncscreen.go,
// settings.go; shell.go holds the window, its navigation and shortcuts,
// statusbar.go the sync status that is always on screen. i18n.go and
// messages.go hold every string in English and Arabic; rtl.go mirrors
// layouts for Arabic.
package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/oman-sca/safeer/sync/client"
)

// AppID is the app's identity for Fyne (preferences, storage); it matches
// FyneApp.toml.
const AppID = "om.gov.smartcity.safeer"

// Syncer is what the screens need from the sync client.
type Syncer interface {
	Status() client.Status
	Subscribe() (<-chan client.Status, func())
	Refresh(ctx context.Context) (client.Status, error)
	SyncWith(ctx context.Context, trigger string) (client.Report, error)
	Enrol(ctx context.Context, hqURL, code string) (client.EnrolResult, error)
}

var _ Syncer = (*client.Client)(nil)

// Run shows the window and returns once it is closed, having stopped the
// UI's background work. When the context given to New is done (Ctrl+C or
// SIGTERM in the terminal) the window closes as its close button closes it,
// its size saved. The caller built the store and the sync client handed to
// New and closes them after Run.
func (u *UI) Run() error {
	running := make(chan struct{})
	go func() {
		select {
		case <-u.outer.Done():
			fyne.Do(func() {
				u.saveSize()
				u.app.Quit()
			})
		case <-running:
		}
	}()
	u.win.ShowAndRun()
	close(running)
	u.Close()
	return nil
}
