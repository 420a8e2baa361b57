package web

import "testing"

// FastHashingForTests makes password hashing cheap (and weak) for the tests
// of this package and of the programs using it. Outside a test binary it
// panics, so no real HQ can run with it.
func FastHashingForTests() {
	if !testing.Testing() {
		panic("web.FastHashingForTests called outside a test")
	}
	argonParams.time, argonParams.memory = 1, 64
}
