package data

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"time"
)

// The clock floor. A device never stamps below the newest time it has seen:
// its own stamps (meta 'hlc'), and wall times (meta 'wall_seen', Unix ms,
// kept by the device clock's floor, see protocol.Clock): its own (corrected)
// wall clock at every write, every sync attempt (even offline) and every
// close of the store; HQ's Date header at every sync; and, when a database
// is opened, the times its files were last written. A laptop that syncs
// with a right clock and then loses three days (a flat clock battery, a
// reboot) thus stamps its next offline edits after the last moment it ran
// with the right time, not three days back where earlier edits made
// elsewhere would beat them. While the process runs the floor ages with
// the monotonic clock, so stamps keep real time after a jump back.
//
// None of these is later than the real time (HQ's Date is HQ's clock; the
// others are this computer's clock when it was right), so the stamps stay
// within HQ's protocol.MaxAhead. A clock that ran ahead raises the floor
// ahead too; RestampAhead lowers both before the next push.

// metaWallSeen is the meta key of the floor's wall time.
const metaWallSeen = "wall_seen"

// fileTimes is the newest modification time of the database file and its
// write-ahead log: the last moment a Safeer process wrote to it, by this
// computer's clock then. Zero when the file does not exist yet.
func fileTimes(path string) time.Time {
	var newest time.Time
	for _, name := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(name); err == nil && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return newest
}

// loadFloor raises the device clock's floor to the saved wall time and to
// files (the database's file times before this process opened it).
func (s *Store) loadFloor(ctx context.Context, files time.Time) error {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaWallSeen).Scan(&v)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("read the clock floor: %w", err)
	}
	if v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("read the clock floor %q: %w", v, err)
		}
		s.clock.SeeWall(time.UnixMilli(ms))
	}
	if !files.IsZero() {
		s.clock.SeeWall(files)
	}
	return nil
}

// seeSavedFloor raises the clock's floor to the one saved by another
// process on this database (read inside a write transaction).
func (s *Store) seeSavedFloor(v string) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		s.clock.SeeWall(time.UnixMilli(ms))
	}
}

// saveFloor writes the clock's floor in q (a write transaction or the
// database).
func (s *Store) saveFloor(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	_, err := q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaWallSeen, strconv.FormatInt(s.clock.Floor(), 10))
	if err != nil {
		return fmt.Errorf("save the clock floor: %w", err)
	}
	return nil
}

// SeeTime raises the clock floor to t, a time known to have passed (HQ's
// Date header, read by the sync client at every exchange), and saves it:
// this device's next stamps, in this process or the next, come after t
// whatever its wall clock says meanwhile.
func (s *Store) SeeTime(ctx context.Context, t time.Time) error {
	s.clock.SeeWall(t)
	return s.KeepTime(ctx)
}

// KeepTime saves the clock floor (the newest wall time seen, now
// included), so that a restart after the wall clock went back still stamps
// after it. The sync client calls it after every run, online or not; Close
// calls it too.
func (s *Store) KeepTime(ctx context.Context) error {
	return s.saveFloor(ctx, s.db)
}

// ClockFloor is the newest wall time the device clock has seen (for tests
// and diagnostics).
func (s *Store) ClockFloor() time.Time { return time.UnixMilli(s.clock.Floor()).UTC() }
