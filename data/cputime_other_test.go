//go:build !unix

package data

import "time"

// cpuTime is not measured here: the CPU metrics read +Inf.
func cpuTime() time.Duration { return 0 }
