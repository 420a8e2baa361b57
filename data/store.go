// Package data is the device's store: Safeer's domain types (person,
// workshop, attendance, place), their validation, and the SQLite file that
// holds them. Every write goes through a Store method that, in the same
// transaction, appends the change to the outbox that sync ships to HQ.
// It knows nothing of Fyne or HTTP.
package data

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/internal/migrations"
	"github.com/oman-sca/safeer/sync/protocol"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ApplicationID marks a SQLite file as Safeer's ("SAFR"), so opening some
// other database by mistake fails with words instead of a migration.
const ApplicationID = 0x53414652

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the device's SQLite database. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	path   string
	device string
	clock  *protocol.Clock
	places *placeSet
	index  *personIndex
	now    func() time.Time
	// clockOffset (ms) corrects this computer's wall clock to HQ's for
	// clock stamps; sync sets it (see SetClockOffset in sync_state.go).
	clockOffset atomic.Int64
	closed      atomic.Bool
	fakeNow     bool // WithClock
	// vault is encryption at rest: whether the file is protected, and the
	// key while unlocked (vault.go).
	vault vaultState
	// log takes what the store says of its own work (backups, sync's
	// repairs); slog's default unless WithLogger.
	log *slog.Logger
}

// Option configures Open.
type Option func(*Store)

// WithClock makes the store read time from now (tests of clock skew). The
// clock floor then does not age with this process's monotonic clock, so
// stamps follow now alone (see protocol.Clock).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now, s.fakeNow = now, true }
}

// WithLogger sends what the store logs of its own work (a backup made
// before a migration or an encryption, sync's repairs) to l: a command
// line keeps these notes off a terminal whose stderr is the command's.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.log = l }
}

// ErrNewerSchema is returned when the file was written by a newer Safeer.
var ErrNewerSchema = errors.New("database was written by a newer version of Safeer")

// ErrNotSafeer is returned when the file is not a Safeer database.
var ErrNotSafeer = errors.New("file is not a Safeer database")

// Open opens (creating if needed) the database at path and brings its schema
// up to date, keeping a backup copy of an existing file before migrating it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{path: path, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	// When this process opens an existing database, its file times are
	// the last moment a Safeer wrote to it: a floor for the clock.
	files := fileTimes(path)
	if err := prepareFiles(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// SQLite made -wal and -shm with the database's mode; a sidecar an older
	// Safeer left with a looser one was tightened before, but check again
	// now that they exist.
	if err := tightenFiles(path, false); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadIdentity(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadFloor(ctx, files); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadVault(ctx); err != nil {
		db.Close()
		return nil, err
	}
	places, err := loadPlaces(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.places = places
	s.index = &personIndex{gen: -1}
	return s, nil
}

// dsn sets the pragmas on every pooled connection: WAL so the UI can read
// while sync writes, a busy timeout instead of "database is locked", foreign
// keys on, and BEGIN IMMEDIATE for transactions so two writers queue up
// instead of failing on lock upgrade.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 32 MiB of page cache: an import of 100,000 people writes about 60 MB
	// in one transaction, and spilling the default 2 MB cache to the WAL
	// midway costs more than the memory.
	q.Add("_pragma", "cache_size(-32768)")
	q.Set("_txlock", "immediate")
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Close closes the database, after stopping a background build of the
// search index and saving the clock floor (see KeepTime).
func (s *Store) Close() error {
	if s.index != nil {
		s.index.close()
	}
	s.Lock() // the key and the index leave memory with the store
	if s.closed.CompareAndSwap(false, true) {
		if err := s.KeepTime(context.Background()); err != nil {
			s.log.Warn("data: clock floor not saved at close", "err", err)
		}
	}
	return s.db.Close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DeviceID is this database's device id, made when the file was created.
func (s *Store) DeviceID() string { return s.device }

// DB exposes the handle to packages of this module that keep their own
// tables in the same file (sync state, certificates). They must write
// through Store methods; the handle is for reading.
func (s *Store) DB() *sql.DB { return s.db }

type migration = migrations.Migration

func loadMigrations() ([]migration, error) { return migrations.Load(migrationFiles, "migrations") }

// SchemaVersion is the schema this build of Safeer writes.
func SchemaVersion() int {
	ms, _ := loadMigrations()
	return len(ms)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var appID, version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return describeOpenError(s.path, err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return describeOpenError(s.path, err)
	}
	if appID != 0 && appID != ApplicationID {
		return fmt.Errorf("%s: %w (application id %#x)", s.path, ErrNotSafeer, appID)
	}
	if appID == 0 && version == 0 {
		// A file with tables but no Safeer marks belongs to someone else.
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return describeOpenError(s.path, err)
		}
		if n > 0 {
			// Or another Safeer opening the new file at the same moment
			// made its tables since: they come with its marks, in one
			// transaction.
			if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
				return describeOpenError(s.path, err)
			}
			if appID != ApplicationID {
				return fmt.Errorf("%s: %w", s.path, ErrNotSafeer)
			}
			if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
				return describeOpenError(s.path, err)
			}
		}
	}
	if version > len(ms) {
		return fmt.Errorf("%s: %w (schema %d; this Safeer knows up to %d): update Safeer", s.path, ErrNewerSchema, version, len(ms))
	}
	if version == len(ms) {
		return nil
	}
	if version > 0 {
		backup := fmt.Sprintf("%s.v%d-%s.bak", s.path, version, s.nowUTC().Format("20060102T150405"))
		// A backup of that name exists when another Safeer opening the
		// file this second made it: whole (it is placed atomically).
		if err := s.backupTo(ctx, backup); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keep a backup before upgrading the database: %w", err)
		}
		s.log.Info("database backed up before migration", "backup", backup, "from", version, "to", len(ms))
	}
	for _, m := range ms[version:] {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration and its version bump in one transaction: a crash
// leaves the file at the old version or the new one, never between.
func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	// Another Safeer opening the same file at the same moment (the app
	// and a command) may have applied it since the version was read:
	// the transaction holds the write lock, so this read is the truth.
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if version >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if m.Version == 1 {
		if err := initialise(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return tx.Commit()
}

// initialise gives a new database its device id and seeds reference data.
func initialise(ctx context.Context, tx *sql.Tx) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('device_id', ?), ('hlc', '')`, id.String()); err != nil {
		return err
	}
	return seedPlaces(ctx, tx)
}

func (s *Store) loadIdentity(ctx context.Context) error {
	var last string
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT value FROM meta WHERE key = 'device_id'),
		(SELECT value FROM meta WHERE key = 'hlc')`).Scan(&s.device, &last)
	if err != nil {
		return fmt.Errorf("read device identity: %w", err)
	}
	h, err := protocol.ParseHLC(last)
	if err != nil {
		return fmt.Errorf("read device clock: %w", err)
	}
	if err := s.loadClockOffset(ctx); err != nil {
		return err
	}
	s.clock = protocol.NewClock(s.device, h, s.stampNow)
	if !s.fakeNow {
		s.clock.SetMonotonic(protocol.Monotonic())
	}
	return nil
}

func (s *Store) nowUTC() time.Time { return s.now().UTC() }

// Backup writes a consistent copy of the database to dest (VACUUM INTO), which
// must not exist yet: a backup never overwrites. The copy is readable by its
// owner only and holds no HQ sync token (see backupTo): a restored backup
// must be enrolled again. A protected database's copy is as encrypted as
// the database, and its key file (the data key wrapped under the
// passphrase, and to HQ once escrowed) is copied beside it
// (VaultKeyPath(dest)): the backup opens on any Safeer with the passphrase.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup %s: file already exists", dest)
	}
	if s.Protected() {
		if _, err := os.Stat(VaultKeyPath(dest)); err == nil {
			return fmt.Errorf("backup %s: file already exists", VaultKeyPath(dest))
		}
	}
	if err := s.backupTo(ctx, dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup %s: file already exists", dest)
		}
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if s.Protected() {
		if err := copyKeyFile(VaultKeyPath(s.path), VaultKeyPath(dest)); err != nil {
			return fmt.Errorf("backup %s: copy the key file: %w", dest, err)
		}
	}
	return nil
}

// describeOpenError turns the driver's words for a damaged or foreign file
// into a sentence a coordinator can act on.
func describeOpenError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"):
		return fmt.Errorf("%s is not a Safeer database or is damaged: restore it from a backup (%w)", path, err)
	case strings.Contains(msg, "unable to open"):
		return fmt.Errorf("cannot open %s: check the folder exists and you may write to it (%w)", path, err)
	}
	return fmt.Errorf("open %s: %w", path, err)
}
