package client

import (
	"context"
	"crypto/ed25519"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/sync/protocol"
)

// Store is what the client needs from the device's database: its identity
// and clock, the enrolment and sync state, the outbox to push, and where
// HQ's changes and answers go. *data.Store is the one implementation; the
// client holds nothing else of package data.
type Store interface {
	// Identity and clock.
	DeviceID() string
	KeyPath() string
	SigningKey() (ed25519.PrivateKey, error)
	Clock() protocol.HLC
	WallClock() time.Time
	ClockOffset() time.Duration
	SetClockOffset(ctx context.Context, offset time.Duration) error
	ObserveClock(ctx context.Context, stamp string) error
	// SeeTime raises the device's time floor to a time it has seen (HQ's
	// Date); KeepTime saves the floor, so a clock that jumps back after a
	// restart still stamps after it.
	SeeTime(ctx context.Context, t time.Time) error
	KeepTime(ctx context.Context) error

	// Enrolment and the state of sync.
	SaveEnrolment(ctx context.Context, e data.Enrolment) error
	SyncState(ctx context.Context) (data.SyncState, error)
	SyncCounts(ctx context.Context) (data.SyncCounts, error)
	MarkRevoked(ctx context.Context, message string) error
	RecordSyncRun(ctx context.Context, r data.SyncRun) (int64, error)

	// Push: the outbox and HQ's answers for it.
	RestampAhead(ctx context.Context) (int, error)
	OutboxMaxSeq(ctx context.Context) (int64, error)
	OutboxLen(ctx context.Context) (int, error)
	Outbox(ctx context.Context, afterSeq int64, limit int) ([]data.OutboxOp, error)
	RejectLocally(ctx context.Context, op data.OutboxOp, code, message string) error
	AckPush(ctx context.Context, acks []data.PushAck) (data.PushCounts, error)

	// Pull, and a resync from scratch.
	ApplyChanges(ctx context.Context, changes []protocol.Change, nextCursor, hqClock string) error
	StartResync(ctx context.Context) error
	FinishResync(ctx context.Context) (int, error)
	ResyncPending(ctx context.Context) (int, error)
	RequeueRefused(ctx context.Context, ids []string) (int, error)
	TakeBackRefused(ctx context.Context, ids []string) (int, error)
}
