package main

import (
	"context"
	"os"
	"runtime"

	"github.com/oman-sca/safeer/ui"
)

// runApp opens the desktop app on the database.
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
	return ui.Run(ctx, s)
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
