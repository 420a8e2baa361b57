package data

import (
	"context"
	"fmt"
)

// The replies from HQ this device loaded from sync files (issue 15;
// sync/client/file.go): a reply loaded a second time is said to be so,
// not taken for one older than a newer sync. Kept in meta, one key each.

const metaSyncReply = "sync_reply:"

// SyncReplySeen reports whether the reply with this id was loaded before.
func (s *Store) SyncReplySeen(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = ?`, metaSyncReply+id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read loaded replies: %w", err)
	}
	return n > 0, nil
}

// RecordSyncReply records that the reply with this id was loaded.
func (s *Store) RecordSyncReply(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		metaSyncReply+id, formatTime(s.nowUTC()))
	if err != nil {
		return fmt.Errorf("record a loaded reply: %w", err)
	}
	return nil
}
