package web

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per client: each holds up to burst tokens,
// gains rate tokens a second, and a request spends one. Buckets that have
// refilled are forgotten on the next sweep, so memory follows the clients
// active in the last minutes. When more than maxBuckets clients are active
// at once (someone spraying addresses), new clients share one bucket: the
// sprayer slows itself down, and the clients already known keep their own.
type limiter struct {
	mu        sync.Mutex
	rate      float64 // tokens a second; < 0: no limit
	burst     float64
	now       func() time.Time
	buckets   map[string]*bucket
	overflow  bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

const (
	maxBuckets = 100_000
	sweepEvery = time.Minute
)

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow spends a token of key's bucket. When there is none it says how
// long until there is.
func (l *limiter) allow(key string) (ok bool, retryAfter time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			b = &l.overflow
			if b.last.IsZero() {
				b.tokens, b.last = l.burst, now
			}
		} else {
			b = &bucket{tokens: l.burst, last: now}
			l.buckets[key] = b
		}
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if l.rate == 0 {
		return false, time.Hour
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait.Round(time.Second) + time.Second
}

// sweep forgets the buckets that are full again.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
