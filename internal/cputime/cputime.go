// Package cputime reads the process's CPU time, which benchmarks report
// beside wall time: on a shared machine it varies far less.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user plus system CPU time the process has used so
// far, or 0 where the system cannot say.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
