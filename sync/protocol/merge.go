package protocol

// Newer reports whether stamp a orders after stamp b. Stamps compare as
// text (see HLC.String); the empty stamp is older than every other.
func Newer(a, b string) bool { return a > b }

// FieldConflict is a field both sides changed concurrently: the value that
// won and the value that lost, each with its stamp (whose device part says
// who made it). Nothing is silently lost: the loser goes to a conflict log
// for a person to review.
type FieldConflict struct {
	Field  string `json:"field"`
	Winner Field  `json:"winner"`
	Loser  Field  `json:"loser"`
}

// Merge is the per-field merge both HQ and the device apply. current is
// the row as stored (missing fields have the zero stamp); incoming is an op
// or a pulled change. For each incoming field the higher stamp wins.
// concurrent says whether the stored field was changed by someone else
// since the incoming edit's base (HQ knows this from revisions, the device
// from its unsent ops); when it was and the values differ, the loser is
// reported as a conflict whichever side won.
//
// Merge is pure: the same inputs give the same outputs on every machine,
// which is what lets every copy converge.
func Merge(current, incoming map[string]Field, concurrent func(field string) bool) (changed map[string]Field, conflicts []FieldConflict) {
	changed = map[string]Field{}
	for name, in := range incoming {
		cur, ok := current[name]
		if ok && in.HLC == cur.HLC {
			continue // the same edit seen again
		}
		inWins := !ok || Newer(in.HLC, cur.HLC)
		if inWins {
			changed[name] = in
		}
		if !ok || concurrent == nil || !concurrent(name) || SameValue(in.Value, cur.Value) {
			continue
		}
		if inWins {
			conflicts = append(conflicts, FieldConflict{Field: name, Winner: in, Loser: cur})
		} else {
			conflicts = append(conflicts, FieldConflict{Field: name, Winner: cur, Loser: in})
		}
	}
	return changed, conflicts
}

// SameValue compares JSON scalars, treating integers and floats alike
// (a capacity may arrive as 30 or 30.0).
func SameValue(a, b any) bool {
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum && bNum {
		return fa == fb
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}
