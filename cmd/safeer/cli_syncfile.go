package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// Sync by file (issue 15): safeer sync export --out FILE|DIR, safeer sync
// import FILE, safeer sync relay DIR. Refusals are messages of the
// catalogue, said in the reader's languages.

func (m *Main) runSyncExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync export", flag.ContinueOnError)
	out := fs.String("out", "", "the file to write (or a folder: a new name in it)")
	verbose := fs.Bool("verbose", false, "log what sync does")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *out == "" {
		return usagef("expected sync export --out FILE (or a folder, e.g. the USB stick)")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		c := m.newClient(s, *verbose)
		var rep client.ExportReport
		var err error
		if fi, serr := os.Stat(*out); serr == nil && fi.IsDir() {
			rep, err = c.ExportTo(ctx, *out)
		} else {
			rep, err = c.Export(ctx, *out)
		}
		if err != nil {
			return err
		}
		m.printReport(rep)
		return nil
	})
}

func (m *Main) runSyncImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync import", flag.ContinueOnError)
	verbose := fs.Bool("verbose", false, "log what sync does")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected sync import FILE (HQ's reply, %s)", syncfile.ReplyExt)
	}
	return m.withStore(ctx, func(s *data.Store) error {
		rep, err := m.newClient(s, *verbose).Import(ctx, pos[0])
		if err != nil {
			return err
		}
		m.printReport(rep)
		return nil
	})
}

func (m *Main) runSyncRelay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sync relay", flag.ContinueOnError)
	verbose := fs.Bool("verbose", false, "log what sync does")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected sync relay DIR (the folder of sync files to carry to HQ)")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		results, err := m.newClient(s, *verbose).Relay(ctx, pos[0])
		if m.JSON {
			m.printJSON(m.Stdout, results)
		} else {
			for _, r := range results {
				if r.Error != nil {
					fmt.Fprintf(m.Stdout, "%s:\n", r.Path)
				}
				fmt.Fprintln(m.Stdout, m.say(r.Message()))
			}
		}
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Error != nil {
				return errQuiet
			}
		}
		return nil
	})
}

// printReport prints a sync file's report: as JSON with --json, else its
// message in the run's languages.
func (m *Main) printReport(rep interface{ Message() message.Message }) {
	if m.JSON {
		m.printJSON(m.Stdout, rep)
		return
	}
	fmt.Fprintln(m.Stdout, m.say(rep.Message()))
}
