package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/internal/privfile"
)

func workshopFlags(fs *flag.FlagSet, w *safeer.Workshop) {
	fs.StringVar(&w.TitleAr, "title-ar", w.TitleAr, "title in Arabic")
	fs.StringVar(&w.TitleEn, "title-en", w.TitleEn, "title in English")
	fs.StringVar(&w.Topic, "topic", w.Topic, "topic")
	fs.StringVar(&w.Date, "date", w.Date, "date (YYYY-MM-DD or d/m/yyyy)")
	fs.StringVar(&w.StartTime, "start-time", w.StartTime, "start time (HH:MM)")
	fs.Float64Var(&w.Hours, "hours", w.Hours, "length in hours")
	fs.StringVar(&w.Governorate, "governorate", w.Governorate, "governorate: code (OM-MA) or name")
	fs.StringVar(&w.Wilayat, "wilayat", w.Wilayat, "wilayat name, Arabic or English")
	fs.StringVar(&w.Venue, "venue", w.Venue, "venue")
	fs.StringVar(&w.Facilitator, "facilitator", w.Facilitator, "facilitator")
	fs.IntVar(&w.Capacity, "capacity", w.Capacity, "places available")
	fs.StringVar(&w.Status, "status", w.Status, "planned, held or cancelled")
	fs.Float64Var(&w.MinHours, "min-hours", w.MinHours, "hours needed for a certificate (default: all)")
}

func (m *Main) runWorkshops(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("workshops: expected add, edit, list, show or delete")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("workshops "+sub, flag.ContinueOnError)
	switch sub {
	case "add":
		var w safeer.Workshop
		workshopFlags(fs, &w)
		pos, err := m.parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("workshops add: unexpected %q (fields are flags, e.g. --title-ar)", pos[0])
		}
		return m.withStore(ctx, func(s *data.Store) error {
			if err := s.AddWorkshop(ctx, &w); err != nil {
				return err
			}
			if m.JSON {
				m.printJSON(m.Stdout, map[string]any{"id": w.ID})
				return nil
			}
			fmt.Fprintln(m.Stdout, w.ID)
			return nil
		})
	case "edit":
		var changes safeer.Workshop
		workshopFlags(fs, &changes)
		pos, err := m.parseFlags(fs, args)
		if err != nil {
			return err
		}
		if err := exactly(1, pos, "workshops edit ID --FIELD VALUE …"); err != nil {
			return err
		}
		return m.withStore(ctx, func(s *data.Store) error {
			w, err := s.Workshop(ctx, pos[0])
			if err != nil {
				return err
			}
			cur := flag.NewFlagSet("", flag.ContinueOnError)
			workshopFlags(cur, &w)
			fs.Visit(func(f *flag.Flag) {
				if f.Name != "json" && f.Name != "db" {
					cur.Set(f.Name, f.Value.String())
				}
			})
			if err := s.UpdateWorkshop(ctx, &w); err != nil {
				return err
			}
			return m.done(w)
		})
	case "list":
		if _, err := m.parseFlags(fs, args); err != nil {
			return err
		}
		return m.withStore(ctx, func(s *data.Store) error {
			ws, err := s.ListWorkshops(ctx)
			if err != nil {
				return err
			}
			if m.JSON {
				if ws == nil {
					ws = []data.WorkshopSummary{}
				}
				m.printJSON(m.Stdout, ws)
				return nil
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			for _, w := range ws {
				capacity := "-"
				if w.Capacity > 0 {
					capacity = fmt.Sprint(w.Capacity)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%s\n", w.ID, w.Date, w.TitleAr, w.TitleEn, w.Wilayat, w.Present, capacity)
			}
			return tw.Flush()
		})
	case "show":
		pos, err := m.parseFlags(fs, args)
		if err != nil {
			return err
		}
		if err := exactly(1, pos, "workshops show ID"); err != nil {
			return err
		}
		return m.withStore(ctx, func(s *data.Store) error {
			w, err := s.Workshop(ctx, pos[0])
			if err != nil {
				return err
			}
			att, err := s.WorkshopAttendance(ctx, w.ID)
			if err != nil {
				return err
			}
			if m.JSON {
				m.printJSON(m.Stdout, map[string]any{"workshop": w, "attendance": att})
				return nil
			}
			fmt.Fprintf(m.Stdout, "%s  %s / %s  %s %s\n", w.ID, w.TitleAr, w.TitleEn, w.Date, w.Wilayat)
			for _, a := range att {
				fmt.Fprintf(m.Stdout, "  %s  %s  %s  %g h\n", a.Person.DisplayName(), a.Status, a.CheckedInAt, a.Hours)
			}
			return nil
		})
	case "delete":
		pos, err := m.parseFlags(fs, args)
		if err != nil {
			return err
		}
		if err := exactly(1, pos, "workshops delete ID"); err != nil {
			return err
		}
		return m.withStore(ctx, func(s *data.Store) error {
			if err := s.DeleteWorkshop(ctx, pos[0]); err != nil {
				return err
			}
			return m.done(map[string]any{"id": pos[0], "deleted": true})
		})
	}
	return usagef("workshops: unknown subcommand %q", sub)
}

func (m *Main) runAttend(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("attend", flag.ContinueOnError)
	var a safeer.Attendance
	fs.Float64Var(&a.Hours, "hours", 0, "hours attended (default: the whole workshop)")
	fs.StringVar(&a.Status, "status", safeer.Present, "present, absent or excused")
	undo := fs.Bool("undo", false, "undo the check-in")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(2, pos, "attend WORKSHOP PERSON"); err != nil {
		return err
	}
	a.WorkshopID, a.PersonID = pos[0], pos[1]
	return m.withStore(ctx, func(s *data.Store) error {
		if *undo {
			if err := s.Unattend(ctx, a.WorkshopID, a.PersonID); err != nil {
				return err
			}
			return m.done(map[string]any{"workshop_id": a.WorkshopID, "person_id": a.PersonID, "undone": true})
		}
		if err := s.Attend(ctx, &a); err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, a)
			return nil
		}
		fmt.Fprintln(m.Stdout, a.ID)
		return nil
	})
}

func (m *Main) runExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	format := fs.String("format", "", "csv or xlsx (default: from --out's extension)")
	out := fs.String("out", "", "file to write")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "export people|workshops|attendance --out FILE"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("export: --out FILE is required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	return m.withStore(ctx, func(s *data.Store) error {
		// Written next to the target and renamed, so a failed export never
		// leaves half a file under the name a person will open; readable by
		// its owner only (0600): it holds civil IDs and phones.
		var n int
		var exportErr error
		err := privfile.Write(*out, func(w io.Writer) error {
			n, exportErr = s.Export(ctx, pos[0], *format, w)
			return exportErr
		})
		if exportErr != nil {
			return exportErr
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"rows": n, "file": *out})
			return nil
		}
		fmt.Fprintf(m.Stdout, "%d rows written to %s\n", n, *out)
		return nil
	})
}

func (m *Main) runBackup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "backup FILE"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		if err := s.Backup(ctx, pos[0]); err != nil {
			return err
		}
		return m.done(map[string]any{"backup": pos[0]})
	})
}
