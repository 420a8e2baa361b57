package ui

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
)

// certificatesScreen issues a workshop's certificates: who is eligible and
// who is not and why, "issue all" with a progress bar (the work runs in a
// goroutine), the PDF opened in the system's viewer for printing, and the
// issued certificates with reprint and revoke; the Open Badges credentials
// HQ sent back are saved from here too (certificates_badges.go).
type certificatesScreen struct {
	u     *UI
	store CertificateStore

	workshops  []data.WorkshopSummary
	workshopID string
	picker     *widget.Select
	folder     *label

	eligible    []data.Eligible
	skipped     []data.Skipped
	issued      []data.CertificateRow
	eligibleBox *widget.List
	skippedBox  *widget.List
	skippedCols *table
	issuedBox   *widget.List
	eligibleN   *label
	skippedN    *label

	issue    *widget.Button
	progress *widget.ProgressBar
	message  *label
	open     *widget.Button
	lastPDF  string
	// fixWorkshop and fixSettings lead to what a refused issue lacks;
	// showFolder opens the PDFs' folder when no PDF viewer is installed.
	fixWorkshop *widget.Button
	fixSettings *widget.Button
	showFolder  *widget.Button
	// badges saves the workshop's Open Badges credentials (issue 16);
	// savingBadges is true while it writes them.
	badges       *widget.Button
	savingBadges bool
	// openURL opens a file in the system's viewer (the app's OpenURL);
	// tests replace it.
	openURL func(*url.URL) error
	running bool
	content fyne.CanvasObject
	loads   latest
}

func newCertificatesScreen(u *UI) *certificatesScreen {
	c := &certificatesScreen{u: u, store: u.store}
	c.openURL = u.app.OpenURL
	c.picker = u.selectBox(nil, func(string) {
		i := c.picker.SelectedIndex()
		if i >= 0 && i < len(c.workshops) && c.workshops[i].ID != c.workshopID {
			c.workshopID = c.workshops[i].ID
			c.lastPDF = ""
			c.open.Hide()
			c.hideFixes()
			c.message.SetText("")
			c.load()
		}
	})
	c.folder = u.cell()
	chooseFolder := u.button(u.T("certs.choosefolder"), theme.FolderOpenIcon(), c.chooseFolder)
	c.eligibleN = u.heading("")
	c.skippedN = u.heading("")
	// Names take what the others leave. The reasons people are not
	// eligible are the point of that list: their column fits the longest
	// of them (setSamples in load), the name gives way.
	eligibleCols := u.table(
		column{grow: 1},
		column{samples: []string{u.F("hours.n", "10.5")}},
		column{samples: []string{"WMXKD-QRHNB", u.T("certs.notyet")}},
	)
	c.skippedCols = u.table(column{grow: 1}, column{grow: 1})
	issuedCols := u.table(
		column{samples: []string{"WMXKD-QRHNB"}},
		column{grow: 1},
		column{samples: []string{"2026-12-31", u.T("certs.revoked")}},
		column{fit: u.button(u.T("certs.reprint"), theme.DocumentPrintIcon(), nil)},
		column{fit: u.button(u.T("certs.revoke"), theme.CancelIcon(), nil)},
		column{fit: u.button(u.T("certs.badge"), theme.DownloadIcon(), nil)},
	)
	c.eligibleBox = widget.NewList(
		func() int { return len(c.eligible) },
		func() fyne.CanvasObject { return eligibleCols.row(u.cell(), u.cell(), u.cell()) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.eligible) {
				return
			}
			e := c.eligible[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(personLine(u.lang, e.Person.NameEn, e.Person.NameAr))
			cells[1].(*label).SetText(u.F("hours.n", formatHours(e.Hours)))
			if e.Current != nil {
				cells[2].(*label).SetText(certificate.FormatCode(e.Current.Code))
			} else {
				cells[2].(*label).SetText(u.T("certs.notyet"))
			}
		},
	)
	c.skippedBox = widget.NewList(
		func() int { return len(c.skipped) },
		func() fyne.CanvasObject { return c.skippedCols.row(u.cell(), u.cell()) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.skipped) {
				return
			}
			s := c.skipped[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(personLine(u.lang, s.NameEn, s.NameAr))
			cells[1].(*label).SetText(u.lang.pick(s.En, s.Ar))
			o.Refresh() // lays out again: the columns fit this workshop's reasons
		},
	)
	c.issuedBox = widget.NewList(
		func() int { return len(c.issued) },
		func() fyne.CanvasObject {
			reprint := u.button(u.T("certs.reprint"), theme.DocumentPrintIcon(), nil)
			revoke := u.button(u.T("certs.revoke"), theme.CancelIcon(), nil)
			badge := u.button(u.T("certs.badge"), theme.DownloadIcon(), nil)
			reprint.Importance, revoke.Importance, badge.Importance = widget.LowImportance, widget.LowImportance, widget.LowImportance
			return issuedCols.row(u.cell(), u.cell(), u.cell(), reprint, revoke, badge)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.issued) {
				return
			}
			r := c.issued[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(certificate.FormatCode(r.Code))
			cells[1].(*label).SetText(personLine(u.lang, r.Snapshot.PersonNameEn, r.Snapshot.PersonNameAr))
			state := cells[2].(*label)
			reprint, revoke, badge := cells[3].(*widget.Button), cells[4].(*widget.Button), cells[5].(*widget.Button)
			if r.RevokedAt != "" {
				state.SetText(u.T("certs.revoked"))
				reprint.Disable()
				revoke.Disable()
				badge.Disable()
			} else {
				state.SetText(shortDate(r.IssuedAt))
				reprint.Enable()
				revoke.Enable()
				badge.Enable()
			}
			reprint.OnTapped = func() { c.reprint(r) }
			revoke.OnTapped = func() { c.askRevoke(r) }
			badge.OnTapped = func() { c.saveBadges(&r) }
		},
	)
	// What a row cuts short is whole on the message line when it is chosen.
	c.eligibleBox.OnSelected = func(id widget.ListItemID) {
		if id < len(c.eligible) {
			e := c.eligible[id]
			c.message.SetText(u.F("person.hours", personLine(u.lang, e.Person.NameEn, e.Person.NameAr), formatHours(e.Hours)))
		}
		c.eligibleBox.UnselectAll()
	}
	c.skippedBox.OnSelected = func(id widget.ListItemID) {
		if id < len(c.skipped) {
			s := c.skipped[id]
			c.message.SetText(u.F("pair", personLine(u.lang, s.NameEn, s.NameAr), u.lang.pick(s.En, s.Ar)))
		}
		c.skippedBox.UnselectAll()
	}
	c.issuedBox.OnSelected = func(id widget.ListItemID) {
		if id < len(c.issued) {
			r := c.issued[id]
			c.message.SetText(u.F("pair", certificate.FormatCode(r.Code), personLine(u.lang, r.Snapshot.PersonNameEn, r.Snapshot.PersonNameAr)))
		}
		c.issuedBox.UnselectAll()
	}
	c.issue = u.button(u.T("certs.issueall"), theme.DocumentPrintIcon(), c.issueAll)
	c.issue.Importance = widget.HighImportance
	c.progress = widget.NewProgressBar()
	c.progress.Hide()
	c.message = u.wrapped("")
	c.open = u.button(u.T("certs.open"), theme.FileIcon(), func() { c.openFile(c.lastPDF) })
	c.open.Hide()
	c.fixWorkshop = u.button(u.T("certs.fixworkshop"), theme.DocumentCreateIcon(), c.editWorkshop)
	c.fixSettings = u.button(u.T("certs.fixsettings"), theme.SettingsIcon(), func() { u.show(screenSettings) })
	c.showFolder = u.button(u.T("certs.showfolder"), theme.FolderOpenIcon(), func() { c.openFolder(c.lastPDF) })
	c.badges = u.button(u.T("certs.badges"), theme.DownloadIcon(), func() { c.saveBadges(nil) })
	c.hideFixes()

	top := container.NewVBox(
		u.border(nil, nil, u.label(u.T("checkin.workshop")), nil, c.picker),
		u.border(nil, nil, u.label(u.T("certs.folder")), chooseFolder, c.folder),
		u.row(c.issue, c.badges, c.open, c.showFolder, c.fixWorkshop, c.fixSettings),
		c.progress,
		c.message,
		widget.NewSeparator(),
	)
	lists := container.NewGridWithRows(2,
		u.split(
			container.NewBorder(c.eligibleN, nil, nil, nil, c.eligibleBox),
			container.NewBorder(c.skippedN, nil, nil, nil, c.skippedBox), 0.5),
		container.NewBorder(u.heading(u.T("certs.issued")), nil, nil, nil, c.issuedBox),
	)
	c.content = container.NewBorder(top, nil, nil, nil, lists)
	return c
}

func (c *certificatesScreen) view() fyne.CanvasObject { return c.content }

func (c *certificatesScreen) shown() {
	c.folder.SetText(c.dir())
	c.loadWorkshops()
}

// setWorkshop chooses the workshop shown next time.
func (c *certificatesScreen) setWorkshop(id string) { c.workshopID = id }

func shortDate(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

// dir is where PDFs go: the folder chosen in the app, else "Safeer
// certificates" in the user's Documents (or home) folder.
func (c *certificatesScreen) dir() string {
	if d := c.u.app.Preferences().String(prefCertsDir); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return os.TempDir()
	}
	docs := filepath.Join(home, "Documents")
	if st, err := os.Stat(docs); err != nil || !st.IsDir() {
		docs = home
	}
	return filepath.Join(docs, "Safeer certificates")
}

func (c *certificatesScreen) chooseFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		c.u.app.Preferences().SetString(prefCertsDir, l.Path())
		c.folder.SetText(l.Path())
	}, c.u.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(c.dir())); err == nil {
		d.SetLocation(l)
	}
	c.u.showFileDialog(d)
}

func (c *certificatesScreen) loadWorkshops() {
	u := c.u
	background(u, func(ctx context.Context) ([]data.WorkshopSummary, error) {
		return c.store.ListWorkshops(ctx)
	}, func(ws []data.WorkshopSummary, err error) {
		if err != nil {
			u.showError(u.T("nav.certificates"), err)
			return
		}
		c.workshops = ws
		var names []string
		chosen := -1
		for i, w := range ws {
			names = append(names, u.text(u.F("pair", u.lang.pick(w.TitleEn, w.TitleAr), w.Date)))
			if w.ID == c.workshopID {
				chosen = i
			}
		}
		if chosen < 0 { // the newest workshop people attended
			for i, w := range ws {
				if w.Present > 0 {
					chosen = i
					break
				}
			}
		}
		if chosen < 0 && len(ws) > 0 {
			chosen = 0
		}
		c.picker.Options = names
		if chosen >= 0 {
			c.workshopID = ws[chosen].ID
			c.picker.SetSelectedIndex(chosen)
		}
		c.picker.Refresh()
		c.load()
	})
}

type certState struct {
	eligible []data.Eligible
	skipped  []data.Skipped
	issued   []data.CertificateRow
}

// load reads who is eligible and what was issued.
func (c *certificatesScreen) load() {
	u := c.u
	id := c.workshopID
	if id == "" {
		return
	}
	current := c.loads.next()
	background(u, func(ctx context.Context) (certState, error) {
		var st certState
		var err error
		if st.eligible, st.skipped, err = c.store.Eligibility(ctx, id); err != nil {
			return st, err
		}
		st.issued, err = c.store.WorkshopCertificates(ctx, id)
		return st, err
	}, func(st certState, err error) {
		if !current() {
			return
		}
		if err != nil {
			u.showError(u.T("nav.certificates"), err)
			return
		}
		c.eligible, c.skipped = st.eligible, st.skipped
		var reasons []string
		for _, s := range st.skipped {
			reasons = append(reasons, u.lang.pick(s.En, s.Ar))
		}
		c.skippedCols.setSamples(1, reasons)
		// Newest first: the ones just printed are on top.
		c.issued = c.issued[:0:0]
		for i := len(st.issued) - 1; i >= 0; i-- {
			c.issued = append(c.issued, st.issued[i])
		}
		c.eligibleN.SetText(u.F("certs.eligible", len(st.eligible)))
		c.skippedN.SetText(u.F("certs.skipped", len(st.skipped)))
		c.eligibleBox.Refresh()
		c.skippedBox.Refresh()
		c.issuedBox.Refresh()
		if !c.running {
			if len(st.eligible) == 0 {
				c.issue.Disable()
			} else {
				c.issue.Enable()
			}
		}
	})
}

// pageCounter is a context that counts the pages certificate.Render makes:
// Render checks its context once before each page. It turns that into the
// progress bar's steps.
type pageCounter struct {
	context.Context
	pages  atomic.Int64
	onPage func(n int)
}

func (p *pageCounter) Err() error {
	if err := p.Context.Err(); err != nil {
		return err
	}
	p.onPage(int(p.pages.Add(1)))
	return nil
}

type issueResult struct {
	report *data.IssueReport
	path   string
}

// issueAll issues every eligible attendee's certificate and prints them all
// into one PDF, in a goroutine, with progress: issuing is the first tenth,
// each page the rest.
func (c *certificatesScreen) issueAll() {
	u := c.u
	w, ok := c.workshop()
	if !ok || c.running {
		return
	}
	// The first issue on this computer asks who signs, once.
	if t := u.template(); !u.app.Preferences().Bool(prefSignatoryAsked) &&
		(strings.TrimSpace(t.Vars["signatory_name_ar"]) == "" || strings.TrimSpace(t.Vars["signatory_name_en"]) == "") {
		c.askSignatory(c.issueAll)
		return
	}
	c.running = true
	c.issue.Disable()
	c.open.Hide()
	c.hideFixes()
	c.progress.SetValue(0)
	c.progress.Show()
	c.message.SetText(u.T("certs.issuing"))
	dir := c.dir()
	tmpl := u.template()
	background(u, func(ctx context.Context) (issueResult, error) {
		// Nothing is issued that would print a blank.
		rep, signed, err := c.store.IssueToPrint(ctx, w.ID, tmpl)
		if err != nil {
			return issueResult{}, err
		}
		if len(signed) == 0 {
			return issueResult{report: rep}, nil
		}
		do(func() {
			c.progress.SetValue(0.1)
			c.message.SetText(u.N("certs.printing", len(signed)))
		})
		n := float64(len(signed))
		pc := &pageCounter{Context: ctx, onPage: func(page int) {
			do(func() { c.progress.SetValue(0.1 + 0.9*float64(page-1)/n) })
		}}
		path := filepath.Join(dir, certificate.FileName(u.lang.pick(w.TitleEn, w.TitleAr), w.Date))
		if err := certificate.WriteFile(pc, path, tmpl, signed...); err != nil {
			return issueResult{report: rep}, err
		}
		return issueResult{report: rep, path: path}, nil
	}, func(res issueResult, err error) {
		c.running = false
		c.issue.Enable()
		if err != nil {
			c.progress.Hide()
			c.message.SetText("")
			var ie *data.IncompleteError
			if errors.As(err, &ie) {
				c.refused(ie)
				return
			}
			u.showError(u.T("certs.issueall"), err)
			c.load()
			return
		}
		c.progress.SetValue(1)
		rep := res.report
		c.message.SetText(u.F("certs.done", len(rep.Issued), len(rep.Reprints), len(rep.Skipped)))
		if res.path != "" {
			c.lastPDF = res.path
			c.message.SetText(c.message.Text + "\n" + u.F("certs.saved", res.path))
			c.open.Show()
		}
		c.load()
		u.changed()
	})
}

func (c *certificatesScreen) workshop() (data.WorkshopSummary, bool) {
	for _, w := range c.workshops {
		if w.ID == c.workshopID {
			return w, true
		}
	}
	return data.WorkshopSummary{}, false
}

// reprint prints one certificate again, exactly as issued, and opens it.
func (c *certificatesScreen) reprint(r data.CertificateRow) {
	u := c.u
	dir := c.dir()
	tmpl := u.template()
	background(u, func(ctx context.Context) (string, error) {
		paths, err := certificate.WriteEach(ctx, dir, tmpl, r.Signed())
		if err != nil {
			return "", err
		}
		return paths[0], nil
	}, func(path string, err error) {
		if err != nil {
			u.showError(u.T("certs.reprint"), err)
			return
		}
		c.lastPDF = path
		c.message.SetText(u.F("certs.saved", path))
		c.open.Show()
		c.openFile(path)
	})
}

// askRevoke asks for the reason and revokes; the revocation syncs.
func (c *certificatesScreen) askRevoke(r data.CertificateRow) {
	u := c.u
	reason := u.entry(u.T("certs.reasonph"))
	errText := u.fieldError()
	content := container.NewVBox(
		u.wrapped(u.F("certs.revokeconfirm", certificate.FormatCode(r.Code), personLine(u.lang, r.Snapshot.PersonNameEn, r.Snapshot.PersonNameAr))),
		u.form(formRow{u.T("certs.reason"), withError(reason, errText)}),
	)
	d := u.confirm(u.T("certs.revoke"), u.T("certs.revoke"), u.T("button.cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		why := strings.TrimSpace(reason.Text)
		background(u, func(ctx context.Context) (data.CertificateRow, error) {
			return c.store.RevokeCertificate(ctx, r.Code, why)
		}, func(_ data.CertificateRow, err error) {
			if err != nil {
				u.showError(u.T("certs.revoke"), err)
				return
			}
			c.message.SetText(u.F("certs.revokeddone", certificate.FormatCode(r.Code)))
			c.load()
			u.changed()
		})
	})
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
	u.focus(reason)
}

// openFile opens a PDF in the system's viewer, where it can be printed.
// With no viewer to open it, the screen says so and offers the folder.
func (c *certificatesScreen) openFile(path string) {
	if path == "" {
		return
	}
	uri, err := url.Parse(storage.NewFileURI(path).String())
	if err == nil {
		err = c.openURL(uri)
	}
	if err != nil {
		c.message.SetText(c.u.F("certs.noviewer", path))
		c.showFolder.Show()
	}
}

// openFolder opens the folder holding path in the file manager; if that
// fails too, the message already names the folder.
func (c *certificatesScreen) openFolder(path string) {
	if path == "" {
		return
	}
	uri, err := url.Parse(storage.NewFileURI(filepath.Dir(path)).String())
	if err == nil {
		err = c.openURL(uri)
	}
	if err != nil {
		c.message.SetText(c.u.F("certs.nofolder", filepath.Dir(path)))
	}
}

func (c *certificatesScreen) hideFixes() {
	c.fixWorkshop.Hide()
	c.fixSettings.Hide()
	c.showFolder.Hide()
}

// refused says on the screen what the certificates would print blank,
// and offers the way to fix each: the workshop's form, the settings.
func (c *certificatesScreen) refused(ie *data.IncompleteError) {
	u := c.u
	c.message.SetText(u.lang.pick(ie.English(), ie.Arabic()))
	for _, g := range ie.Gaps {
		switch g.Where {
		case data.GapWorkshop:
			c.fixWorkshop.Show()
		case data.GapTemplate:
			c.fixSettings.Show()
		}
	}
}

// editWorkshop opens the chosen workshop's form.
func (c *certificatesScreen) editWorkshop() {
	w, ok := c.workshop()
	if !ok {
		return
	}
	c.u.show(screenWorkshops)
	c.u.workshops.form.edit(w.Workshop)
}

// askSignatory asks for the signatory's name in both languages, keeps it
// with the certificate's texts and then goes on (next). It is asked once:
// after that, a blank signatory is refused like any blank.
func (c *certificatesScreen) askSignatory(next func()) {
	u := c.u
	t := u.template()
	ar, en := u.entry(""), u.entry("")
	ar.SetText(t.Vars["signatory_name_ar"])
	en.SetText(t.Vars["signatory_name_en"])
	content := container.NewVBox(
		u.wrapped(u.T("certs.signatoryhelp")),
		u.form(formRow{u.T("tmpl.signatory_name_ar"), ar}, formRow{u.T("tmpl.signatory_name_en"), en}),
	)
	d := u.confirm(u.T("certs.signatorytitle"), u.T("certs.signatorysave"), u.T("button.cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		u.saveSignatory(strings.TrimSpace(ar.Text), strings.TrimSpace(en.Text))
		next()
	})
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
	u.focus(ar)
}
