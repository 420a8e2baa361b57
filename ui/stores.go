package ui

import (
	"context"
	"io"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/roster"
	"github.com/oman-sca/safeer/spreadsheet"
)

// The screens see the device's database through these small interfaces,
// one for what each part of the app does; *data.Store is every one of them
// (Store). The Certificates screen and places hold only their own
// (CertificateStore, PlaceStore); the other screens still reach UI.store.

// PeopleStore is the roster: search, a person's form, duplicates, merges.
type PeopleStore interface {
	Search(ctx context.Context, query string, opt data.SearchOptions) ([]data.SearchResult, error)
	SearchPage(ctx context.Context, query string, opt data.SearchOptions) (data.SearchPage, error)
	LoadSearchIndex(ctx context.Context) error
	CountPeople(ctx context.Context) (int, error)
	Person(ctx context.Context, id string) (safeer.Person, error)
	AddPerson(ctx context.Context, p *safeer.Person) error
	UpdatePerson(ctx context.Context, p *safeer.Person) error
	CompletePerson(ctx context.Context, id string, typed safeer.Person) (safeer.Person, error)
	DeletePerson(ctx context.Context, id string) error
	ValidatePerson(p *safeer.Person) error
	DuplicateCandidates(ctx context.Context, p safeer.Person) ([]data.Match, error)
	DuplicatePairs(ctx context.Context, limit int) ([]data.DuplicatePair, error)
	PlanMerge(ctx context.Context, keepID, mergeID string) (data.MergePlan, error)
	MergePeople(ctx context.Context, from, into string, take map[string]roster.Side) (data.MergePlan, error)
	PersonAttendance(ctx context.Context, personID string) ([]data.AttendanceRecord, error)
}

// PlaceStore is the reference data behind the governorate and wilayat
// drop-downs.
type PlaceStore interface {
	Governorates() []data.Governorate
	Wilayats(gov string) []safeer.Place
	Place(gov, wilayatEn string) (safeer.Place, bool)
}

// WorkshopStore is the Workshops screen.
type WorkshopStore interface {
	ListWorkshops(ctx context.Context) ([]data.WorkshopSummary, error)
	Workshop(ctx context.Context, id string) (safeer.Workshop, error)
	AddWorkshop(ctx context.Context, w *safeer.Workshop) error
	UpdateWorkshop(ctx context.Context, w *safeer.Workshop) error
	ValidateWorkshop(w *safeer.Workshop) error
	DeleteWorkshop(ctx context.Context, id string) error
	SyncState(ctx context.Context) (data.SyncState, error)
}

// CheckInStore is Check-in: attendance and its undo.
type CheckInStore interface {
	Attend(ctx context.Context, a *safeer.Attendance) error
	Unattend(ctx context.Context, workshopID, personID string) error
	UnattendRevoking(ctx context.Context, workshopID, personID, reason string) ([]data.CertificateRow, error)
	LiveCertificates(ctx context.Context, attendanceID string) ([]data.CertificateRow, error)
	WorkshopAttendance(ctx context.Context, workshopID string) ([]data.AttendanceRecord, error)
}

// ImportStore is importing a roster from a spreadsheet, and undoing it.
type ImportStore interface {
	Import(ctx context.Context, tbl *spreadsheet.Table, opt data.ImportOptions) (*data.ImportReport, error)
	ImportBatches(ctx context.Context) ([]data.ImportBatch, error)
	UndoImport(ctx context.Context, batch string) (int, error)
}

// CertificateStore is the Certificates screen.
type CertificateStore interface {
	ListWorkshops(ctx context.Context) ([]data.WorkshopSummary, error)
	Eligibility(ctx context.Context, workshopID string) ([]data.Eligible, []data.Skipped, error)
	IssueToPrint(ctx context.Context, workshopID string, tmpl certificate.Template) (*data.IssueReport, []certificate.SignedCertificate, error)
	WorkshopCertificates(ctx context.Context, workshopID string) ([]data.CertificateRow, error)
	RevokeCertificate(ctx context.Context, code, reason string) (data.CertificateRow, error)
	OpenBadges(ctx context.Context, workshopID string) ([]data.OpenBadge, error)
}

// SyncStore is what the Sync screen and the dashboard read of sync:
// conflicts, the log of runs, the counts.
type SyncStore interface {
	Conflicts(ctx context.Context, all bool) ([]data.Conflict, error)
	ResolveConflict(ctx context.Context, id, choice string) error
	SyncLog(ctx context.Context, limit int) ([]data.SyncRun, error)
	SyncCounts(ctx context.Context) (data.SyncCounts, error)
	OwnRejectedOps(ctx context.Context, limit int) ([]data.RejectedOp, error)
}

// FileStore is Settings' data files: the database's place, backups and
// exports.
type FileStore interface {
	Path() string
	DeviceID() string
	Backup(ctx context.Context, dest string) error
	Export(ctx context.Context, kind, format string, w io.Writer) (int, error)
}

// Store is everything the app needs from the device's database.
type Store interface {
	PeopleStore
	PlaceStore
	WorkshopStore
	CheckInStore
	ImportStore
	CertificateStore
	SyncStore
	FileStore
	dupStore
}

var _ Store = (*data.Store)(nil)

// lockStore is a store whose personal fields are encrypted at rest under a
// key the coordinator's passphrase unlocks (issue 14): the lock screen,
// the first start that encrypts a clear store, and Settings' change of
// passphrase (lock.go, protect.go, settings_lock.go). *data.Store is one
// once it encrypts; the app takes it through WithLock.
type lockStore interface {
	// Protected: a key file exists, personal fields are encrypted.
	Protected() bool
	// Locked: protected and the key is not in memory.
	Locked() bool
	// Protect creates the key file and encrypts a clear database in
	// place (the first start, or the upgrade), reporting its progress.
	Protect(ctx context.Context, passphrase string, progress func(done, total int)) error
	// Unlock takes the key from the key file with passphrase; a wrong
	// one is an error WithLock's isWrongPassphrase recognises.
	Unlock(ctx context.Context, passphrase string) error
	// Lock forgets the key: personal data cannot be read until Unlock.
	Lock()
	// ChangePassphrase rewraps the key; the data is not touched.
	ChangePassphrase(ctx context.Context, old, new string) error
}

var _ lockStore = (*data.Store)(nil)
