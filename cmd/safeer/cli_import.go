package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/spreadsheet"
)

// mapFlags collects repeated --map HEADER=FIELD overrides.
type mapFlags map[string]string

func (m mapFlags) String() string { return fmt.Sprint(map[string]string(m)) }

func (m mapFlags) Set(v string) error {
	k, f, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(f) == "" {
		return fmt.Errorf("--map takes HEADER=FIELD, e.g. --map \"Mobile No=phone\"")
	}
	m[strings.TrimSpace(k)] = strings.TrimSpace(f)
	return nil
}

func (m *Main) runImport(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "undo" {
		return m.importUndo(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "list" {
		return m.importList(ctx, args[1:])
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	opt := data.ImportOptions{Overrides: mapFlags{}}
	fs.BoolVar(&opt.DryRun, "dry-run", false, "check every row and report; change nothing")
	fs.BoolVar(&opt.SkipInvalid, "skip-invalid", false, "import the valid rows even if some rows are not valid")
	fs.BoolVar(&opt.Again, "again", false, "import the file even though it was imported before")
	fs.Var(mapFlags(opt.Overrides), "map", "HEADER=FIELD: read the column HEADER as FIELD (repeatable)")
	sheetName := fs.String("sheet", "", "XLSX: the worksheet to read (default: the first visible)")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "import FILE (CSV or XLSX)"); err != nil {
		return err
	}
	path := pos[0]
	var tbl *spreadsheet.Table
	if *sheetName != "" {
		tbl, err = openSheet(path, *sheetName)
	} else {
		tbl, err = spreadsheet.Open(path)
	}
	if err != nil {
		return err
	}
	opt.Source = filepath.Base(path)
	return m.withStore(ctx, func(s *data.Store) error {
		rep, err := s.Import(ctx, tbl, opt)
		if rep != nil {
			m.printImportReport(rep)
		}
		if errors.Is(err, data.ErrInvalidRows) {
			return message.NewError("cli.import.invalid_rows", message.Int("invalid", rep.InvalidRows), message.Int("valid", rep.Valid))
		}
		if errors.Is(err, data.ErrImportedBefore) {
			p := rep.Previous
			args := []message.Arg{message.Quoted("source", p.Source), message.Latin("when", p.ImportedAt), message.Latin("batch", p.ID)}
			if p.By != "" {
				return message.NewError("cli.import.again_by", append(args, message.Text("by", p.By))...)
			}
			return message.NewError("cli.import.again", args...)
		}
		return err
	})
}

func byWhom(by string) string {
	if by == "" {
		return ""
	}
	return " by " + by
}

func (m *Main) printImportReport(rep *data.ImportReport) {
	if m.JSON {
		m.printJSON(m.Stdout, rep)
		return
	}
	w := m.Stdout
	if p := rep.Previous; p != nil && rep.DryRun {
		fmt.Fprintf(w, "This file was imported before: %s, %s%s (batch %s)\n", p.Source, p.ImportedAt, byWhom(p.By), p.ID)
	}
	fmt.Fprintf(w, "%d rows read, %d valid, %d with problems", rep.Rows, rep.Valid, rep.InvalidRows)
	switch {
	case rep.DryRun:
		fmt.Fprintln(w, " (dry run: nothing was changed)")
	case rep.Imported > 0:
		fmt.Fprintf(w, ", %d imported as batch %s\n", rep.Imported, rep.Batch)
	default:
		fmt.Fprintln(w, ", nothing imported")
	}
	if len(rep.Unmapped) > 0 {
		fmt.Fprintf(w, "Columns not read: %s\n", strings.Join(rep.Unmapped, ", "))
	}
	if len(rep.Invalid) > 0 {
		fmt.Fprintln(w, "Rows not valid:")
		for _, e := range rep.Invalid {
			fmt.Fprintf(w, "  row %d, column %q: %s\n", e.Row, e.Column, e.Reason)
		}
	}
	if len(rep.Duplicates) > 0 {
		fmt.Fprintln(w, "Rows that look like people already known (imported; review and merge):")
		for _, d := range rep.Duplicates {
			var ms []string
			for _, mt := range d.Matches {
				who := mt.ID
				if mt.Row > 0 {
					who = fmt.Sprintf("row %d", mt.Row)
				}
				ms = append(ms, fmt.Sprintf("%s %s (%s)", who, firstNonEmpty(mt.NameAr, mt.NameEn),
					strings.Join(data.Match{Reasons: mt.Reasons}.Why(false), ", ")))
			}
			fmt.Fprintf(w, "  row %d looks like %s\n", d.Row, strings.Join(ms, "; "))
		}
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (m *Main) importUndo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import undo", flag.ContinueOnError)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(1, pos, "import undo BATCH"); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		n, err := s.UndoImport(ctx, pos[0])
		if err != nil {
			return err
		}
		if m.JSON {
			m.printJSON(m.Stdout, map[string]any{"batch": pos[0], "removed": n})
			return nil
		}
		fmt.Fprintf(m.Stdout, "import %s undone: %d people removed\n", pos[0], n)
		return nil
	})
}

func (m *Main) importList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import list", flag.ContinueOnError)
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	return m.withStore(ctx, func(s *data.Store) error {
		bs, err := s.ImportBatches(ctx)
		if err != nil {
			return err
		}
		if m.JSON {
			if bs == nil {
				bs = []data.ImportBatch{}
			}
			m.printJSON(m.Stdout, bs)
			return nil
		}
		for _, b := range bs {
			state := ""
			if b.UndoneAt != "" {
				state = "undone " + b.UndoneAt
			}
			fmt.Fprintf(m.Stdout, "%s  %s  %s  %d/%d  %s\n", b.ID, b.ImportedAt, b.Source, b.Imported, b.Rows, state)
		}
		return nil
	})
}

// openSheet reads a named worksheet of an XLSX file.
func openSheet(path, name string) (*spreadsheet.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	return spreadsheet.ReadXLSXSheet(f, name)
}
