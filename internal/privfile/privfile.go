// Package privfile writes files that only their owner may read (0600) and
// makes folders that only their owner may enter (0700), whatever the
// process's umask and wherever they are: what Safeer writes holds civil IDs,
// phones and, in the database, HQ's sync token.
package privfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// FileMode and DirMode are the modes of what Safeer writes. A umask only
// removes bits, so creating with these modes is enough on Unix; Windows has
// ACLs instead and ignores them.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// MkdirAll makes dir and its missing parents with mode 0700. Folders that
// already exist are left as they are: they are the user's.
func MkdirAll(dir string) error {
	return os.MkdirAll(dir, DirMode)
}

// Write writes a file at path through write: into a temporary file next to
// it (made 0600 by os.CreateTemp), then renamed into place, so a failed
// write never leaves half a file under the name a person will open and the
// file is never readable by others, not even while being written. An
// existing file at path is replaced (and so loses a looser mode).
func Write(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".safeer-*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(FileMode); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Tighten takes group and other permissions off an existing file (a file
// made by an older Safeer, or copied in with a loose mode) and reports
// whether it did. A missing file is not an error. On Windows it does
// nothing.
func Tighten(path string) (bool, error) {
	if runtime.GOOS == "windows" {
		return false, nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	perm := fi.Mode().Perm()
	if perm&0o077 == 0 {
		return false, nil
	}
	if err := os.Chmod(path, perm&^0o077); err != nil {
		return false, fmt.Errorf("restrict %s to its owner: %w", path, err)
	}
	return true, nil
}
