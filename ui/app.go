// Package ui is Safeer's Fyne desktop app. Screens depend on the small
// interfaces below, hold no SQL, and never block Fyne's goroutine: work runs
// in goroutines and comes back through fyne.Do.
//
// One file a screen: dashboard.go, people.go (Ambassadors, with person.go
// and importer.go), workshops.go, checkin.go, certificates.go, syncscreen.go,
// settings.go; shell.go holds the window, its navigation and shortcuts,
// statusbar.go the sync status that is always on screen. i18n.go and
// messages.go hold every string in English and Arabic; rtl.go mirrors
// layouts for Arabic.
package ui

import (
	"context"
	"io"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/data/sheet"
	"github.com/oman-sca/safeer/roster"
	"github.com/oman-sca/safeer/sync/client"
)

// AppID is the app's identity for Fyne (preferences, storage); it matches
// FyneApp.toml.
const AppID = "om.gov.smartcity.safeer"

// Store is what the screens need from the device's database.
type Store interface {
	Path() string
	DeviceID() string

	Search(ctx context.Context, query string, opt data.SearchOptions) ([]data.SearchResult, error)
	SearchPage(ctx context.Context, query string, opt data.SearchOptions) (data.SearchPage, error)
	LoadSearchIndex(ctx context.Context) error
	CountPeople(ctx context.Context) (int, error)
	Person(ctx context.Context, id string) (safeer.Person, error)
	AddPerson(ctx context.Context, p *safeer.Person) error
	UpdatePerson(ctx context.Context, p *safeer.Person) error
	DeletePerson(ctx context.Context, id string) error
	ValidatePerson(p *safeer.Person) error
	DuplicateCandidates(ctx context.Context, p safeer.Person) ([]data.Match, error)
	DuplicatePairs(ctx context.Context, limit int) ([]data.DuplicatePair, error)
	dupStore
	PlanMerge(ctx context.Context, keepID, mergeID string) (data.MergePlan, error)
	MergePeople(ctx context.Context, from, into string, take map[string]roster.Side) (data.MergePlan, error)
	PersonAttendance(ctx context.Context, personID string) ([]data.AttendanceRecord, error)

	Governorates() []data.Governorate
	Wilayats(gov string) []safeer.Place
	Place(gov, wilayatEn string) (safeer.Place, bool)

	ListWorkshops(ctx context.Context) ([]data.WorkshopSummary, error)
	Workshop(ctx context.Context, id string) (safeer.Workshop, error)
	AddWorkshop(ctx context.Context, w *safeer.Workshop) error
	UpdateWorkshop(ctx context.Context, w *safeer.Workshop) error
	ValidateWorkshop(w *safeer.Workshop) error
	DeleteWorkshop(ctx context.Context, id string) error
	CheckPrintable(ctx context.Context, workshopID string, tmpl certificate.Template) error
	SyncState(ctx context.Context) (data.SyncState, error)

	Attend(ctx context.Context, a *safeer.Attendance) error
	Unattend(ctx context.Context, workshopID, personID string) error
	UnattendRevoking(ctx context.Context, workshopID, personID, reason string) ([]data.CertificateRow, error)
	LiveCertificates(ctx context.Context, attendanceID string) ([]data.CertificateRow, error)
	WorkshopAttendance(ctx context.Context, workshopID string) ([]data.AttendanceRecord, error)

	Import(ctx context.Context, tbl *sheet.Table, opt data.ImportOptions) (*data.ImportReport, error)
	ImportBatches(ctx context.Context) ([]data.ImportBatch, error)
	UndoImport(ctx context.Context, batch string) (int, error)

	Eligibility(ctx context.Context, workshopID string) ([]data.Eligible, []data.Skipped, error)
	Signer(ctx context.Context) (certificate.Signer, error)
	IssueCertificates(ctx context.Context, workshopID string, signer certificate.Signer) (*data.IssueReport, error)
	WorkshopCertificates(ctx context.Context, workshopID string) ([]data.CertificateRow, error)
	RevokeCertificate(ctx context.Context, code, reason string) (data.CertificateRow, error)

	Conflicts(ctx context.Context, all bool) ([]data.Conflict, error)
	ResolveConflict(ctx context.Context, id, choice string) error
	SyncLog(ctx context.Context, limit int) ([]data.SyncRun, error)
	SyncCounts(ctx context.Context) (data.SyncCounts, error)

	Backup(ctx context.Context, dest string) error
	Export(ctx context.Context, kind, format string, w io.Writer) (int, error)
}

var _ Store = (*data.Store)(nil)

// Syncer is what the screens need from the sync client.
type Syncer interface {
	Status() client.Status
	Subscribe() (<-chan client.Status, func())
	Refresh(ctx context.Context) (client.Status, error)
	SyncWith(ctx context.Context, trigger string) (client.Report, error)
	Enrol(ctx context.Context, hqURL, code string) (client.EnrolResult, error)
}

var _ Syncer = (*client.Client)(nil)

// Run opens the main window, with background sync, and returns when it is
// closed.
func Run(ctx context.Context, store *data.Store) error {
	a := app.NewWithID(AppID)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := client.New(store, client.WithLogger(logger))
	sched, err := c.StartScheduler(client.ScheduleOptions{})
	if err != nil {
		slog.Warn("ui: background sync not started", "err", err)
	}
	u := New(ctx, a, a.NewWindow("Safeer — سفير"), store, c)
	// Ctrl+C or SIGTERM in the terminal closes the window like its close
	// button does (the window's size is saved).
	running := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(func() {
				u.saveSize()
				a.Quit()
			})
		case <-running:
		}
	}()
	u.win.ShowAndRun()
	close(running)
	u.Close()
	if sched != nil {
		sched.Stop()
	}
	return nil
}
