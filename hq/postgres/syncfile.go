package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/hq/internal/scan"
)

// Sync files and their replies (hq/syncfile.go, migration 0008).

const syncFileCols = `device_id, file_id, received_at, via, ops, summary, reply_id, length(reply), collected_at`

func scanSyncFile(sc scan.Scanner, reply *[]byte) (hq.SyncFile, error) {
	var f hq.SyncFile
	var collected *time.Time
	dest := []any{&f.DeviceID, &f.FileID, &f.ReceivedAt, &f.Via, &f.Ops, &f.Summary, &f.ReplyID, &f.ReplyBytes, &collected}
	if reply != nil {
		dest = append(dest, reply)
	}
	if err := sc.Scan(dest...); err != nil {
		return f, err
	}
	f.ReceivedAt, f.CollectedAt = f.ReceivedAt.UTC(), fromNull(collected)
	return f, nil
}

func syncFile(ctx context.Context, q querier, deviceID, fileID string) (hq.SyncFile, bool, error) {
	var reply []byte
	f, err := scanSyncFile(q.QueryRow(ctx, `SELECT `+syncFileCols+`, reply FROM sync_files
		WHERE device_id = $1 AND file_id = $2`, deviceID, fileID), &reply)
	f.Reply = reply
	return scan.Maybe(f, err, pgx.ErrNoRows, "read sync file "+fileID)
}

// SyncFiles implements hq.Store.
func (s *DB) SyncFiles(ctx context.Context, limit int) ([]hq.SyncFile, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+syncFileCols+` FROM sync_files
		ORDER BY received_at DESC, device_id, file_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list sync files: %w", err)
	}
	defer rows.Close()
	var out []hq.SyncFile
	for rows.Next() {
		f, err := scanSyncFile(rows, nil)
		if err != nil {
			return nil, fmt.Errorf("list sync files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SyncFile implements hq.Store.
func (s *DB) SyncFile(ctx context.Context, deviceID, fileID string) (hq.SyncFile, bool, error) {
	return syncFile(ctx, s.pool, deviceID, fileID)
}

// SyncFile implements hq.Tx.
func (t *tx) SyncFile(ctx context.Context, deviceID, fileID string) (hq.SyncFile, bool, error) {
	return syncFile(ctx, t.tx, deviceID, fileID)
}

// PutSyncFile implements hq.Tx.
func (t *tx) PutSyncFile(ctx context.Context, f hq.SyncFile) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO sync_files (device_id, file_id, received_at, via, ops, summary,
		reply_id, reply, collected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (device_id, file_id) DO UPDATE SET received_at = excluded.received_at, via = excluded.via,
		ops = excluded.ops, summary = excluded.summary, reply_id = excluded.reply_id, reply = excluded.reply,
		collected_at = excluded.collected_at`,
		f.DeviceID, f.FileID, f.ReceivedAt.UTC(), f.Via, f.Ops, f.Summary, f.ReplyID, f.Reply, nullTime(f.CollectedAt))
	if err != nil {
		return fmt.Errorf("record sync file %s: %w", f.FileID, err)
	}
	return nil
}
