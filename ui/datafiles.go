package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/internal/privfile"
)

// dataFiles is the dashboard's "Backup and export": a backup of the whole
// database to a file (a USB stick, say), which the store writes 0600 and
// without the HQ sync token, and the people or the attendance as a
// spreadsheet (CSV or XLSX, by the name's extension), as `safeer backup`
// and `safeer export` do; an export first asks for confirmation (personal
// data in clear) and is written 0600 (privfile). Each runs off Fyne's
// goroutine with a progress bar; the outcome, or what went wrong, is said
// in the user's language.
type dataFiles struct {
	u       *UI
	buttons []*widget.Button
	bar     *widget.ProgressBarInfinite
	message *label
	busy    bool
	content fyne.CanvasObject
}

func newDataFiles(u *UI) *dataFiles {
	d := &dataFiles{u: u}
	d.buttons = []*widget.Button{
		u.button(u.T("files.backup"), theme.DocumentSaveIcon(), d.askBackup),
		u.button(u.T("files.exportpeople"), theme.DownloadIcon(), func() { d.askExport("people") }),
		u.button(u.T("files.exportattendance"), theme.DownloadIcon(), func() { d.askExport("attendance") }),
	}
	d.bar = widget.NewProgressBarInfinite()
	d.bar.Stop()
	d.bar.Hide()
	d.message = u.wrapped("")
	d.message.Hide()
	objs := make([]fyne.CanvasObject, len(d.buttons))
	for i, b := range d.buttons {
		objs[i] = b
	}
	d.content = container.NewVBox(
		u.heading(u.T("files.title")),
		u.wrapped(u.T("files.help")),
		u.row(objs...),
		d.bar,
		d.message,
	)
	return d
}

func (d *dataFiles) view() fyne.CanvasObject { return d.content }

// askBackup asks where to write the backup.
func (d *dataFiles) askBackup() {
	name := "safeer-backup-" + time.Now().Format("2006-01-02-1504") + ".db"
	d.askFile(name, []string{".db"}, d.backup)
}

// askExport says that the spreadsheet will hold personal data in clear
// (the database keeps it encrypted, issue 14) and, once the coordinator
// agrees, asks where to write it.
func (d *dataFiles) askExport(kind string) {
	u := d.u
	msg := u.wrapped(u.T("files.confirm.text"))
	u.askConfirm(u.T("files.confirm.title"), u.T("files.confirm.go"), u.T("button.cancel"),
		container.NewGridWrap(fyne.NewSize(460, msg.MinSize().Height+80), msg), func(ok bool) {
			if !ok {
				return
			}
			name := "safeer-" + kind + "-" + time.Now().Format("2006-01-02") + ".xlsx"
			d.askFile(name, []string{".xlsx", ".csv"}, func(path string) { d.export(kind, path) })
		})
}

// askFile shows a save dialog and hands the chosen path to then. Fyne's
// dialog creates the file (empty) before it answers; the store's backup
// never writes over a file, so that empty file is removed first.
func (d *dataFiles) askFile(name string, exts []string, then func(path string)) {
	u := d.u
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			d.fail(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close()
		if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
			os.Remove(path)
		}
		then(path)
	}, u.win)
	dlg.SetFileName(name)
	dlg.SetFilter(storage.NewExtensionFileFilter(exts))
	dlg.Resize(fyne.NewSize(760, 520))
	u.showFileDialog(dlg)
}

func (d *dataFiles) start(msg string) bool {
	if d.busy {
		return false
	}
	d.busy = true
	for _, b := range d.buttons {
		b.Disable()
	}
	d.bar.Show()
	d.bar.Start()
	d.message.Importance = widget.MediumImportance
	d.message.SetText(msg)
	d.message.Show()
	return true
}

func (d *dataFiles) finish(msg string, err error) {
	d.busy = false
	for _, b := range d.buttons {
		b.Enable()
	}
	d.bar.Stop()
	d.bar.Hide()
	if err != nil {
		d.fail(err)
		return
	}
	d.message.Importance = widget.SuccessImportance
	d.message.SetText(msg)
	d.message.Show()
}

// fail says what went wrong, in words (the technical detail follows).
func (d *dataFiles) fail(err error) {
	u := d.u
	words := u.words(err)
	if errors.Is(err, fs.ErrExist) || strings.Contains(err.Error(), "already exists") {
		words = u.T("files.exists")
	}
	d.message.Importance = widget.DangerImportance
	d.message.SetText(u.F("files.failed", words, err.Error()))
	d.message.Show()
}

// backup writes the backup to path.
func (d *dataFiles) backup(path string) {
	u := d.u
	if !d.start(u.T("files.backingup")) {
		return
	}
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.Backup(ctx, path)
	}, func(_ struct{}, err error) {
		d.finish(u.F("files.backedup", path), err)
	})
}

// export writes kind (people, attendance) to path, as CSV for a .csv name
// and XLSX otherwise (.xlsx is added to a name without an extension).
func (d *dataFiles) export(kind, path string) {
	u := d.u
	format := "xlsx"
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		format = "csv"
	case ".xlsx":
	case "":
		path += ".xlsx"
	}
	if !d.start(u.T("files.exporting")) {
		return
	}
	background(u, func(ctx context.Context) (int, error) {
		var n int
		var exportErr error
		err := privfile.Write(path, func(w io.Writer) error {
			n, exportErr = u.store.Export(ctx, kind, format, w)
			return exportErr
		})
		if exportErr != nil {
			return 0, exportErr
		}
		if err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		return n, nil
	}, func(n int, err error) {
		d.finish(u.F("files.exported", n, path), err)
	})
}
