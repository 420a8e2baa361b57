package web

// The tests of this package hash many passwords: they hash them cheaply
// (and weakly). This file is compiled into the test binary only, so no
// real HQ can run with these parameters.
func init() { argonParams.time, argonParams.memory = 1, 64 }
