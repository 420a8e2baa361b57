package data

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestBackupCancelledLeavesNothing: a backup stopped before it finished
// (Ctrl-C cancels the command's context) leaves neither the file nor its
// private temporary folder, which may hold a copy with the token.
func TestBackupCancelledLeavesNothing(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	if err := s.Backup(ctx, filepath.Join(out, "copy.db")); err == nil {
		t.Fatal("cancelled backup succeeded")
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("left behind: %s", entries[0].Name())
	}
}
