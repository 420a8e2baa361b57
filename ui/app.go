// Package ui is Safeer's Fyne desktop app. Screens depend on the small
// interfaces below, hold no SQL, and never block Fyne's goroutine: work runs
// in goroutines and comes back through fyne.Do.
package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/oman-sca/safeer/data"
)

// AppID is the app's identity for Fyne (preferences, storage); it matches
// FyneApp.toml.
const AppID = "om.gov.smartcity.safeer"

// Roster is what the roster screen needs from the store.
type Roster interface {
	Search(ctx context.Context, query string, opt data.SearchOptions) ([]data.SearchResult, error)
}

var _ Roster = (*data.Store)(nil)

// Run opens the main window and returns when it is closed.
func Run(ctx context.Context, store *data.Store) error {
	a := app.NewWithID(AppID)
	w := NewMainWindow(ctx, a, store)
	w.ShowAndRun()
	return nil
}

// NewMainWindow builds the main window on a.
func NewMainWindow(ctx context.Context, a fyne.App, roster Roster) fyne.Window {
	w := a.NewWindow("Safeer — سفير")
	r := newRosterScreen(ctx, roster)
	w.SetContent(r.content())
	w.Resize(fyne.NewSize(900, 640))
	w.Canvas().Focus(r.search)
	r.refresh()
	return w
}
