package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/spreadsheet"
)

// importWizard brings a roster spreadsheet in: pick a CSV or XLSX file, see
// its first rows and which column feeds which field (pre-filled by the
// automatic mapping, changeable), check it (a dry run that reports every
// bad cell by row), import it with a progress bar, and undo the last import.
type importWizard struct {
	u    *UI
	done func()

	path     *entry
	table    *spreadsheet.Table
	fields   []*widget.Select // one per column
	preview  *widget.Table
	mapping  *fyne.Container
	report   *label
	problems *fyne.Container
	skip     *widget.Check
	check    *widget.Button
	run      *widget.Button
	undo     *widget.Button
	bar      *widget.ProgressBar
	busy     bool
	dialog   dialog.Dialog
	content  fyne.CanvasObject
}

const previewRows = 5

func newImportWizard(u *UI, done func()) *importWizard {
	w := &importWizard{u: u, done: done}
	w.path = u.entry(u.T("import.pathph"))
	w.path.OnSubmitted = func(string) { w.load() }
	browse := u.button(u.T("import.choose"), theme.FolderOpenIcon(), w.browse)
	w.preview = widget.NewTable(
		func() (int, int) {
			if w.table == nil {
				return 0, 0
			}
			return min(len(w.table.Rows), previewRows) + 1, len(w.table.Header)
		},
		func() fyne.CanvasObject { return u.cell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*label)
			l.TextStyle.Bold = id.Row == 0
			col := id.Col
			if u.lang.RTL() {
				col = len(w.table.Header) - 1 - id.Col
			}
			if id.Row == 0 {
				l.SetText(w.table.Header[col])
			} else {
				l.SetText(w.table.Rows[id.Row-1].Cells[col])
			}
		},
	)
	w.mapping = container.NewVBox()
	w.report = u.wrapped("")
	w.problems = container.NewVBox()
	w.skip = widget.NewCheck(u.T("import.skipinvalid"), nil)
	w.check = u.button(u.T("import.check"), theme.SearchIcon(), func() { w.start(true) })
	w.run = u.button(u.T("import.run"), theme.UploadIcon(), func() { w.start(false) })
	w.run.Importance = widget.HighImportance
	w.undo = u.button(u.T("import.undo"), u.undoIcon(), w.undoLast)
	w.check.Disable()
	w.run.Disable()
	w.bar = widget.NewProgressBar()
	w.bar.Hide()

	left := container.NewBorder(u.heading(u.T("import.mapping")), nil, nil, nil, container.NewVScroll(w.mapping))
	right := container.NewBorder(
		container.NewVBox(u.heading(u.T("import.report")), w.report), nil, nil, nil,
		container.NewVScroll(w.problems))
	w.content = container.NewBorder(
		container.NewVBox(
			u.wrapped(u.T("import.help")),
			u.border(nil, nil, nil, browse, w.path),
			u.heading(u.T("import.preview")),
			fixedHeight(w.preview, 170),
		),
		container.NewVBox(w.bar, u.row(w.skip), u.row(w.check, w.run, w.undo)),
		nil, nil,
		u.split(left, right, 0.45),
	)
	return w
}

// show opens the wizard in a dialog over the window.
func (w *importWizard) show() {
	u := w.u
	w.dialog = u.custom(u.T("import.title"), u.T("button.close"), w.content)
	size := u.win.Canvas().Size()
	w.dialog.Resize(fyne.NewSize(max(size.Width*0.9, 700), max(size.Height*0.9, 520)))
	w.dialog.SetOnClosed(func() {
		if w.done != nil {
			w.done()
		}
	})
	w.dialog.Show()
	u.focus(w.path)
}

func (w *importWizard) browse() {
	u := w.u
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		w.path.SetText(r.URI().Path())
		w.load()
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".xlsx", ".xlsm", ".txt", ".tsv"}))
	d.Resize(fyne.NewSize(800, 560))
	u.showFileDialog(d)
}

// load reads the file off Fyne's goroutine and shows its first rows and
// the automatic mapping.
func (w *importWizard) load() {
	u := w.u
	path := strings.TrimSpace(w.path.Text)
	if path == "" {
		return
	}
	w.report.SetText(u.T("import.reading"))
	background(u, func(ctx context.Context) (*spreadsheet.Table, error) {
		return spreadsheet.Open(path)
	}, func(t *spreadsheet.Table, err error) {
		w.problems.RemoveAll()
		if err != nil {
			w.table = nil
			w.report.SetText(u.words(err))
			w.check.Disable()
			w.run.Disable()
			w.preview.Refresh()
			return
		}
		w.table = t
		m, merr := spreadsheet.MapColumns(t.Header, nil)
		w.showMapping(m)
		w.preview.Refresh()
		for i := range t.Header {
			w.preview.SetColumnWidth(i, w.columnWidth(i))
		}
		w.report.SetText(u.N("import.rows", len(t.Rows)))
		if merr != nil {
			w.report.SetText(w.report.Text + "\n" + u.words(merr))
		}
		w.check.Enable()
		w.run.Enable()
	})
}

// fieldLabel names a field for the mapping's drop-downs.
func (w *importWizard) fieldOptions() []string {
	opts := []string{w.u.T("import.ignore")}
	for _, f := range spreadsheet.Fields {
		opts = append(opts, w.u.fieldName(f))
	}
	return opts
}

func (w *importWizard) showMapping(m spreadsheet.Mapping) {
	u := w.u
	w.mapping.RemoveAll()
	w.fields = nil
	byCol := map[int]string{}
	for f, c := range m.Columns {
		byCol[c] = f
	}
	var rows []formRow
	for i, h := range w.table.Header {
		sel := u.selectBox(w.fieldOptions(), nil)
		sel.SetSelectedIndex(0)
		if f, ok := byCol[i]; ok {
			for j, g := range spreadsheet.Fields {
				if g == f {
					sel.SetSelectedIndex(j + 1)
				}
			}
		}
		w.fields = append(w.fields, sel)
		name := spreadsheet.ColumnLetter(i)
		if strings.TrimSpace(h) != "" {
			name += " · " + h
		}
		rows = append(rows, formRow{name, sel})
	}
	w.mapping.Add(u.form(rows...))
	w.mapping.Refresh()
}

// overrides is the mapping as the person left it, as ImportOptions takes
// it: every column named (by header, or by letter when its header is blank
// or repeated) with its field or "-".
func (w *importWizard) overrides() map[string]string {
	out := map[string]string{}
	count := map[string]int{}
	for _, h := range w.table.Header {
		count[strings.TrimSpace(h)]++
	}
	for i, h := range w.table.Header {
		key := strings.TrimSpace(h)
		if key == "" || count[key] > 1 {
			key = spreadsheet.ColumnLetter(i)
		}
		f := "-"
		if j := w.fields[i].SelectedIndex(); j > 0 {
			f = spreadsheet.Fields[j-1]
		}
		out[key] = f
	}
	return out
}

// start checks (dry run) or imports, off Fyne's goroutine, with progress.
func (w *importWizard) start(dryRun bool) { w.startWith(dryRun, false) }

// startWith is start; again imports a file even though it was imported
// before (the coordinator said so).
func (w *importWizard) startWith(dryRun, again bool) {
	u := w.u
	if w.table == nil || w.busy {
		return
	}
	w.busy = true
	w.check.Disable()
	w.run.Disable()
	w.bar.SetValue(0)
	w.bar.Show()
	opt := data.ImportOptions{
		Source:      w.path.Text,
		Overrides:   w.overrides(),
		DryRun:      dryRun,
		SkipInvalid: w.skip.Checked,
		Again:       again,
		Progress: func(done, total int) {
			if total > 0 {
				v := float64(done) / float64(total)
				do(func() { w.bar.SetValue(v) })
			}
		},
	}
	tbl := w.table
	background(u, func(ctx context.Context) (*data.ImportReport, error) {
		return u.store.Import(ctx, tbl, opt)
	}, func(rep *data.ImportReport, err error) {
		w.busy = false
		w.check.Enable()
		w.run.Enable()
		w.bar.Hide()
		if err != nil && rep == nil {
			w.report.SetText(u.words(err))
			return
		}
		if errors.Is(err, data.ErrImportedBefore) {
			w.askAgain(rep.Previous)
			return
		}
		w.showReport(rep, err)
		if !dryRun && err == nil {
			u.changed()
			if w.done != nil {
				w.done()
			}
		}
	})
}

// askAgain says the file was imported before, when and by whom, and
// imports it once more only if the coordinator chooses to.
func (w *importWizard) askAgain(prev *data.ImportBatch) {
	u := w.u
	msg := u.F("import.before", prev.Source, shortDate(prev.ImportedAt), byOrDash(prev.By), prev.Imported)
	w.report.SetText(msg)
	u.askConfirm(u.T("import.beforetitle"), u.T("import.again"), u.T("import.stop"), u.wrapped(msg), func(ok bool) {
		if ok {
			w.startWith(false, true)
		}
	})
}

func (w *importWizard) showReport(rep *data.ImportReport, err error) {
	u := w.u
	var lines []string
	if rep.Previous != nil && rep.DryRun {
		p := rep.Previous
		lines = append(lines, u.F("import.before", p.Source, shortDate(p.ImportedAt), byOrDash(p.By), p.Imported))
	}
	if rep.DryRun {
		lines = append(lines, u.F("import.dryrun", rep.Rows, rep.Valid, rep.InvalidRows, len(rep.Duplicates)))
	} else {
		lines = append(lines, u.F("import.done", rep.Imported, rep.Rows, len(rep.Duplicates)))
	}
	if errors.Is(err, data.ErrInvalidRows) {
		lines = append(lines, u.T("error.invalidrows"))
	} else if err != nil {
		lines = append(lines, u.words(err))
	}
	if len(rep.Unmapped) > 0 {
		lines = append(lines, u.F("import.unmapped", strings.Join(rep.Unmapped, u.T("list.sep"))))
	}
	w.report.SetText(strings.Join(lines, "\n"))
	w.problems.RemoveAll()
	const shown = 200
	for i, e := range rep.Invalid {
		if i == shown {
			w.problems.Add(u.label(u.F("import.more", len(rep.Invalid)-shown)))
			break
		}
		l := u.wrapped(u.F("import.rowerror", e.Row, e.Column, u.lang.pick(e.Reason, e.ReasonAr)))
		l.Importance = widget.DangerImportance
		w.problems.Add(l)
	}
	for i, d := range rep.Duplicates {
		if i == shown {
			break
		}
		var who []string
		for _, m := range d.Matches {
			if m.ID != "" {
				who = append(who, personLine(u.lang, m.NameEn, m.NameAr))
			} else {
				who = append(who, u.F("import.row", m.Row))
			}
		}
		l := u.wrapped(u.F("import.duprow", d.Row, strings.Join(who, u.T("list.sep"))))
		l.Importance = widget.WarningImportance
		w.problems.Add(l)
	}
	w.problems.Refresh()
}

// undoLast takes back the newest import that is not undone yet.
func (w *importWizard) undoLast() {
	u := w.u
	background(u, func(ctx context.Context) ([]data.ImportBatch, error) {
		return u.store.ImportBatches(ctx)
	}, func(batches []data.ImportBatch, err error) {
		if err != nil {
			u.showError(u.T("import.undo"), err)
			return
		}
		var last *data.ImportBatch
		for i := range batches {
			if batches[i].UndoneAt == "" && batches[i].Imported > 0 {
				last = &batches[i]
				break
			}
		}
		if last == nil {
			w.report.SetText(u.T("import.nothingtoundo"))
			return
		}
		msg := u.F("import.undoconfirm", last.Imported, last.Source, shortDate(last.ImportedAt))
		id := last.ID
		u.askConfirm(u.T("import.undo"), u.T("import.undo"), u.T("button.cancel"), u.wrapped(msg), func(ok bool) {
			if ok {
				w.undoBatch(id)
			}
		})
	})
}

// undoBatch takes an import back.
func (w *importWizard) undoBatch(id string) {
	u := w.u
	background(u, func(ctx context.Context) (int, error) {
		return u.store.UndoImport(ctx, id)
	}, func(n int, err error) {
		if err != nil {
			u.showError(u.T("import.undo"), err)
			return
		}
		w.report.SetText(u.N("import.undone", n))
		u.changed()
		if w.done != nil {
			w.done()
		}
	})
}

// byOrDash is who imported, or a dash when nobody was recorded.
func byOrDash(by string) string {
	if by == "" {
		return "—"
	}
	return by
}

// columnWidth is the width of the preview's column i (as shown, mirrored
// in Arabic): what its header and first rows need, within bounds, so short
// columns leave room and a long one is cut (with an ellipsis) only past
// the bound.
func (w *importWizard) columnWidth(i int) float32 {
	col := i
	if w.u.lang.RTL() {
		col = len(w.table.Header) - 1 - i
	}
	texts := []string{w.table.Header[col]}
	for _, r := range w.table.Rows[:min(len(w.table.Rows), previewRows)] {
		if col < len(r.Cells) {
			texts = append(texts, r.Cells[col])
		}
	}
	var widest float32
	for _, t := range texts {
		widest = max(widest, fyne.MeasureText(displayText(t, w.u.lang.RTL()), theme.TextSize(), fyne.TextStyle{Bold: true}).Width)
	}
	return min(max(widest+2*theme.InnerPadding()+theme.Padding(), 80), 320)
}
