package web

import "testing"

// HQ's activity page and exports credit attendance to the end of a chain
// of merges, as the devices do, and read a merge into a deleted person
// (absent from people) as none.
func TestCanonicalFollowsChains(t *testing.T) {
	p := &programme{
		people: map[string]listed{"p": {}, "q": {}, "r": {}, "s": {}, "c1": {}, "c2": {}},
		mergedTo: map[string]string{
			"p": "q", "q": "r", // a chain of two
			"s":  "gone",           // into a deleted person
			"c1": "c2", "c2": "c1", // a cycle HQ has not repaired yet
		},
	}
	for id, want := range map[string]string{"p": "r", "q": "r", "r": "r", "s": "s", "x": "x"} {
		if got := p.canonical(id); got != want {
			t.Errorf("canonical(%s) = %s, want %s", id, got, want)
		}
	}
	if got := p.canonical("c1"); got != "c1" && got != "c2" {
		t.Errorf("canonical in a cycle = %s", got)
	}
}
