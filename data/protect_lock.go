package data

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
)

// Two processes may start encrypting the same clear database at once: the
// app's first start and a scheduled `safeer sync` after an upgrade, say.
// Each would write its own key file over the other's and seal under its
// own key, and the values sealed under the key whose file was overwritten
// could never be opened again. So Protect holds a lock while it works,
// and checks once it has it that nobody encrypted the file meanwhile.
//
// The lock is SQLite's own: an exclusive transaction on a small empty file
// beside the database (ProtectLockPath). It works wherever SQLite does,
// between processes and between stores of one process, and a process that
// dies releases it. The file stays (removing it while another process
// waits on it would let a third take a lock on a new file).

// ProtectLockPath is the file Protect locks beside the database at dbPath.
func ProtectLockPath(dbPath string) string { return dbPath + ".protect-lock" }

// protectLockWait bounds how long Protect waits for another one to end:
// sealing 100,000 people takes seconds, a slow disk minutes.
const protectLockWait = 10 * 60 * 1000 // ms

// lockProtect takes the lock, waiting for another Protect of the same
// database to end; release gives it back.
func lockProtect(ctx context.Context, dbPath string) (release func(), err error) {
	path := ProtectLockPath(dbPath)
	// Made here, owner-only, so SQLite opens it as it is.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the database for its encryption: %w", err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", protectLockWait))
	q.Set("_txlock", "exclusive")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("lock the database for its encryption: %w", err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("wait for another Safeer encrypting this database: %w", err)
	}
	return func() {
		tx.Rollback()
		db.Close()
	}, nil
}
