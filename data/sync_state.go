package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/oman-sca/safeer/sync/protocol"
)

// The device's side of sync that is not rows: its enrolment with HQ, where
// its pull stands, what went wrong last, the ops HQ refused and a log of
// runs. Tables from migration 0002; the sync client (sync/client) is their
// only writer.

// Enrolment is what the device got from HQ when it traded its one-time code.
type Enrolment struct {
	HQURL        string    `json:"hq_url"`
	Token        string    `json:"-"` // a secret: never printed
	HQDeviceID   string    `json:"hq_device_id,omitempty"`
	DeviceName   string    `json:"device_name,omitempty"`
	Governorates []string  `json:"governorates"`
	Endorsement  []byte    `json:"endorsement,omitempty"`
	HQPublicKey  []byte    `json:"hq_public_key,omitempty"`
	EnrolledAt   time.Time `json:"enrolled_at"`
}

// SyncState is the device's enrolment and the state of its sync.
type SyncState struct {
	Enrolment
	Enrolled bool `json:"enrolled"`
	// Cursor is where the next pull starts (EPOCH.SEQ); "" pulls everything.
	Cursor     string    `json:"cursor"`
	LastSyncAt time.Time `json:"last_sync_at"` // last run that finished without error
	LastRunAt  time.Time `json:"last_run_at"`
	ErrorCode  string    `json:"error_code,omitempty"` // of the last run; "" when it went well
	Error      string    `json:"error,omitempty"`
	RevokedAt  time.Time `json:"revoked_at"` // zero unless HQ revoked this device
}

// TokenMissing reports whether the device was enrolled but has no token:
// a restored backup, which never holds the token. It must be enrolled again.
func (st SyncState) TokenMissing() bool { return st.HQURL != "" && st.Token == "" }

// Revoked reports whether HQ revoked this device.
func (st SyncState) Revoked() bool { return !st.RevokedAt.IsZero() }

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// SyncState reads the device's sync state. A cursor pulled under an older
// schema reads as "" so the device pulls everything again after an upgrade
// that taught it new tables or fields.
func (s *Store) SyncState(ctx context.Context) (SyncState, error) {
	var st SyncState
	var govs, enrolled, lastSync, lastRun, revoked string
	var cursorSchema int
	err := s.db.QueryRowContext(ctx, `SELECT hq_url, token, hq_device_id, device_name, governorates,
		endorsement, hq_public_key, enrolled_at, cursor, cursor_schema, last_sync_at, last_run_at,
		error_code, error, revoked_at FROM sync_state WHERE id = 1`).Scan(
		&st.HQURL, &st.Token, &st.HQDeviceID, &st.DeviceName, &govs, &st.Endorsement, &st.HQPublicKey,
		&enrolled, &st.Cursor, &cursorSchema, &lastSync, &lastRun, &st.ErrorCode, &st.Error, &revoked)
	if err != nil {
		return SyncState{}, fmt.Errorf("read sync state: %w", err)
	}
	if err := s.openString("sync_state", "1", "token", &st.Token); err != nil { // sealed on a protected database
		return SyncState{}, fmt.Errorf("read sync state: %w", err)
	}
	if err := json.Unmarshal([]byte(govs), &st.Governorates); err != nil {
		return SyncState{}, fmt.Errorf("read sync state: governorates: %w", err)
	}
	if cursorSchema != SchemaVersion() {
		st.Cursor = ""
	}
	st.EnrolledAt, st.LastSyncAt, st.LastRunAt, st.RevokedAt = parseTime(enrolled), parseTime(lastSync), parseTime(lastRun), parseTime(revoked)
	st.Enrolled = st.Token != "" && st.HQURL != ""
	return st, nil
}

// SaveEnrolment keeps what HQ gave the device at enrolment. Enrolling again
// (with HQ or another) starts the pull from the beginning and clears a
// revocation; the outbox is kept and pushed to the new enrolment.
func (s *Store) SaveEnrolment(ctx context.Context, e Enrolment) error {
	govs, err := json.Marshal(e.Governorates)
	if err != nil {
		return err
	}
	if e.Governorates == nil {
		govs = []byte("[]")
	}
	if e.EnrolledAt.IsZero() {
		e.EnrolledAt = s.nowUTC()
	}
	token, err := s.sealValue("sync_state", "1", "token", e.Token) // on a protected database
	if err != nil {
		return fmt.Errorf("save enrolment: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE sync_state SET hq_url = ?, token = ?, hq_device_id = ?,
		device_name = ?, governorates = ?, endorsement = ?, hq_public_key = ?, enrolled_at = ?,
		cursor = '', cursor_schema = 0, error_code = '', error = '', revoked_at = '' WHERE id = 1`,
		e.HQURL, token, e.HQDeviceID, e.DeviceName, string(govs), e.Endorsement, e.HQPublicKey,
		formatTime(e.EnrolledAt))
	if err != nil {
		return fmt.Errorf("save enrolment: %w", err)
	}
	return nil
}

// ResetSyncCursor makes the next pull start from the beginning (HQ answered
// must_resync). The outbox is not touched.
func (s *Store) ResetSyncCursor(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sync_state SET cursor = '', cursor_schema = 0 WHERE id = 1`); err != nil {
		return fmt.Errorf("reset sync cursor: %w", err)
	}
	return nil
}

// MarkRevoked records that HQ revoked this device: sync stops, and the data
// and the outbox stay as they are.
func (s *Store) MarkRevoked(ctx context.Context, message string) error {
	now := formatTime(s.nowUTC())
	if _, err := s.db.ExecContext(ctx, `UPDATE sync_state SET revoked_at = ?, error_code = 'revoked', error = ?,
		last_run_at = ? WHERE id = 1`, now, message, now); err != nil {
		return fmt.Errorf("record revocation: %w", err)
	}
	return nil
}

// SyncRun is one line of the sync history.
type SyncRun struct {
	ID         int64     `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Trigger    string    `json:"trigger,omitempty"`
	Pushed     int       `json:"pushed"`
	Applied    int       `json:"applied"`
	Duplicate  int       `json:"duplicate"`
	Conflicts  int       `json:"conflicts"`
	Rejected   int       `json:"rejected"`
	Pulled     int       `json:"pulled"`
	Resynced   bool      `json:"resynced,omitempty"`
	ErrorCode  string    `json:"error_code,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// RecordSyncRun adds a finished run to the history and updates the state:
// a run without error is the last successful sync; any run sets (or clears)
// the last error.
func (s *Store) RecordSyncRun(ctx context.Context, r SyncRun) (int64, error) {
	if r.FinishedAt.IsZero() {
		r.FinishedAt = s.nowUTC()
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("record sync run: %w", err)
	}
	defer sqlTx.Rollback()
	res, err := sqlTx.ExecContext(ctx, `INSERT INTO sync_log (started_at, finished_at, trigger, pushed, applied,
		duplicate, conflicts, rejected, pulled, resynced, error_code, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(r.StartedAt), formatTime(r.FinishedAt), r.Trigger, r.Pushed, r.Applied, r.Duplicate,
		r.Conflicts, r.Rejected, r.Pulled, r.Resynced, r.ErrorCode, r.Error)
	if err != nil {
		return 0, fmt.Errorf("record sync run: %w", err)
	}
	id, _ := res.LastInsertId()
	q := `UPDATE sync_state SET last_run_at = ?, error_code = ?, error = ? WHERE id = 1`
	args := []any{formatTime(r.FinishedAt), r.ErrorCode, r.Error}
	if r.ErrorCode == "" {
		q = `UPDATE sync_state SET last_run_at = ?, error_code = ?, error = ?, last_sync_at = ? WHERE id = 1`
		args = append(args, formatTime(r.FinishedAt))
	}
	if _, err := sqlTx.ExecContext(ctx, q, args...); err != nil {
		return 0, fmt.Errorf("record sync run: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return 0, fmt.Errorf("record sync run: %w", err)
	}
	return id, nil
}

// SyncLog returns the latest runs, newest first.
func (s *Store) SyncLog(ctx context.Context, limit int) ([]SyncRun, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, trigger, pushed, applied, duplicate,
		conflicts, rejected, pulled, resynced, error_code, error FROM sync_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read sync history: %w", err)
	}
	defer rows.Close()
	var out []SyncRun
	for rows.Next() {
		var r SyncRun
		var started, finished string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Trigger, &r.Pushed, &r.Applied, &r.Duplicate,
			&r.Conflicts, &r.Rejected, &r.Pulled, &r.Resynced, &r.ErrorCode, &r.Error); err != nil {
			return nil, err
		}
		r.StartedAt, r.FinishedAt = parseTime(started), parseTime(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// OutboxMaxSeq is the newest outbox entry (0 when the outbox is empty): a
// push sends up to it, so edits made meanwhile wait for the next run
// instead of stretching this one.
func (s *Store) OutboxMaxSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	return n, nil
}

// PushCounts sums HQ's answers to pushed ops.
type PushCounts struct {
	Applied   int `json:"applied"`
	Duplicate int `json:"duplicate"`
	Conflict  int `json:"conflict"`
	// Superseded ops reached HQ, but HQ kept a newer value of some field;
	// the pull brings that value here.
	Superseded int `json:"superseded,omitempty"`
	Rejected   int `json:"rejected"`
	Unknown    int `json:"unknown,omitempty"` // answers this Safeer does not understand: the op stays queued
}

// Add adds o to c.
func (c *PushCounts) Add(o PushCounts) {
	c.Applied += o.Applied
	c.Duplicate += o.Duplicate
	c.Conflict += o.Conflict
	c.Superseded += o.Superseded
	c.Rejected += o.Rejected
	c.Unknown += o.Unknown
}

// PushAck is HQ's answer for one pushed op, with the op's place in the
// outbox (OutboxOp.Seq): acknowledging finds the op by its seq, the
// outbox's rowid, and checks the op id there. The seq stays on the device;
// it is not part of what is pushed.
type PushAck struct {
	Seq int64
	protocol.OpResult
}

// Ack pairs HQ's answer with the op it answers.
func (o OutboxOp) Ack(r protocol.OpResult) PushAck { return PushAck{Seq: o.Seq, OpResult: r} }

// AckPush records HQ's answers to pushed ops in one transaction: applied,
// duplicate, conflict and superseded ops leave the outbox (HQ has them); rejected ones
// move, whole, to rejected_op with HQ's code and message. An answer this
// Safeer does not know leaves its op queued. An answer for an op that is no
// longer at its seq (answered before) removes nothing. The rows the ops
// changed keep their values; their rev (and so the base_rev of later edits)
// moves only when the pull brings HQ's revision back.
func (s *Store) AckPush(ctx context.Context, acks []PushAck) (PushCounts, error) {
	var c PushCounts
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("record HQ's answers: %w", err)
	}
	defer sqlTx.Rollback()
	del, err := sqlTx.PrepareContext(ctx, `DELETE FROM outbox WHERE seq = ? AND op_id = ?`)
	if err != nil {
		return c, fmt.Errorf("record HQ's answers: %w", err)
	}
	defer del.Close()
	now := formatTime(s.nowUTC())
	var undecided []ackedOp
	for _, r := range acks {
		switch r.Status {
		case protocol.Applied, protocol.Duplicate, protocol.Conflicted, protocol.Superseded:
			if r.Status == protocol.Conflicted || r.Status == protocol.Duplicate {
				// HQ logged a conflict for it (or may have, the first
				// time): kept until a pull brings the conflict rows.
				var o ackedOp
				err := sqlTx.QueryRowContext(ctx, `SELECT op_id, tbl, row_id, hlc, fields FROM outbox WHERE seq = ? AND op_id = ?`, r.Seq, r.ID).
					Scan(&o.ID, &o.Table, &o.Row, &o.HLC, &o.Fields)
				if err == nil {
					undecided = append(undecided, o)
				} else if !isNoRows(err) {
					return c, fmt.Errorf("record HQ's answer for op %s: %w", r.ID, err)
				}
			}
			if _, err := del.ExecContext(ctx, r.Seq, r.ID); err != nil {
				return c, fmt.Errorf("record HQ's answer for op %s: %w", r.ID, err)
			}
			switch r.Status {
			case protocol.Applied:
				c.Applied++
			case protocol.Duplicate:
				c.Duplicate++
			case protocol.Superseded:
				c.Superseded++
			default:
				c.Conflict++
			}
		case protocol.Rejected:
			// rejected_op keeps whole stamps (see outboxStamp).
			res, err := sqlTx.ExecContext(ctx, `INSERT INTO rejected_op (op_id, tbl, row_id, base_rev, hlc, fields, code, message, rejected_at)
				SELECT op_id, tbl, row_id, base_rev, CASE WHEN length(hlc) = ? THEN hlc || '-' || ? ELSE hlc END, fields, ?, ?, ?
				FROM outbox WHERE seq = ? AND op_id = ?
				ON CONFLICT (op_id) DO UPDATE SET code = excluded.code, message = excluded.message, rejected_at = excluded.rejected_at`,
				stampLen, s.device, r.Code, r.Message, now, r.Seq, r.ID)
			if err != nil {
				return c, fmt.Errorf("keep rejected op %s: %w", r.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // not in the outbox (answered before)
			}
			if _, err := del.ExecContext(ctx, r.Seq, r.ID); err != nil {
				return c, fmt.Errorf("keep rejected op %s: %w", r.ID, err)
			}
			c.Rejected++
		default:
			c.Unknown++
		}
	}
	if len(undecided) > 0 {
		if err := addAcked(ctx, sqlTx, undecided); err != nil {
			return c, fmt.Errorf("record HQ's answers: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return c, fmt.Errorf("record HQ's answers: %w", err)
	}
	return c, nil
}

// Ops HQ answered "conflict" (or "duplicate": the first answer, lost, may
// have been one) are noted (meta 'acked_unpulled') until a pull to the
// end has brought the conflict rows HQ logged for them. If HQ is restored
// from a backup before that, those rows may be gone with nobody holding
// them, and the device's values alone cannot tell HQ again which edits
// the op had not seen: StartResync queues the noted ops again (same
// stamp and fields, base 0, an id of their own: re-asserted), so HQ
// decides them afresh against every value of another author, unless its
// backup has them (and their conflicts): then they change nothing.

const metaAcked = "acked_unpulled"

// ackedOp is an op HQ acknowledged, as the outbox held it.
type ackedOp struct {
	ID     string `json:"id"`
	Table  string `json:"tbl"`
	Row    string `json:"row"`
	HLC    string `json:"hlc"` // as the outbox column holds it
	Fields string `json:"fields"`
}

type sqlExecQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readAcked(ctx context.Context, q sqlExecQuerier) ([]ackedOp, error) {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaAcked).Scan(&v); err != nil {
		if isNoRows(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []ackedOp
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("damaged list of acknowledged ops: %w", err)
	}
	return out, nil
}

func addAcked(ctx context.Context, q sqlExecQuerier, ops []ackedOp) error {
	have, err := readAcked(ctx, q)
	if err != nil {
		return err
	}
	b, err := json.Marshal(append(have, ops...))
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, metaAcked, string(b))
	return err
}

// RejectLocally moves an op out of the outbox into rejected_op without HQ's
// word, for an op HQ can never take (one op larger than a whole request).
func (s *Store) RejectLocally(ctx context.Context, op OutboxOp, code, message string) error {
	_, err := s.AckPush(ctx, []PushAck{op.Ack(protocol.OpResult{ID: op.Op.ID, Status: protocol.Rejected, Code: code, Message: message})})
	return err
}

// RejectedOp is an op HQ refused, kept for a person to see.
type RejectedOp struct {
	Op         protocol.Op `json:"op"`
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	RejectedAt time.Time   `json:"rejected_at"`
	// Resent is true for another author's value (another laptop's or
	// HQ's edit) that this device sent again after HQ was restored from a
	// backup, refused because its row is now in a governorate this device
	// is not enrolled for: not this coordinator's edit, and nothing for
	// them to do (its author, or HQ, holds it). See ResentForOthers.
	Resent bool `json:"resent"`
}

// ResentForOthers reports whether an op HQ refused with code, stamped
// stamp (the op's whole clock stamp, as the outbox and rejected_op keep
// it), is another author's value re-sent after HQ's restore rather than
// an edit made on device: refused as out of scope, with a stamp of
// another device (or of HQ). A stamp that cannot be read counts as this
// device's: shown rather than hidden. This is the one place that tells
// the two apart; the lists and counts of refused changes use it.
func ResentForOthers(device, code, stamp string) bool {
	if code != protocol.CodeOutOfScope {
		return false
	}
	h, err := protocol.ParseHLC(stamp)
	return err == nil && h.Device != "" && h.Device != device
}

// RejectedOps lists refused ops, newest first, all of them: a coordinator
// is shown OwnRejectedOps.
func (s *Store) RejectedOps(ctx context.Context, limit int) ([]RejectedOp, error) {
	return s.rejectedOps(ctx, limit, false)
}

// OwnRejectedOps lists, newest first, the refused ops a coordinator is
// shown one by one: all but other authors' values re-sent after HQ's
// restore (RejectedOp.Resent; SyncCounts.RejectedResent counts those).
func (s *Store) OwnRejectedOps(ctx context.Context, limit int) ([]RejectedOp, error) {
	return s.rejectedOps(ctx, limit, true)
}

func (s *Store) rejectedOps(ctx context.Context, limit int, ownOnly bool) ([]RejectedOp, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT op_id, tbl, row_id, base_rev, hlc, fields, code, message, rejected_at
		FROM rejected_op ORDER BY rejected_at DESC, op_id DESC LIMIT ?`
	sqlLimit := limit
	if ownOnly {
		sqlLimit = -1 // the re-sent ones are skipped below, before their fields are read
	}
	rows, err := s.db.QueryContext(ctx, q, sqlLimit)
	if err != nil {
		return nil, fmt.Errorf("read rejected changes: %w", err)
	}
	defer rows.Close()
	var out []RejectedOp
	for rows.Next() && len(out) < limit {
		var r RejectedOp
		var stamp, fieldsJSON, at string
		if err := rows.Scan(&r.Op.ID, &r.Op.Table, &r.Op.RowID, &r.Op.BaseRev, &stamp, &fieldsJSON, &r.Code, &r.Message, &at); err != nil {
			return nil, err
		}
		r.Resent = ResentForOthers(s.device, r.Code, stamp)
		if ownOnly && r.Resent {
			continue
		}
		var values map[string]any
		if err := json.Unmarshal([]byte(fieldsJSON), &values); err != nil {
			return nil, fmt.Errorf("rejected op %s: %w", r.Op.ID, err)
		}
		if err := s.openOpFields(r.Op.Table, r.Op.RowID, values); err != nil {
			return nil, fmt.Errorf("rejected op %s: %w", r.Op.ID, err)
		}
		r.Op.Fields = make(map[string]protocol.Field, len(values))
		for k, v := range values {
			r.Op.Fields[k] = protocol.Field{Value: v, HLC: stamp}
		}
		r.RejectedAt = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResentOf tells which of the refused ops ids are other authors' values
// re-sent after HQ's restore (RejectedOp.Resent), for a run's report to
// count them rather than list them. Ids not in rejected_op are not in the
// answer.
func (s *Store) ResentOf(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		var code, stamp string
		err := s.db.QueryRowContext(ctx, `SELECT code, hlc FROM rejected_op WHERE op_id = ?`, id).Scan(&code, &stamp)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read rejected changes: %w", err)
		}
		out[id] = ResentForOthers(s.device, code, stamp)
	}
	return out, nil
}

// SyncCounts are the numbers the sync status shows.
type SyncCounts struct {
	OpsWaiting       int `json:"ops_waiting"`
	ConflictsWaiting int `json:"conflicts_waiting"`
	RejectedOps      int `json:"rejected_ops"` // all of them, RejectedResent included
	// RejectedResent is how many of RejectedOps are other authors' values
	// re-sent after HQ's restore (RejectedOp.Resent): not to show one by one.
	RejectedResent int `json:"rejected_resent"`
}

// RejectedOwn is how many refused ops are this coordinator's concern: all
// but the other authors' values re-sent after HQ's restore.
func (c SyncCounts) RejectedOwn() int { return c.RejectedOps - c.RejectedResent }

// SyncCounts counts unsent ops, unresolved conflicts and rejected ops.
func (s *Store) SyncCounts(ctx context.Context) (SyncCounts, error) {
	var c SyncCounts
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox),
		(SELECT count(*) FROM conflict WHERE resolved = 0),
		(SELECT count(*) FROM rejected_op)`).Scan(&c.OpsWaiting, &c.ConflictsWaiting, &c.RejectedOps)
	if err != nil {
		return c, fmt.Errorf("count sync state: %w", err)
	}
	if c.RejectedOps == 0 {
		return c, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT hlc FROM rejected_op WHERE code = ?`, protocol.CodeOutOfScope)
	if err != nil {
		return c, fmt.Errorf("count sync state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stamp string
		if err := rows.Scan(&stamp); err != nil {
			return c, fmt.Errorf("count sync state: %w", err)
		}
		if ResentForOthers(s.device, protocol.CodeOutOfScope, stamp) {
			c.RejectedResent++
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count sync state: %w", err)
	}
	return c, nil
}

// persistClock saves the device clock after it observed HQ's, so a restart
// before the next local write still stamps after HQ. Only forward: a
// concurrent write may have saved a newer stamp already.
func (s *Store) persistClock(ctx context.Context) error {
	h := s.clock.Peek().String()
	_, err := s.db.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'hlc' AND value < ?`, h, h)
	return err
}

// minClockOffset is the smallest correction worth making: below it the
// hybrid clock's own merge with HQ's stamps is enough, and the wall time
// of HQ's replies (whole seconds, plus the round trip) is not precise.
const minClockOffset = 2 * time.Minute

// SetClockOffset records how far this computer's clock is behind HQ's
// (negative when ahead), measured from HQ's replies, and corrects clock
// stamps by it from now on, in this process and after a restart. A laptop
// whose clock is days slow (a flat clock battery) would otherwise refuse
// HQ's clock as too far ahead and stamp its edits in the past, where they
// would lose to older edits. Offsets under two minutes count as none.
func (s *Store) SetClockOffset(ctx context.Context, offset time.Duration) error {
	if offset > -minClockOffset && offset < minClockOffset {
		offset = 0
	}
	ms := offset.Milliseconds()
	if s.clockOffset.Load() == ms {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('clock_offset_ms', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(ms, 10)); err != nil {
		return fmt.Errorf("save clock correction: %w", err)
	}
	s.clockOffset.Store(ms)
	return nil
}

// ClockOffset is the correction in force (see SetClockOffset).
func (s *Store) ClockOffset() time.Duration {
	return time.Duration(s.clockOffset.Load()) * time.Millisecond
}

// stampNow is the wall time clock stamps are made from.
func (s *Store) stampNow() time.Time {
	return s.now().Add(time.Duration(s.clockOffset.Load()) * time.Millisecond)
}

func (s *Store) loadClockOffset(ctx context.Context) error {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'clock_offset_ms'`).Scan(&v)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read clock correction: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("read clock correction %q: %w", v, err)
	}
	s.clockOffset.Store(ms)
	return nil
}

// WallClock is this computer's own time, uncorrected: what the sync client
// compares with HQ's to measure the clock offset.
func (s *Store) WallClock() time.Time { return s.now() }
