// Package sync is Safeer's sync protocol: the wire types that device and HQ
// exchange, the hybrid logical clock that orders edits, and the pure per-field
// merge both sides apply. It imports nothing of the store or of HTTP, so the
// device (package data) and HQ (package hq) share one definition of "newer".
package protocol

import (
	"errors"
	"fmt"
	"sync"
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

// ParseHLC reads the text form made by String, strictly: 12 lower-case hex
// digits of wall time, 6 of counter, and a device id of ValidDeviceID's
// alphabet and length. Stamps come from other machines (HQ reads every
// device's), so anything String would not have written is refused rather
// than read loosely. The empty string is the zero stamp, older than every
// other.
func ParseHLC(s string) (HLC, error) {
	if s == "" {
		return HLC{}, nil
	}
	if len(s) < 21 || s[12] != '-' || s[19] != '-' {
		return HLC{}, fmt.Errorf("clock stamp %.80q is not wall-counter-device", s)
	}
	wall, ok := parseLowerHex(s[:12])
	if !ok {
		return HLC{}, fmt.Errorf("clock stamp %.80q: the wall time is not 12 lower-case hex digits", s)
	}
	c, ok := parseLowerHex(s[13:19])
	if !ok {
		return HLC{}, fmt.Errorf("clock stamp %.80q: the counter is not 6 lower-case hex digits", s)
	}
	if !ValidDeviceID(s[20:]) {
		return HLC{}, fmt.Errorf("clock stamp %.80q: the device id is empty, longer than %d characters or not of letters, digits, - and _", s, MaxDeviceIDLen)
	}
	return HLC{Wall: int64(wall), Counter: uint32(c), Device: s[20:]}, nil
}

// parseLowerHex reads fixed-width lower-case hex (no sign, no prefix).
func parseLowerHex(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint64(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// MaxDeviceIDLen bounds a device id (UUIDs are 36 characters).
const MaxDeviceIDLen = 64

// HQDevice is the device part of HQ's own stamps: no enrolled device may
// use it.
const HQDevice = "hq"

// ValidDeviceID keeps device ids to what fits in a clock stamp and a log
// line: 1 to MaxDeviceIDLen ASCII letters, digits, '-' and '_' (UUIDs in
// practice).
func ValidDeviceID(id string) bool {
	if id == "" || len(id) > MaxDeviceIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		r := id[i]
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
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

// MaxAhead is how far ahead of HQ's wall clock a pushed stamp may be. A
// stamp accepted from the future would win every later honest edit of its
// field until the future arrived; devices correct their clocks to HQ's
// (the offset measured from its Date header) before they push, so minutes
// are room enough for the measurement's error and the push's own time.
const MaxAhead = 5 * time.Minute

// ErrClockSkew is returned by Observe for a stamp beyond MaxSkew.
var ErrClockSkew = errors.New("clock stamp is more than a day in the future")

// Clock hands out increasing stamps for one device. It is safe for
// concurrent use.
//
// Besides the newest stamp it keeps a floor: the newest wall time it has
// seen (its own wall readings, HQ's time from the Date header of a reply,
// times a store saved or found on its files; see SeeWall) and the moment,
// on the monotonic clock (see SetMonotonic), it saw it. A stamp's wall time
// is the greatest of the wall clock and the floor plus the time elapsed
// since on the monotonic clock, which a change of the wall clock does not
// move. So a wall clock
// that jumps back (a flat clock battery, a wrong time zone fixed) neither
// sends stamps below what was seen nor freezes them there: while the
// process runs they keep real time. The monotonic clock runs no faster than
// real time (on some systems it stops while the computer sleeps), so the
// floor never carries stamps ahead of a right clock.
type Clock struct {
	mu     sync.Mutex
	last   HLC
	device string
	now    func() time.Time
	mono   func() time.Duration

	floor     int64         // newest wall time seen, Unix ms
	floorMono time.Duration // mono() when floor was seen
}

// NewClock starts a clock for device that continues after last (the newest
// stamp the device has persisted), so a restart never goes backwards even if
// the wall clock did.
func NewClock(device string, last HLC, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	last.Device = device
	return &Clock{last: last, device: device, now: now, mono: func() time.Duration { return 0 }}
}

// Monotonic is the process's monotonic clock since start, for SetMonotonic.
func Monotonic() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}

// SetMonotonic makes the floor age with mono (Monotonic() on a device; a
// fake in tests of a wall clock that jumps while the process runs). Without
// it the floor does not age: stamps after a jump back go on from the floor
// by the counter, as a plain hybrid clock's do.
func (c *Clock) SetMonotonic(mono func() time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mono = mono
	c.floorMono = mono()
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
	wall := c.wall()
	if wall > last.Wall {
		return HLC{Wall: wall, Device: c.device}
	}
	if last.Counter >= counterMax {
		return HLC{Wall: last.Wall + 1, Device: c.device}
	}
	return HLC{Wall: last.Wall, Counter: last.Counter + 1, Device: c.device}
}

// wall is the wall time stamps are made from: the wall clock, or the floor
// aged by the monotonic clock when that is later (the wall clock went
// back). A wall clock at or past the floor becomes the floor. c.mu is held.
func (c *Clock) wall() int64 {
	w := c.now().UnixMilli()
	m := c.mono()
	if est := c.floor + max(m-c.floorMono, 0).Milliseconds(); est > w {
		return est
	}
	c.floor, c.floorMono = w, m
	return w
}

// Floor is the newest wall time this clock has seen, aged since by the
// monotonic clock (Unix ms): what a store saves so that the next process
// on the same database, whatever its wall clock says, stamps after it.
func (c *Clock) Floor() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall()
}

// SeeWall raises the floor to t, a wall time known to have passed: HQ's
// Date header, the floor a previous process saved, the time a file was
// last written. Earlier times change nothing.
func (c *Clock) SeeWall(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ms := t.UnixMilli(); ms > c.wall() {
		c.floor, c.floorMono = ms, c.mono()
	}
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

// Rewind sets the clock, and its floor, back to h, below stamps it has
// made and wall times it has seen: only for a device that finds its clock
// ran ahead of HQ's (see data.RestampAhead), which re-stamps its unsent
// edits after h in the same breath.
func (c *Clock) Rewind(h HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.Device = c.device
	c.last = h
	c.floor, c.floorMono = h.Wall, c.mono()
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
