package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/syncfile"
)

// runSync is `safeer-hq sync import FILE… [--reply-dir DIR]`: sync files
// carried from devices with no network (issue 15). Each file is read as a
// push and a pull of its device, and HQ's sealed reply is written next to
// it (or into --reply-dir) for the trip back. A refused file is said in
// words and the others go on; the exit code is 1 if any was refused.
func (m *Main) runSync(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usagef("sync: use sync import FILE… [--reply-dir DIR]")
	}
	f := m.newFlags("sync import")
	keyPath := f.String("key", "", "HQ's signing key file (default: next to a SQLite database, or in the config folder)")
	replyDir := f.String("reply-dir", "", "folder for the replies (default: next to each file)")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("sync import: name at least one sync file")
	}
	key, err := m.loadKey(f.db, *keyPath)
	if err != nil {
		return err
	}
	lang := message.LangOfEnv(m.Getenv)
	return m.withStore(ctx, f.db, func(st hq.Store) error {
		srv, err := hq.NewServer(ctx, st, key, hq.Options{Now: m.Now})
		if err != nil {
			return err
		}
		failed := 0
		for _, path := range pos {
			out, err := m.importSyncFile(ctx, srv, path, *replyDir, lang)
			if err != nil {
				failed++
				fmt.Fprintf(m.Stderr, "%s: %s\n", path, err)
				continue
			}
			fmt.Fprintln(m.Stdout, out)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d sync files refused", failed, len(pos))
		}
		return nil
	})
}

// importSyncFile reads one file and writes its reply, returning what it
// did in words (in lang).
func (m *Main) importSyncFile(ctx context.Context, srv *hq.Server, path, replyDir string, lang message.Lang) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	var reply bytes.Buffer
	res, err := srv.ImportSyncFile(ctx, in, &reply, hq.CLI)
	var fe *syncfile.Error
	if errors.As(err, &fe) {
		return "", errors.New(fe.Msg.In(lang))
	}
	if err != nil {
		return "", err
	}
	dir := replyDir
	if dir == "" {
		dir = filepath.Dir(path)
	}
	out := filepath.Join(dir, syncfile.ReplyNameFor(path))
	if err := syncfile.WriteFile(out, reply.Bytes()); err != nil {
		return "", err
	}
	return strings.Join([]string{res.Message().In(lang), "→ " + out}, "\n"), nil
}
