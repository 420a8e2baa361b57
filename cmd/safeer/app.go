package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime"

	"fyne.io/fyne/v2/app"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/ui"
)

// runApp opens the desktop app on the database. This is where the app is
// put together: the store, the sync client on it with its scheduler (sync
// in the background every few minutes and as soon as HQ is back), and the
// window that is given both; each is closed here, in the reverse order.
func (m *Main) runApp(ctx context.Context) error {
	if !hasDisplay(runtime.GOOS, os.Getenv) {
		// Without a display (cron, ssh, a service) GLFW panics with a stack
		// trace: most likely a script that forgot its command.
		return usagef("no command given, and no display to open the app on (neither DISPLAY nor WAYLAND_DISPLAY is set)")
	}
	m.Stderr.Write(m.InitLog)
	s, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	// The app's sync logs nowhere: what people need to know is on screen
	// (the status bar, the Sync screen and its log of runs).
	c := client.New(s, client.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	sched, err := c.StartScheduler(client.ScheduleOptions{})
	if err != nil {
		slog.Warn("safeer: background sync not started", "err", err)
	} else {
		defer sched.Stop()
	}
	a := app.NewWithID(ui.AppID)
	// WithLock: the store encrypts personal fields (issue 14), so the app
	// opens on the lock screen, or on the first start that encrypts a
	// clear one, and locks when idle.
	wrong := func(err error) bool { return errors.Is(err, data.ErrWrongPassphrase) }
	u := ui.New(ctx, a, a.NewWindow("Safeer — سفير"), s, c, ui.WithLock(wrong))
	return u.Run()
}

// hasDisplay tells whether the app has a screen to open on: always on
// Windows and macOS, with an X11 or Wayland display elsewhere.
func hasDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "windows", "darwin", "android", "ios":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}
