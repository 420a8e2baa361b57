package protocol

import (
	"testing"
	"time"
)

// A wall clock that jumps back while the process runs: stamps go on from
// the newest wall time seen, aged by the monotonic clock, so they neither
// fall below it nor stop there; once the wall clock is right again it
// leads. A Date header seen later raises the floor; an earlier one does not.
func TestClockFloorWhenTheWallClockJumpsBack(t *testing.T) {
	real := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	wall, mono := real, time.Duration(0)
	c := NewClock("dev", HLC{}, func() time.Time { return wall })
	c.SetMonotonic(func() time.Duration { return mono })

	first := c.Now()
	if first.Wall != real.UnixMilli() {
		t.Fatalf("first stamp %v, want the wall clock", first.Time())
	}
	// Ten minutes later the wall clock falls three days behind.
	mono += 10 * time.Minute
	wall = real.Add(10*time.Minute - 72*time.Hour)
	got := c.Now()
	if want := real.Add(10 * time.Minute).UnixMilli(); got.Wall != want {
		t.Fatalf("after the jump back: stamp %v, want %v (floor aged by the monotonic clock)", got.Time(), time.UnixMilli(want).UTC())
	}
	if c.Floor() != got.Wall {
		t.Fatalf("floor %d, stamp %d", c.Floor(), got.Wall)
	}
	// HQ's Date header, an hour past the floor: stamps follow it.
	c.SeeWall(real.Add(70 * time.Minute))
	if h := c.Now(); h.Wall != real.Add(70*time.Minute).UnixMilli() {
		t.Fatalf("after HQ's Date: %v", h.Time())
	}
	// An older time changes nothing.
	c.SeeWall(real)
	mono += time.Minute
	if h := c.Now(); h.Wall != real.Add(71*time.Minute).UnixMilli() {
		t.Fatalf("an older time moved the floor: %v", h.Time())
	}
	// The wall clock set right again (and ahead of the floor) leads.
	wall = real.Add(2 * time.Hour)
	if h := c.Now(); h.Wall != wall.UnixMilli() {
		t.Fatalf("right clock again: %v", h.Time())
	}
	// Rewind (a clock found ahead of HQ's) lowers the floor too.
	c.Rewind(HLC{Wall: real.Add(90 * time.Minute).UnixMilli()})
	wall = real.Add(80 * time.Minute)
	if h := c.Now(); h.Wall != real.Add(90*time.Minute).UnixMilli() || h.Counter != 1 {
		t.Fatalf("after Rewind: %v/%d", h.Time(), h.Counter)
	}
}
