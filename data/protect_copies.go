package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The clear copies a device made of its database before Protect (issue
// 14): the backups kept before each schema upgrade (<db>.vN-<time>.bak,
// see Store.migrate) and the private folders a copy is made in
// (.safeer-backup-*, see backupTo), which a process killed during a copy
// leaves behind. Once the database is protected, such a copy would leak
// everything it sealed: finishProtect overwrites and removes each one that
// is not itself a protected copy. The backup made just before Protect,
// re-encrypted by then, is the copy to go back to; copies made after
// Protect are of the protected file and are kept.

// clearCopies lists the copies of the database at dbPath found beside it
// that are not protected, except keep (the pre-protect backup, handled on
// its own). A copy that cannot be read as a database (a torn copy) counts
// as clear: it was made of a file that was. (A backup of the protected
// file that another process is writing at this very moment may count so
// too and fail; it holds sealed values only, and is made again.)
func clearCopies(ctx context.Context, dbPath, keep string) ([]string, error) {
	dir, base := filepath.Dir(dbPath), filepath.Base(dbPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		p := filepath.Join(dir, n)
		switch {
		case e.Type().IsRegular() && strings.HasPrefix(n, base+".v") && strings.HasSuffix(n, ".bak"):
			if p == keep {
				continue
			}
			if !protectedCopy(ctx, p) {
				out = append(out, p)
			}
		case e.IsDir() && strings.HasPrefix(n, ".safeer-backup-"):
			inner, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, f := range inner {
				q := filepath.Join(p, f.Name())
				if f.Type().IsRegular() && !protectedCopy(ctx, q) {
					out = append(out, q)
				}
			}
		}
	}
	return out, nil
}

// protectedCopy reports whether the database file at path names a data
// key: its sensitive values are sealed. It reads the file as it is
// (immutable: no lock, no -wal), and changes nothing.
func protectedCopy(ctx context.Context, path string) bool {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro&immutable=1")
	if err != nil {
		return false
	}
	defer db.Close()
	var keyID string
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaKeyID).Scan(&keyID); err != nil {
		return false
	}
	return keyID != ""
}

// removeClearCopies overwrites and removes every clear copy of the
// database (clearCopies), and the private folders left empty. Each removal
// is whole or is done again at the next open: the pending mark stays
// until all are gone.
func (s *Store) removeClearCopies(ctx context.Context, keep string) error {
	copies, err := clearCopies(ctx, s.path, keep)
	if err != nil {
		return fmt.Errorf("look for clear copies of the database: %w", err)
	}
	for _, c := range copies {
		if err := shred(c); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the clear copy %s: %w", c, err)
		}
		if dir := filepath.Dir(c); strings.HasPrefix(filepath.Base(dir), ".safeer-backup-") {
			os.Remove(dir) // only if empty
		}
		s.log.Info("clear copy of the database removed after encryption", "path", c)
		if err := s.step("copy-shredded"); err != nil {
			return err
		}
	}
	return nil
}
