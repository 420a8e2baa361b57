package main

import (
	"context"

	"github.com/oman-sca/safeer/ui"
)

// runApp opens the desktop app on the database.
func (m *Main) runApp(ctx context.Context) error {
	m.Stderr.Write(m.InitLog)
	s, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return ui.Run(ctx, s)
}
