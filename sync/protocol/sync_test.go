package protocol

import (
	"strings"
	"testing"
	"time"
)

func TestHLCTextOrderIsClockOrder(t *testing.T) {
	stamps := []HLC{
		{Wall: 1, Counter: 0, Device: "b"},
		{Wall: 1, Counter: 1, Device: "a"},
		{Wall: 2, Counter: 0, Device: "a"},
		{Wall: 1 << 40, Counter: 0, Device: "a"},
		{Wall: 1 << 40, Counter: counterMax, Device: "a"},
	}
	for i := 1; i < len(stamps); i++ {
		a, b := stamps[i-1], stamps[i]
		if !a.Less(b) || !(a.String() < b.String()) {
			t.Errorf("%v should order before %v (%q, %q)", a, b, a, b)
		}
		back, err := ParseHLC(b.String())
		if err != nil || back != b {
			t.Errorf("round trip %v: %v %v", b, back, err)
		}
	}
	long := "000000000001-000000-" + strings.Repeat("d", MaxDeviceIDLen+1)
	for _, bad := range []string{"x", "0000000000zz-000000-a", "000000000001-000000-",
		// What a loose parser took: signs, prefixes, upper case, other
		// alphabets and unbounded device parts.
		"-00000000001-000000-a", "+00000000001-000000-a", "0x0000000001-000000-a",
		"00000000000A-000000-a", "000000000001-+00001-a", "000000000001-00000F-a",
		"000000000001-000000-a b", "000000000001-000000-ä", "000000000001-000000-a/b", long} {
		if _, err := ParseHLC(bad); err == nil {
			t.Errorf("ParseHLC(%q) accepted", bad)
		}
	}
}

func TestClockNeverGoesBack(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	c := NewClock("dev", HLC{}, func() time.Time { return now })
	a := c.Now()
	now = now.Add(-time.Hour) // the wall clock jumps back
	b := c.Now()
	if !a.Less(b) {
		t.Fatalf("%v then %v", a, b)
	}
	// A slow device that saw HQ's newer clock stamps after it.
	hq := HLC{Wall: now.Add(48*time.Hour).UnixMilli() - 1, Device: "hq"}
	if err := c.Observe(HLC{Wall: now.Add(23 * time.Hour).UnixMilli(), Device: "hq"}); err != nil {
		t.Fatal(err)
	}
	if next := c.Now(); next.Wall < now.Add(23*time.Hour).UnixMilli() {
		t.Fatalf("after observing HQ, stamp %v is older", next)
	}
	before := c.Peek()
	if err := c.Observe(hq); err != ErrClockSkew {
		t.Fatalf("far-future stamp: %v", err)
	}
	if c.Peek() != before {
		t.Fatal("a refused stamp moved the clock")
	}
}

func TestMerge(t *testing.T) {
	f := func(v any, h string) Field { return Field{Value: v, HLC: h} }
	cur := map[string]Field{"name": f("A", "2"), "phone": f("1", "5"), "email": f("x", "3")}
	in := map[string]Field{"name": f("B", "4"), "phone": f("2", "4"), "notes": f("n", "1"), "email": f("x", "3")}
	all := func(string) bool { return true }
	changed, conflicts := Merge(cur, in, all)
	if len(changed) != 2 || changed["name"].Value != "B" || changed["notes"].Value != "n" {
		t.Fatalf("changed %v", changed)
	}
	if len(conflicts) != 2 {
		t.Fatalf("conflicts %v", conflicts)
	}
	for _, c := range conflicts {
		switch c.Field {
		case "name":
			if c.Winner.Value != "B" || c.Loser.Value != "A" {
				t.Errorf("name conflict %+v", c)
			}
		case "phone":
			if c.Winner.Value != "1" || c.Loser.Value != "2" {
				t.Errorf("phone conflict %+v", c)
			}
		default:
			t.Errorf("unexpected conflict %+v", c)
		}
	}
	// Not concurrent: no conflicts, same winners.
	changed2, conflicts2 := Merge(cur, in, func(string) bool { return false })
	if len(conflicts2) != 0 || len(changed2) != len(changed) {
		t.Fatalf("%v %v", changed2, conflicts2)
	}
	// Equal numbers of different Go types are the same value.
	if _, c := Merge(map[string]Field{"capacity": f(30, "1")}, map[string]Field{"capacity": f(30.0, "2")}, all); len(c) != 0 {
		t.Fatalf("30 vs 30.0 conflicted: %v", c)
	}
}
