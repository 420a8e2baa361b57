package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/oman-sca/safeer/data"
)

// certificatesExport writes the Open Badges credentials HQ issued for this
// device's certificates (issue 16), pulled at the last sync, one file each
// (safeer-CODE.jwt, 0600) and baked into the programme's badge
// (safeer-CODE.png), so a coordinator can hand them out offline.
// Revoked certificates' credentials are left out.
func (m *Main) certificatesExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("certificates export", flag.ContinueOnError)
	dir := fs.String("open-badges", "", "write the credentials into this folder")
	workshop := fs.String("workshop", "", "only this workshop's")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *dir == "" {
		return usagef("certificates export --open-badges DIR [--workshop ID]")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		badges, err := s.OpenBadges(ctx, *workshop)
		if err != nil {
			return err
		}
		files, err := data.WriteOpenBadges(ctx, *dir, badges, nil)
		if err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"credentials": len(badges), "files": files})
			return nil
		}
		fmt.Fprintf(m.Stdout, "%d credentials written\n", len(badges))
		for _, f := range files {
			fmt.Fprintln(m.Stdout, f)
		}
		return nil
	})
}
