package syncfile

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A file is written whole under its name or not at all; the names tell a
// request from a reply and pair them.
func TestWriteFileAndNames(t *testing.T) {
	dir := t.TempDir()
	name := RequestName("0193a1b2-0000-7000-8000-00000000d001", time.Date(2026, 12, 6, 9, 30, 5, 0, time.UTC))
	if name != "safeer-0000d001-20261206-093005.safeer-sync" || !IsRequestName(name) || IsRequestName(ReplyNameFor(name)) {
		t.Fatalf("names: %s, reply %s", name, ReplyNameFor(name))
	}
	if got := ReplyNameFor(filepath.Join(dir, name)); got != "safeer-0000d001-20261206-093005.safeer-reply" {
		t.Errorf("reply name %s", got)
	}
	if IsRequestName(".safeer-partial.safeer-sync") {
		t.Error("a hidden temporary file is taken for a request")
	}
	path := filepath.Join(dir, name)
	want := bytes.Repeat([]byte("sealed "), 1000)
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left beside it: %v", entries)
	}
	if runtime.GOOS == "windows" || os.Getuid() == 0 {
		return // a read-only folder stops neither
	}
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	if err := WriteFile(filepath.Join(ro, name), want); err == nil {
		t.Error("a write into a read-only folder succeeded")
	}
	if entries, _ := os.ReadDir(ro); len(entries) != 0 {
		t.Errorf("a failed write left %v", entries)
	}
	if !strings.HasSuffix(ReplyName("d", "f"), ReplyExt) {
		t.Error("ReplyName has no reply extension")
	}
}
