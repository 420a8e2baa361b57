package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// do hands f to Fyne's goroutine. Every result of background work reaches
// widgets through it.
//
// It is a variable for the tests: Fyne's test driver runs fyne.Do at once on
// the calling goroutine, which would let a background goroutine touch widgets
// while the test does. The tests queue f instead and run it on the test
// goroutine, which then plays the part of Fyne's.
var do = fyne.Do

// background runs work off Fyne's goroutine and then done on it with the
// result. Work gets the UI's context, cancelled when the window closes.
// Done is not called if the app locked meanwhile (the screen that asked is
// gone, and what it asked for may be personal: lock.go).
func background[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	epoch := u.epoch.Load()
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		v, err := work(u.ctx)
		if u.ctx.Err() != nil {
			return // the window is gone
		}
		do(func() {
			if u.epoch.Load() == epoch {
				done(v, err)
			}
		})
	}()
}

// later is background after a pause (a duplicate check once typing
// stops). The returned stop cancels it if it has not started yet.
func later[T any](u *UI, pause time.Duration, work func(ctx context.Context) (T, error), done func(T, error)) (stop func()) {
	epoch := u.epoch.Load()
	u.wg.Add(1) // on Fyne's goroutine, never concurrently with Close's Wait
	t := time.AfterFunc(pause, func() {
		defer u.wg.Done()
		if u.ctx.Err() != nil || u.epoch.Load() != epoch {
			return
		}
		v, err := work(u.ctx)
		if u.ctx.Err() != nil {
			return
		}
		do(func() {
			if u.epoch.Load() == epoch {
				done(v, err)
			}
		})
	})
	return func() {
		if t.Stop() {
			u.wg.Done()
		}
	}
}

// latest numbers requests (a search per keystroke) so that only the answer
// to the newest is shown: a slow answer to an old query must not replace a
// fast answer to a newer one.
type latest struct {
	mu  sync.Mutex
	seq uint64
}

// next starts a request and returns a check that tells, later, whether it
// is still the newest.
func (l *latest) next() func() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	mine := l.seq
	return func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.seq == mine
	}
}

// prefetch is work started before anything on screen asks for its answer.
type prefetch[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// start runs work off Fyne's goroutine; wait returns its answer.
func start[T any](u *UI, work func(ctx context.Context) (T, error)) *prefetch[T] {
	f := &prefetch[T]{done: make(chan struct{})}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer close(f.done)
		f.v, f.err = work(u.ctx)
	}()
	return f
}

// wait is the prefetched answer, once there (for a background's work).
func (f *prefetch[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
