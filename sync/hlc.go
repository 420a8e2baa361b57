// Package sync is Safeer's sync protocol: the wire types that device and HQ
// exchange, the hybrid logical clock that orders edits, and the pure per-field
// merge both sides apply. It imports nothing of the store or of HTTP, so the
// device (package data) and HQ (package hq) share one definition of "newer".
package sync

import (
	"errors"
	"fmt"
	"strconv"
	stdsync "sync"
	"time"
)

// HLC is a hybrid logical clock stamp: wall time in milliseconds, a counter
// for events within (or ahead of) the same millisecond, and the device id that
// made it. Its text form compares in the same order as the stamps, so SQL can
// ORDER BY it and Go can compare with <.
type HLC struct {
	Wall    int64 // Unix milliseconds
	Counter uint32
	Device  string
}

// counterMax keeps the text form fixed-width (6 hex digits).
const counterMax = 0xFFFFFF

// String renders the stamp as "wwwwwwwwwwww-cccccc-device" with fixed-width
// lower-case hex, so that string order equals clock order.
func (h HLC) String() string {
	if h.Wall == 0 && h.Counter == 0 && h.Device == "" {
		return ""
	}
	// By hand rather than with fmt: every write of an import stamps a row.
	b := make([]byte, 0, 20+len(h.Device))
	b = appendHex(b, uint64(h.Wall), 12)
	b = append(b, '-')
	b = appendHex(b, uint64(h.Counter), 6)
	b = append(b, '-')
	b = append(b, h.Device...)
	return string(b)
}

// appendHex appends v as lower-case hex, zero-padded to width digits.
func appendHex(b []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	var buf [16]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = digits[v&0xF]
		v >>= 4
	}
	return append(b, buf[:width]...)
}

// Time is the stamp's wall-clock part.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Wall).UTC() }

// ParseHLC reads the text form made by String. The empty string is the zero
// stamp, older than every other.
func ParseHLC(s string) (HLC, error) {
	if s == "" {
		return HLC{}, nil
	}
	var h HLC
	if len(s) < 20 || s[12] != '-' || s[19] != '-' {
		return HLC{}, fmt.Errorf("clock stamp %q is not wall-counter-device", s)
	}
	wall, err := strconv.ParseInt(s[:12], 16, 64)
	if err != nil {
		return HLC{}, fmt.Errorf("clock stamp %q: wall time: %w", s, err)
	}
	h.Wall = wall
	c, err := strconv.ParseUint(s[13:19], 16, 32)
	if err != nil {
		return HLC{}, fmt.Errorf("clock stamp %q: counter: %w", s, err)
	}
	h.Counter = uint32(c)
	h.Device = s[20:]
	if h.Device == "" {
		return HLC{}, fmt.Errorf("clock stamp %q has no device", s)
	}
	return h, nil
}

// Less orders stamps by wall time, then counter, then device id.
func (h HLC) Less(o HLC) bool {
	if h.Wall != o.Wall {
		return h.Wall < o.Wall
	}
	if h.Counter != o.Counter {
		return h.Counter < o.Counter
	}
	return h.Device < o.Device
}

// MaxSkew is how far ahead of the receiver's wall clock a stamp may be before
// it is refused: a device with a clock days in the future must not drag every
// other clock along with it.
const MaxSkew = 24 * time.Hour

// ErrClockSkew is returned by Observe for a stamp beyond MaxSkew.
var ErrClockSkew = errors.New("clock stamp is more than a day in the future")

// Clock hands out increasing stamps for one device. It is safe for
// concurrent use.
type Clock struct {
	mu     stdsync.Mutex
	last   HLC
	device string
	now    func() time.Time
}

// NewClock starts a clock for device that continues after last (the newest
// stamp the device has persisted), so a restart never goes backwards even if
// the wall clock did.
func NewClock(device string, last HLC, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	last.Device = device
	return &Clock{last: last, device: device, now: now}
}

// Now returns a stamp newer than every stamp this clock has made or observed.
func (c *Clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = c.next(c.last)
	return c.last
}

// Peek returns the newest stamp made or observed, without advancing.
func (c *Clock) Peek() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *Clock) next(last HLC) HLC {
	wall := c.now().UnixMilli()
	if wall > last.Wall {
		return HLC{Wall: wall, Device: c.device}
	}
	if last.Counter >= counterMax {
		return HLC{Wall: last.Wall + 1, Device: c.device}
	}
	return HLC{Wall: last.Wall, Counter: last.Counter + 1, Device: c.device}
}

// Advance moves the clock to at least h, a stamp this device made in another
// process (the CLI while the app runs, on the same database), so the next
// stamp is newer than it. Unlike Observe it has no skew limit: it is the
// device's own clock.
func (c *Clock) Advance(h HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.Device = c.device
	if c.last.Less(h) {
		c.last = h
	}
}

// Observe merges a stamp received from elsewhere (HQ's clock on a pull), so
// the next local stamp is newer than it: a device whose wall clock is slow
// still wins with an edit made after it last synced. Stamps more than MaxSkew
// ahead of the local wall clock are refused and change nothing.
func (c *Clock) Observe(remote HLC) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote.Wall > c.now().Add(MaxSkew).UnixMilli() {
		return ErrClockSkew
	}
	if c.last.Less(HLC{Wall: remote.Wall, Counter: remote.Counter, Device: c.device}) {
		c.last = HLC{Wall: remote.Wall, Counter: remote.Counter, Device: c.device}
	}
	return nil
}
