package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/oman-sca/safeer/internal/privfile"
)

// The database holds civil IDs, phones and HQ's sync token, so every file
// of it is the owner's alone (0600), whatever the umask and whichever the
// folder: the database, its -wal and -shm, a rollback journal, the backup
// kept before a migration and the copies Backup makes. Folders Safeer makes
// for it are 0700.

// dbSidecars are the files SQLite keeps next to a database.
var dbSidecars = []string{"-wal", "-shm", "-journal"}

// prepareFiles runs before SQLite opens path. A missing database is created
// empty with mode 0600 here rather than by SQLite (which would use 0644
// less the umask): SQLite's unix VFS then gives the -wal, -shm and journal
// files it creates the mode of the database file. Existing files with a
// looser mode (made by an older Safeer, or copied in) are tightened to the
// owner only, as are migration backups left next to the database.
func prepareFiles(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := privfile.MkdirAll(dir); err != nil {
			return fmt.Errorf("create folder for database: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privfile.FileMode)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("create database %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return describeOpenError(path, fmt.Errorf("unable to open database file: %w", err))
	}
	return tightenFiles(path, true)
}

// tightenFiles restricts the database, its sidecars and, with backups, the
// migration backups next to it to their owner.
func tightenFiles(path string, backups bool) error {
	names := []string{path}
	for _, s := range dbSidecars {
		names = append(names, path+s)
	}
	if backups {
		if entries, err := os.ReadDir(filepath.Dir(path)); err == nil {
			base := filepath.Base(path)
			for _, e := range entries {
				if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, base+".v") && strings.HasSuffix(n, ".bak") {
					names = append(names, filepath.Join(filepath.Dir(path), n))
				}
			}
		}
	}
	for _, n := range names {
		changed, err := privfile.Tighten(n)
		if err != nil {
			return err
		}
		if changed {
			slog.Warn("database file could be read by other users; restricted it to the owner", "path", n)
		}
	}
	return nil
}

// backupTo writes a consistent copy of the database to dest without HQ's
// sync token, which must not exist. The copy is made and cleaned inside a
// private (0700) temporary folder next to dest, and appears under dest only
// when finished, with mode 0600: at no moment is there a copy with the
// token, or one others may read, under a name in dest's folder.
func (s *Store) backupTo(ctx context.Context, dest string) error {
	dir, err := os.MkdirTemp(filepath.Dir(dest), ".safeer-backup-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "copy.db")
	// VACUUM INTO takes an empty file and keeps its mode.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privfile.FileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return err
	}
	if err := stripSecrets(ctx, tmp); err != nil {
		return fmt.Errorf("remove the sync token from the copy: %w", err)
	}
	return placeExclusive(tmp, dest)
}

// stripSecrets removes HQ's sync token from the database copy at path, so a
// backup that leaves the computer cannot be used to sync as this device. A
// restored backup must be enrolled again (see sync/client: token_missing).
// secure_delete overwrites the freed bytes, VACUUM then rewrites the file
// without free pages, and the journal and temporary data stay in memory, so
// the old token is not left in the file or beside it.
func stripSecrets(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+
		"?_pragma=journal_mode(MEMORY)&_pragma=temp_store(MEMORY)&_pragma=secure_delete(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sync_state'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 { // not in a file of schema 1, before sync
		if _, err := db.ExecContext(ctx, `UPDATE sync_state SET token = ''`); err != nil {
			return err
		}
	}
	if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
		return err
	}
	return db.Close()
}

// placeExclusive gives the finished file at tmp the name dest, failing if
// dest exists. A hard link is atomic; on a file system without hard links
// (FAT on a USB stick) the bytes are copied into a file created exclusively
// with mode 0600.
func placeExclusive(tmp, dest string) error {
	err := os.Link(tmp, dest)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	in, err2 := os.Open(tmp)
	if err2 != nil {
		return errors.Join(err, err2)
	}
	defer in.Close()
	out, err2 := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privfile.FileMode)
	if err2 != nil {
		return errors.Join(err, err2)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(dest)
	}
	return err
}
