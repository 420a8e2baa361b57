package roster

import (
	"slices"
	"testing"
)

// ExactKeys and Exact are one rule: two records share an index key with a
// reason exactly when Exact gives them that reason.
func TestExactKeysAgreeWithExact(t *testing.T) {
	people := []Keys{
		KeysOf("أحمد سالم الهنائي", "Ahmed Al Hinai", "male", "7654321", "+96891234567", "ahmed@example.om"),
		KeysOf("احمد سالم الهنائى", "", "", "", "91234567", ""),
		KeysOf("", "ahmed al hinai", "", "٧٦٥٤٣٢١", "", "AHMED@example.om"),
		KeysOf("خالد", "Khalid", "male", "1234", "123", "not an address"),
		KeysOf("خالد", "", "", "", "", ""),
		{},
	}
	for i, a := range people {
		for j, b := range people {
			if i == j {
				continue
			}
			var shared []Reason
			kb := ExactKeys(b)
			for k, why := range ExactKeys(a) {
				if kb[k] == why && !slices.Contains(shared, why) {
					shared = append(shared, why)
				}
			}
			want := Exact(a, b)
			slices.Sort(shared)
			slices.Sort(want)
			if !slices.Equal(shared, want) {
				t.Errorf("records %d and %d share keys for %v, Exact gives %v", i, j, shared, want)
			}
		}
	}
	if k := ExactKeys(Keys{}); len(k) != 0 {
		t.Errorf("no keys known, ExactKeys = %v", k)
	}
}
