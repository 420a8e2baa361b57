package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// ScheduleOptions tune the scheduler. Zero values take the defaults.
type ScheduleOptions struct {
	Every  time.Duration // between runs (default 5 minutes)
	Jitter time.Duration // each interval is Every ± Jitter (default Every/5)
	// Watch is how often the reachability watcher looks whether an
	// unreachable HQ is back (default 15 s); while HQ stays unreachable its
	// pings back off, doubling up to WatchMax (default 5 minutes).
	Watch    time.Duration
	WatchMax time.Duration
	// NoStartRun skips the run at start (tests).
	NoStartRun bool
}

func (o *ScheduleOptions) defaults() {
	if o.Every <= 0 {
		o.Every = 5 * time.Minute
	}
	if o.Jitter < 0 || o.Jitter >= o.Every {
		o.Jitter = 0
	}
	if o.Jitter == 0 {
		o.Jitter = o.Every / 5
	}
	if o.Watch <= 0 {
		o.Watch = 15 * time.Second
	}
	if o.WatchMax < o.Watch {
		o.WatchMax = max(5*time.Minute, o.Watch)
	}
}

// Scheduler runs syncs in the background: a gocron job every few minutes
// (with jitter, in singleton mode so runs never pile up), "sync now", and a
// cheap reachability watcher that starts a run as soon as HQ answers again
// after being unreachable. While HQ is unreachable the periodic job skips
// (the watcher, backing off, takes over). It stops syncing when HQ revoked
// the device or no longer knows its token; the data and the outbox stay.
//
// There is deliberately no scheduler-wide concurrency limit: combined with
// singleton mode it let runs pile up (gocron #722). Runs of the client are
// serialised anyway.
type Scheduler struct {
	c      *Client
	opts   ScheduleOptions
	s      gocron.Scheduler
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	pending    atomic.Bool // a triggered run waits for its turn
	lockedSeen atomic.Bool // the watcher saw the store locked: run once it is not

	mu       sync.Mutex
	pingWait time.Duration
	nextPing time.Time
}

// StartScheduler starts background syncing. Stop it with Stop.
func (c *Client) StartScheduler(opts ScheduleOptions) (*Scheduler, error) {
	opts.defaults()
	gs, err := gocron.NewScheduler()
	if err != nil {
		return nil, fmt.Errorf("start sync scheduler: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{c: c, opts: opts, s: gs, ctx: ctx, cancel: cancel}
	// The app starts locked: the run at start is skipped, and the
	// watcher's first look after the unlock makes up for it.
	s.lockedSeen.Store(s.locked())
	c.Refresh(ctx)
	jobOpts := []gocron.JobOption{gocron.WithName("safeer-sync"), gocron.WithSingletonMode(gocron.LimitModeReschedule)}
	if !opts.NoStartRun {
		jobOpts = append(jobOpts, gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	if _, err := gs.NewJob(gocron.DurationRandomJob(opts.Every-opts.Jitter, opts.Every+opts.Jitter),
		gocron.NewTask(s.scheduled), jobOpts...); err != nil {
		cancel()
		gs.Shutdown()
		return nil, fmt.Errorf("start sync scheduler: %w", err)
	}
	if _, err := gs.NewJob(gocron.DurationJob(opts.Watch), gocron.NewTask(s.watch),
		gocron.WithName("safeer-reachability"), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
		cancel()
		gs.Shutdown()
		return nil, fmt.Errorf("start sync scheduler: %w", err)
	}
	gs.Start()
	return s, nil
}

// Stop stops the scheduler, cancelling a run under way (it resumes next
// time from where it stopped).
func (s *Scheduler) Stop() error {
	s.cancel()
	err := s.s.Shutdown()
	s.wg.Wait()
	return err
}

// SyncNow starts a run as soon as possible (after the one under way, if
// any) and returns at once; the status tells how it goes.
func (s *Scheduler) SyncNow() { s.trigger(TriggerManual) }

// Paused reports whether background syncing has stopped for a reason only
// a person can fix (revoked, not enrolled, token unknown to HQ).
func (s *Scheduler) Paused() bool { return paused(s.c.Status()) }

func paused(st Status) bool {
	return st.Revoked || !st.Enrolled || (st.Problem != nil && st.Problem.Code == ProblemUnauthorized)
}

func (s *Scheduler) trigger(trigger string) {
	if s.ctx.Err() != nil || !s.pending.CompareAndSwap(false, true) {
		return // stopped, or a run is already waiting for its turn
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.c.run(s.ctx, trigger, func() { s.pending.Store(false) })
		s.pending.Store(false)
	}()
}

// locked reports whether the store is encrypted and locked (the app's
// idle lock, issue 14): its key is not in memory, so a run could read
// neither the token nor the queued edits. Background runs wait for the
// coordinator to unlock; the app syncs right after (SyncNow).
func (s *Scheduler) locked() bool {
	l, ok := s.c.store.(interface{ Locked() bool })
	return ok && l.Locked()
}

// scheduled is the periodic job.
func (s *Scheduler) scheduled() {
	st := s.c.Status()
	if paused(st) || st.Offline() || s.locked() {
		return // the watcher brings sync back when HQ answers; unlocking does when locked
	}
	s.c.run(s.ctx, TriggerSchedule, nil)
}

// watch is the reachability watcher: while HQ is unreachable it pings,
// backing off, and starts a run as soon as HQ answers.
func (s *Scheduler) watch() {
	st := s.c.Status()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked() {
		s.lockedSeen.Store(true)
		s.pingWait, s.nextPing = 0, time.Time{}
		return
	}
	if s.lockedSeen.Swap(false) && !paused(st) {
		// Unlocked since the last look: send what waited behind the lock
		// now rather than at the next periodic run.
		s.pingWait, s.nextPing = 0, time.Time{}
		s.trigger(TriggerUnlock)
		return
	}
	if paused(st) || st.Running || !st.Offline() {
		s.pingWait, s.nextPing = 0, time.Time{}
		return
	}
	now := time.Now()
	if now.Before(s.nextPing) {
		return
	}
	if err := s.c.Ping(s.ctx); err == nil || s.c.Status().Online {
		s.pingWait, s.nextPing = 0, time.Time{}
		s.trigger(TriggerReconnect)
		return
	}
	if s.pingWait == 0 {
		s.pingWait = s.opts.Watch
	} else {
		s.pingWait = min(2*s.pingWait, s.opts.WatchMax)
	}
	// Equal jitter: between half and all of the wait.
	s.nextPing = now.Add(s.pingWait/2 + time.Duration(rand.Int64N(int64(s.pingWait/2)+1)))
}
