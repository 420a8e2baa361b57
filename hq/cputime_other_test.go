//go:build !unix

package hq_test

import "time"

// cpuTime is not measured here: the storm benchmark reports 0.
func cpuTime() time.Duration { return 0 }
