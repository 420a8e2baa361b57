package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/data"
	catalogue "github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/client"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// syncScreen shows how sync stands and its history, runs "Sync now" with
// progress, enrols the computer with HQ, and holds the review of
// conflicting edits (both values side by side, pick one). People who may be
// the same have their own screen (duplicates.go).
type syncScreen struct {
	u *UI

	tabs *container.AppTabs

	// Status
	hq       *label
	online   *label
	last     *label
	counts   *label
	problem  *label
	warnings *label
	// The coordinator's own changes HQ refused, the newest few, and one
	// line for other authors' values re-sent after HQ's restore (issue 13).
	refused *label
	resent  *label
	syncNow *widget.Button
	phase   *label
	bar     *widget.ProgressBar
	spinner *widget.ProgressBarInfinite
	notice  *label // what a run or an enrolment did, in green
	// Sync by file (issue 15): its row is there while enrolled.
	fileRow            *fyne.Container
	saveFile, loadFile *widget.Button
	relayFiles         *widget.Button
	fileErr            *label // a refused file, in red
	fileBusy           bool
	running            bool
	st                 client.Status // the last status shown
	refusedShown       int           // the count of refused ops loadRefused last listed (-1: never)
	history            []data.SyncRun
	histList           *widget.List
	histCols           *table
	histHeader         *fyne.Container
	histDetail         *label

	// Enrolment: its panel is beside the status only while the computer
	// is not enrolled (or a restored backup lost its token).
	hqURL                 *entry
	code                  *entry
	enrol                 *widget.Button
	enrolMsg              *label
	enrolHelp             *label
	statusCard, enrolCard fyne.CanvasObject
	top                   *fyne.Container
	enrolOn               bool

	conflicts *conflictReview
	content   fyne.CanvasObject
}

func newSyncScreen(u *UI) *syncScreen {
	s := &syncScreen{u: u, refusedShown: -1}
	s.hq = u.label("")
	s.online = u.label("")
	s.last = u.label("")
	s.counts = u.label("")
	s.problem = u.wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.warnings = u.wrapped("")
	s.warnings.Importance = widget.WarningImportance
	s.refused = u.wrapped("")
	s.refused.Importance = widget.DangerImportance
	s.refused.Hide()
	s.resent = u.wrapped("")
	s.resent.Hide()
	s.syncNow = u.button(u.T("sync.now"), theme.ViewRefreshIcon(), s.runNow)
	s.syncNow.Importance = widget.HighImportance
	s.phase = u.label("")
	s.bar = widget.NewProgressBar()
	s.bar.Hide()
	s.spinner = widget.NewProgressBarInfinite()
	s.spinner.Stop()
	s.spinner.Hide()
	s.notice = u.wrapped("")
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()
	s.saveFile = u.button(u.T("sync.savefile"), theme.DocumentSaveIcon(), s.chooseExportFolder)
	s.loadFile = u.button(u.T("sync.loadfile"), theme.FolderOpenIcon(), s.chooseReply)
	s.relayFiles = u.button(u.T("sync.relayfiles"), theme.UploadIcon(), s.chooseRelayFolder)
	s.fileRow = u.row(u.label(u.T("sync.byfile")), s.saveFile, s.loadFile, s.relayFiles)
	s.fileRow.Hide()
	s.fileErr = u.wrapped("")
	s.fileErr.Importance = widget.DangerImportance
	s.fileErr.Hide()
	// The result is what the history is read for: its column fits the
	// results on the list (loadHistory), the others what they hold.
	s.histCols = u.table(
		column{header: u.T("col.when"), samples: []string{"2026-12-31 23:59"}},
		column{header: u.T("col.trigger"), samples: []string{u.word("trigger", "manual"), u.word("trigger", "schedule"),
			u.word("trigger", "reconnect"), u.word("trigger", "command"), u.word("trigger", triggerEnrol),
			u.word("trigger", client.TriggerFile)}},
		column{header: u.T("col.moved"), samples: []string{u.F("sync.moved", 99999, 99999)}},
		column{header: u.T("col.result"), grow: 1, samples: []string{u.T("sync.ok")}},
	)
	s.histList = widget.NewList(
		func() int { return len(s.history) },
		func() fyne.CanvasObject {
			return s.histCols.row(u.cell(), u.cell(), u.cell(), u.cell())
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.history) {
				return
			}
			r := s.history[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(u.dateTime(r.StartedAt))
			cells[1].(*label).SetText(u.word("trigger", r.Trigger))
			cells[2].(*label).SetText(u.F("sync.moved", r.Pushed, r.Pulled))
			res := cells[3].(*label)
			if r.ErrorCode != "" {
				p := client.Words(r.ErrorCode)
				res.SetText(u.lang.pick(p.En, p.Ar))
				res.Importance = widget.DangerImportance
			} else {
				res.SetText(u.T("sync.ok"))
				res.Importance = widget.SuccessImportance
			}
			o.Refresh() // lays out again: the columns fit the results
		},
	)

	s.hqURL = u.entry("https://hq.example.om")
	s.code = u.entry(u.T("sync.codeph"))
	s.enrol = u.button(u.T("sync.enrol"), theme.LoginIcon(), s.runEnrol)
	s.enrolMsg = u.wrapped("")
	s.code.OnSubmitted = func(string) { s.runEnrol() }

	s.statusCard = container.NewVBox(
		u.form(
			formRow{u.T("sync.hq"), s.hq},
			formRow{u.T("sync.connection"), s.online},
			formRow{u.T("sync.lastsync"), s.last},
			formRow{u.T("sync.counts"), s.counts},
		),
		s.problem,
		s.warnings,
		s.refused,
		s.resent,
		u.row(s.syncNow, s.phase),
		s.fileRow,
		s.bar, s.spinner,
		s.notice,
		s.fileErr,
	)
	s.enrolHelp = u.wrapped(u.T("sync.enrolhelp"))
	s.enrolCard = container.NewVBox(
		u.heading(u.T("sync.enroltitle")),
		s.enrolHelp,
		u.form(
			formRow{u.T("sync.hqurl"), s.hqURL},
			formRow{u.T("sync.code"), s.code},
		),
		u.row(s.enrol),
		s.enrolMsg,
	)
	s.histHeader = s.histCols.header(u)
	// A result cut short in the list is whole under it when chosen.
	s.histDetail = u.wrapped("")
	s.histDetail.Hide()
	s.histList.OnSelected = func(id widget.ListItemID) {
		if id < len(s.history) {
			r := s.history[id]
			res := u.T("sync.ok")
			if r.ErrorCode != "" {
				p := client.Words(r.ErrorCode)
				res = u.lang.pick(p.En, p.Ar)
			}
			s.histDetail.set(u.F("pair", u.dateTime(r.StartedAt), res))
		}
		s.histList.UnselectAll()
	}
	s.top = container.NewStack()
	s.showEnrol(true)
	statusTab := container.NewBorder(
		container.NewVBox(s.top, widget.NewSeparator(), u.heading(u.T("sync.history")), s.histHeader),
		s.histDetail, nil, nil, s.histList)

	s.conflicts = newConflictReview(u)
	items := []*container.TabItem{
		container.NewTabItemWithIcon(u.T("sync.tabstatus"), theme.ViewRefreshIcon(), statusTab),
		container.NewTabItemWithIcon(u.T("sync.tabconflicts"), theme.WarningIcon(), s.conflicts.view()),
	}
	if u.lang.RTL() {
		items[0], items[1] = items[1], items[0]
	}
	s.tabs = container.NewAppTabs(items...)
	if u.lang.RTL() {
		s.tabs.Select(items[1])
	}
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t.Content == s.conflicts.view() {
			s.conflicts.load()
		}
	}
	s.content = s.tabs
	return s
}

func (s *syncScreen) view() fyne.CanvasObject { return s.content }

// showConflicts brings the conflicts review forward.
func (s *syncScreen) showConflicts() {
	for _, t := range s.tabs.Items {
		if t.Content == s.conflicts.view() {
			s.tabs.Select(t)
		}
	}
}

func (s *syncScreen) shown() {
	if s.u.sync != nil {
		s.statusChanged(s.u.sync.Status())
	}
	s.loadHistory()
	s.loadRefused()
	s.conflicts.load()
}

// statusChanged shows a new status (from the status bar's subscription).
func (s *syncScreen) statusChanged(st client.Status) {
	u := s.u
	s.st = st
	s.showEnrol(!st.Enrolled)
	if st.Problem != nil && st.Problem.Code == client.ProblemTokenMissing {
		s.enrolHelp.SetText(u.T("sync.reenrolhelp"))
	} else {
		s.enrolHelp.SetText(u.T("sync.enrolhelp"))
	}
	if st.Enrolled {
		s.hq.SetText(st.HQURL + "  (" + strings.Join(govNames(u, st.Governorates), u.T("list.sep")) + ")")
		if s.hqURL.Text == "" {
			s.hqURL.SetText(st.HQURL)
		}
	} else {
		s.hq.SetText(u.T("status.notenrolled"))
	}
	switch {
	case st.Revoked:
		s.online.SetText(u.T("status.revoked"))
	case st.Offline():
		s.online.SetText(u.F("sync.offlinesince", u.ago(st.Checked)))
	case st.Online:
		s.online.SetText(u.T("status.online"))
	default:
		s.online.SetText(u.T("status.unknown"))
	}
	if st.LastSync.IsZero() {
		s.last.SetText(u.T("status.never"))
	} else {
		s.last.SetText(u.dateTime(st.LastSync) + " (" + u.ago(st.LastSync) + ")")
	}
	s.counts.SetText(u.F("sync.countsline", st.OpsWaiting, st.ConflictsWaiting, st.RejectedOwn()))
	if st.RejectedOps != s.refusedShown {
		s.loadRefused()
	}
	// One problem, once: a failed run's problem is the status's (the
	// client records it there), so the run has no line of its own.
	if st.Problem != nil {
		s.problem.SetText(u.lang.pick(st.Problem.En, st.Problem.Ar))
		s.problem.Show()
	} else {
		s.problem.SetText("")
		s.problem.Hide()
	}
	var warns []string
	for _, w := range st.Warnings {
		warns = append(warns, u.lang.pick(w.En, w.Ar))
	}
	s.warnings.SetText(strings.Join(warns, "\n"))
	if len(warns) == 0 {
		s.warnings.Hide()
	} else {
		s.warnings.Show()
	}
	if st.Running || !st.Enrolled { // not enrolled: the enrol panel is what to do
		s.syncNow.Disable()
	}
	if st.Enrolled && !st.Revoked && s.files() != nil {
		s.fileRow.Show()
	} else {
		s.fileRow.Hide()
	}
	s.enableFiles(!st.Running && !s.running && !s.fileBusy)
	if st.Running {
		s.phase.SetText(u.phaseWord(st.Progress.Phase))
		if st.Progress.Total > 0 {
			s.spinner.Stop()
			s.spinner.Hide()
			s.bar.Max = float64(st.Progress.Total)
			s.bar.SetValue(float64(st.Progress.Done))
			s.bar.Show()
		} else {
			s.bar.Hide()
			s.spinner.Show()
			s.spinner.Start()
		}
	} else if !s.running && !s.fileBusy {
		if st.Enrolled {
			s.syncNow.Enable()
		}
		s.phase.SetText("")
		s.bar.Hide()
		s.spinner.Stop()
		s.spinner.Hide()
	}
}

func govNames(u *UI, codes []string) []string {
	var out []string
	for _, c := range codes {
		out = append(out, u.places.govName(u.lang, c))
	}
	return out
}

// triggerEnrol is the history's name for the run right after enrolment.
const triggerEnrol = "enrol"

// showEnrol puts the enrol panel beside the status, or takes it away.
func (s *syncScreen) showEnrol(on bool) {
	if s.top == nil || (on == s.enrolOn && len(s.top.Objects) > 0) {
		return
	}
	s.enrolOn = on
	if on {
		s.top.Objects = []fyne.CanvasObject{s.u.split(s.statusCard, s.enrolCard, 0.5)}
	} else {
		s.top.Objects = []fyne.CanvasObject{s.statusCard}
	}
	s.top.Refresh()
}

// runNow syncs now; the status subscription shows the progress, and a
// failure is the status's problem, said once.
func (s *syncScreen) runNow() { s.run(client.TriggerManual, "") }

// run is one sync with progress; done, if set, is said before the
// report when it went well (after an enrolment: that it went well too).
func (s *syncScreen) run(trigger, done string) {
	u := s.u
	if u.sync == nil || s.running || s.fileBusy {
		return
	}
	s.running = true
	s.syncNow.Disable()
	s.notice.Hide()
	s.phase.SetText(u.T("sync.starting"))
	s.spinner.Show()
	s.spinner.Start()
	background(u, func(ctx context.Context) (client.Report, error) {
		return u.sync.SyncWith(ctx, trigger)
	}, func(rep client.Report, err error) {
		s.running = false
		s.spinner.Stop()
		s.spinner.Hide()
		s.bar.Hide()
		s.phase.SetText("")
		s.statusChanged(u.sync.Status()) // the run's problem, if any, without waiting for the subscription
		if err == nil {
			s.setNotice(strings.TrimSpace(done + "\n" + u.F("sync.report", rep.Pushed, rep.Pulled)))
		} else if done != "" {
			s.setNotice(done)
		}
		s.loadHistory()
		s.loadRefused()
		s.conflicts.load()
		u.changed()
	})
}

// fileSyncer is what sync by file needs of the Syncer (*client.Client
// has it; a Syncer without it shows no sync-by-file row).
type fileSyncer interface {
	ExportTo(ctx context.Context, dir string) (client.ExportReport, error)
	Import(ctx context.Context, path string) (client.FileReport, error)
	Relay(ctx context.Context, dir string) ([]client.RelayResult, error)
}

var _ fileSyncer = (*client.Client)(nil)

func (s *syncScreen) files() fileSyncer {
	f, _ := s.u.sync.(fileSyncer)
	return f
}

// enableFiles enables the sync-by-file buttons, or disables them while a
// run or a file is under way.
func (s *syncScreen) enableFiles(on bool) {
	for _, b := range []*widget.Button{s.saveFile, s.loadFile, s.relayFiles} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// fileWork runs one sync-by-file job off Fyne's goroutine with the
// spinner and its words (phase), then says what it did: done's text in
// green, or the refusal in words in red.
func fileWork[T any](s *syncScreen, phase string, work func(ctx context.Context) (T, error), done func(T) string) {
	u := s.u
	if s.files() == nil || s.running || s.fileBusy {
		return
	}
	s.fileBusy = true
	s.enableFiles(false)
	s.syncNow.Disable()
	s.notice.Hide()
	s.fileErr.Hide()
	s.phase.SetText(phase)
	s.spinner.Show()
	s.spinner.Start()
	background(u, work, func(v T, err error) {
		s.fileBusy = false
		s.spinner.Stop()
		s.spinner.Hide()
		s.bar.Hide()
		s.phase.SetText("")
		s.statusChanged(u.sync.Status())
		if err != nil {
			s.fileErr.SetText(u.words(err))
			s.fileErr.Show()
		} else {
			s.setNotice(done(v))
		}
		s.loadHistory()
		s.loadRefused()
		s.conflicts.load()
		u.changed()
	})
}

func (s *syncScreen) say(m interface{ Message() catalogue.Message }) string {
	return m.Message().In(s.u.lang.catalogue())
}

// chooseExportFolder asks where to save the request (a folder: the stick),
// then writes it there.
func (s *syncScreen) chooseExportFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		s.exportTo(l.Path())
	}, s.u.win)
	d.SetTitleText(s.u.T("sync.savewhere"))
	s.u.showFileDialog(d)
}

// exportTo writes this computer's sync file for HQ into dir.
func (s *syncScreen) exportTo(dir string) {
	fileWork(s, s.u.T("sync.filesaving"), func(ctx context.Context) (client.ExportReport, error) {
		return s.files().ExportTo(ctx, dir)
	}, func(r client.ExportReport) string { return s.say(r) })
}

// chooseReply asks for HQ's reply file, then loads it.
func (s *syncScreen) chooseReply() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.importFrom(r.URI().Path())
	}, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{syncfile.ReplyExt}))
	d.Resize(fyne.NewSize(800, 560))
	s.u.showFileDialog(d)
}

// importFrom loads HQ's reply from path.
func (s *syncScreen) importFrom(path string) {
	fileWork(s, s.u.T("sync.fileloading"), func(ctx context.Context) (client.FileReport, error) {
		return s.files().Import(ctx, path)
	}, func(r client.FileReport) string { return s.say(r) })
}

// chooseRelayFolder asks for the folder of others' sync files, then
// carries them to HQ.
func (s *syncScreen) chooseRelayFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		s.relayFrom(l.Path())
	}, s.u.win)
	s.u.showFileDialog(d)
}

// relayFrom uploads every sync file in dir to HQ and saves the replies
// beside them.
func (s *syncScreen) relayFrom(dir string) {
	fileWork(s, s.u.T("sync.relaying"), func(ctx context.Context) ([]client.RelayResult, error) {
		return s.files().Relay(ctx, dir)
	}, func(rs []client.RelayResult) string {
		lines := make([]string, len(rs))
		for i, r := range rs {
			lines[i] = s.say(r)
		}
		return strings.Join(lines, "\n")
	})
}

func (s *syncScreen) setNotice(text string) {
	s.notice.SetText(text)
	s.notice.Show()
}

func (s *syncScreen) runEnrol() {
	u := s.u
	if u.sync == nil {
		return
	}
	hqURL, code := strings.TrimSpace(s.hqURL.Text), strings.TrimSpace(s.code.Text)
	if hqURL == "" || code == "" {
		s.enrolMsg.Importance = widget.DangerImportance
		s.enrolMsg.SetText(u.T("sync.enrolneeds"))
		return
	}
	s.enrol.Disable()
	s.enrolMsg.Importance = widget.MediumImportance
	s.enrolMsg.SetText(u.T("sync.enrolling"))
	background(u, func(ctx context.Context) (client.EnrolResult, error) {
		return u.sync.Enrol(ctx, hqURL, code)
	}, func(res client.EnrolResult, err error) {
		s.enrol.Enable()
		if err != nil {
			p := client.Describe(err)
			s.enrolMsg.Importance = widget.DangerImportance
			s.enrolMsg.SetText(u.lang.pick(p.En, p.Ar))
			return
		}
		s.code.SetText("")
		s.enrolMsg.SetText("")
		msg := u.F("sync.enrolled", res.HQURL, strings.Join(govNames(u, res.Governorates), u.T("list.sep")))
		if res.Warning != nil {
			msg += "\n" + u.lang.pick(res.Warning.En, res.Warning.Ar)
		}
		s.setNotice(msg)
		// Enrolled: the panel goes, and the first sync starts at once (the
		// background scheduler, paused while not enrolled, resumes by itself).
		s.statusChanged(u.sync.Status())
		s.run(triggerEnrol, msg)
	})
}

func (s *syncScreen) loadHistory() {
	u := s.u
	background(u, func(ctx context.Context) ([]data.SyncRun, error) {
		return u.store.SyncLog(ctx, 100)
	}, func(runs []data.SyncRun, err error) {
		if err != nil {
			return
		}
		s.history = runs
		results := []string{u.T("sync.ok")}
		for _, r := range runs {
			if r.ErrorCode != "" {
				p := client.Words(r.ErrorCode)
				results = append(results, u.lang.pick(p.En, p.Ar))
			}
		}
		s.histCols.setSamples(3, results)
		s.histList.Refresh()
		s.histHeader.Refresh()
	})
}

// refusedListed is how many of the coordinator's own refused changes the
// Sync screen lists; the others are counted in a line under them.
const refusedListed = 3

// refusedList is what loadRefused reads: the newest own refused changes
// with the names of their people, and the counts.
type refusedList struct {
	own    []data.RejectedOp
	names  map[string]string // person id → name, for those still here
	counts data.SyncCounts
}

// loadRefused lists the coordinator's own changes HQ refused and says in
// one line how many other authors' values, sent again after HQ's restore,
// HQ refused as out of scope (data.RejectedOp.Resent): theirs, nothing to
// do, so not listed one by one.
func (s *syncScreen) loadRefused() {
	u := s.u
	background(u, func(ctx context.Context) (refusedList, error) {
		var l refusedList
		var err error
		if l.counts, err = u.store.SyncCounts(ctx); err != nil {
			return l, err
		}
		if l.counts.RejectedOwn() == 0 {
			return l, nil
		}
		if l.own, err = u.store.OwnRejectedOps(ctx, refusedListed); err != nil {
			return l, err
		}
		l.names = map[string]string{}
		for _, r := range l.own {
			if r.Op.Table == safeer.TablePerson {
				if p, err := u.store.Person(ctx, r.Op.RowID); err == nil {
					l.names[r.Op.RowID] = personLine(u.lang, p.NameEn, p.NameAr)
				}
			}
		}
		return l, nil
	}, func(l refusedList, err error) {
		if err != nil {
			return
		}
		s.refusedShown = l.counts.RejectedOps
		var lines []string
		for _, r := range l.own {
			lines = append(lines, u.refusedLine(r, l.names[r.Op.RowID]))
		}
		if more := l.counts.RejectedOwn() - len(l.own); more > 0 {
			lines = append(lines, u.N("sync.refusedmore", more))
		}
		s.refused.SetText(strings.Join(lines, "\n"))
		if len(lines) == 0 {
			s.refused.Hide()
		} else {
			s.refused.Show()
		}
		if l.counts.RejectedResent > 0 {
			s.resent.SetText(u.N("sync.resent", l.counts.RejectedResent))
			s.resent.Show()
		} else {
			s.resent.SetText("")
			s.resent.Hide()
		}
	})
}

// refusedLine says one refused change: when, whose or what, which fields
// (a whole new record when it has more than a few) and why, in words.
func (u *UI) refusedLine(r data.RejectedOp, name string) string {
	what := name
	if what == "" && r.Op.Table == safeer.TablePerson {
		en, _ := r.Op.Fields["name_en"].Value.(string)
		ar, _ := r.Op.Fields["name_ar"].Value.(string)
		if en != "" || ar != "" {
			what = personLine(u.lang, en, ar)
		}
	}
	if what == "" {
		what = u.word("table", r.Op.Table)
	}
	var names []string
	for f := range r.Op.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	fields := u.T("sync.refusedrecord")
	if len(names) <= 3 {
		for i, f := range names {
			names[i] = u.word("field", f)
		}
		fields = strings.Join(names, u.T("list.sep"))
	}
	return u.F("sync.refusedline", u.dateTime(r.RejectedAt), what, fields, u.word("refused", r.Code))
}

func (u *UI) phaseWord(p string) string {
	switch p {
	case client.PhasePing:
		return u.T("phase.ping")
	case client.PhasePush:
		return u.T("phase.push")
	case client.PhasePull:
		return u.T("phase.pull")
	case client.PhaseResync:
		return u.T("phase.resync")
	}
	return u.T("status.syncing")
}

// conflictReview lists the edits that lost to another device's edit of the
// same field, shows both values side by side with who and when, and lets
// the coordinator keep either.
type conflictReview struct {
	u        *UI
	items    []data.Conflict
	list     *widget.List
	detail   *fyne.Container
	empty    fyne.CanvasObject
	selected string
	content  fyne.CanvasObject
	loads    latest
}

func newConflictReview(u *UI) *conflictReview {
	r := &conflictReview{u: u}
	cols := u.table(column{grow: 3}, column{grow: 2}) // the whole values are in the detail beside
	r.list = widget.NewList(
		func() int { return len(r.items) },
		func() fyne.CanvasObject { return cols.row(u.cell(), u.cell()) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(r.items) {
				return
			}
			c := r.items[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*label).SetText(c.Label)
			cells[1].(*label).SetText(u.fieldName(c.Field))
		},
	)
	r.list.OnSelected = func(id widget.ListItemID) {
		if id < len(r.items) {
			r.showConflict(r.items[id])
		}
	}
	r.empty = u.hint(u.T("conflicts.none"))
	r.detail = container.NewStack(r.empty)
	r.content = u.split(r.list, container.NewPadded(r.detail), 0.35)
	return r
}

func (r *conflictReview) view() fyne.CanvasObject { return r.content }

func (r *conflictReview) load() {
	u := r.u
	current := r.loads.next()
	background(u, func(ctx context.Context) ([]data.Conflict, error) {
		return u.store.Conflicts(ctx, false)
	}, func(cs []data.Conflict, err error) {
		if !current() || err != nil {
			return
		}
		r.items = cs
		r.list.UnselectAll()
		r.list.Refresh()
		for i, c := range cs {
			if c.ID == r.selected {
				r.list.Select(i) // still there: keep showing it
				return
			}
		}
		r.selected = ""
		r.detail.Objects = []fyne.CanvasObject{r.empty}
		if len(cs) > 0 {
			r.detail.Objects = []fyne.CanvasObject{u.hint(u.N("conflicts.choose", len(cs)))}
		}
		r.detail.Refresh()
	})
}

// valueText is a field's value in words ("(empty)" for nothing).
func (u *UI) valueText(v any) string {
	if v == nil {
		return u.T("value.empty")
	}
	s := strings.TrimSpace(fmt.Sprint(v))
	if s == "" {
		return u.T("value.empty")
	}
	return s
}

func (r *conflictReview) showConflict(c data.Conflict) {
	u := r.u
	r.selected = c.ID
	side := func(title string, value any, device string, at time.Time, choice string) fyne.CanvasObject {
		v := u.heading(u.valueText(value))
		v.Wrapping = fyne.TextWrapWord
		keep := u.button(u.T("conflicts.keep"), theme.ConfirmIcon(), func() { r.resolve(c, choice) })
		keep.Importance = widget.HighImportance
		return container.NewVBox(
			u.label(title),
			v,
			u.label(u.F("conflicts.by", shortID(device), u.dateTime(at))),
			u.row(keep),
		)
	}
	winner := side(u.T("conflicts.winner"), c.Winner, c.WinnerDevice, c.WinnerAt, data.TakeWinner)
	loser := side(u.T("conflicts.loser"), c.Loser, c.LoserDevice, c.LoserAt, data.TakeLoser)
	sides := container.NewGridWithColumns(2, winner, loser)
	if u.lang.RTL() {
		sides = container.NewGridWithColumns(2, loser, winner)
	}
	r.detail.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewVBox(
		u.heading(c.Label),
		u.label(u.F("conflicts.field", u.fieldName(c.Field))),
		u.wrapped(u.T("conflicts.help")),
		widget.NewSeparator(),
		sides,
		widget.NewSeparator(),
		u.label(u.F("conflicts.current", u.valueText(c.Current))),
	))}
	r.detail.Refresh()
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	if id == "" {
		return "?"
	}
	return id
}

func (r *conflictReview) resolve(c data.Conflict, choice string) {
	u := r.u
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.store.ResolveConflict(ctx, c.ID, choice)
	}, func(_ struct{}, err error) {
		if err != nil {
			u.showError(u.T("sync.tabconflicts"), err)
		}
		r.load()
		u.changed()
	})
}

// fieldName is a stored field's name in words.
func (u *UI) fieldName(f string) string {
	key := "field." + f
	if _, ok := messages[key]; ok {
		return u.T(key)
	}
	return f
}
