//go:build unix

package privfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func umask0(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestWrite: under umask 0 a new file is 0600, an existing world-readable
// file is replaced by a 0600 one, and a failed write leaves the old file
// and no temporary file.
func TestWrite(t *testing.T) {
	umask0(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "people.csv")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != FileMode {
		t.Fatalf("new file %v", m)
	}
	os.Chmod(path, 0o644)
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "c,d\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != FileMode {
		t.Fatalf("replaced file %v", m)
	}
	boom := errors.New("boom")
	if err := Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "c,d\n" {
		t.Fatalf("failed write changed the file: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d files left, want 1", len(entries))
	}
}

func TestMkdirAll(t *testing.T) {
	umask0(t)
	root := t.TempDir()
	os.Chmod(root, 0o755)
	if err := MkdirAll(filepath.Join(root, "a", "b")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
		if m := mode(t, d); m != DirMode {
			t.Fatalf("%s: %v", d, m)
		}
	}
	if m := mode(t, root); m != 0o755 {
		t.Fatalf("existing folder changed to %v", m)
	}
}

func TestTighten(t *testing.T) {
	umask0(t)
	dir := t.TempDir()
	loose, tight := filepath.Join(dir, "loose"), filepath.Join(dir, "tight")
	os.WriteFile(loose, nil, 0o664)
	os.WriteFile(tight, nil, 0o400)
	if changed, err := Tighten(loose); err != nil || !changed {
		t.Fatalf("loose: %v %v", changed, err)
	}
	if m := mode(t, loose); m != 0o600 {
		t.Fatalf("loose now %v", m)
	}
	if changed, err := Tighten(tight); err != nil || changed {
		t.Fatalf("tight: %v %v", changed, err)
	}
	if m := mode(t, tight); m != 0o400 {
		t.Fatalf("tight now %v", m)
	}
	if changed, err := Tighten(filepath.Join(dir, "missing")); err != nil || changed {
		t.Fatalf("missing: %v %v", changed, err)
	}
}
