package safeer_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer"
)

// TestPlaceIDIsTheNameBasedUUID: PlaceID is written out by hand, so it is
// checked against an implementation of the RFC we did not write, on every
// place of the reference data's shape and on names in Arabic too: the ids
// devices already hold were made by uuid.NewSHA1 and must not change.
func TestPlaceIDIsTheNameBasedUUID(t *testing.T) {
	ns := uuid.MustParse("6f1c3d52-2b7e-4c8e-9a55-3c7d9f0e8a41")
	for _, c := range [][2]string{{"OM-MA", "Muscat"}, {"OM-DA", "Nizwa"}, {"OM-MA", "Al Khoudh"}, {"OM-ZU", ""}, {"", "صحار"}} {
		want := uuid.NewSHA1(ns, []byte(c[0]+"/"+c[1])).String()
		if got := safeer.PlaceID(c[0], c[1]); got != want {
			t.Errorf("PlaceID(%q, %q) = %s, want %s", c[0], c[1], got, want)
		}
	}
}
