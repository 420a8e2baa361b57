// Package initlog holds back what the standard logger is asked to print
// while the program's packages initialise, until main has read its command
// line and knows whether anyone should see it.
//
// It exists for Fyne. Go runs the init function of every package linked into
// a program before main, whether or not the program then uses it, and
// fyne.io/fyne/v2/lang's init reads the user's locale and logs through the
// standard logger when it cannot parse it: under LANG=C.UTF-8, as cron jobs
// and services run, every run of safeer printed "Fyne error: Error parsing
// user locale C". A headless command does not use Fyne, so it drops what was
// held; the app prints it, as Fyne meant.
//
// Import it from package main only. It works because its init runs before
// Fyne's lang package's: Go initialises packages in import-path order, each
// as soon as everything it imports is initialised (the spec's rule since Go
// 1.21). This package imports only log, os and sync; Fyne's lang needs
// text/template (through go-i18n), which itself needs os and sync, and whose
// path sorts after this one. So this package is ready before text/template,
// comes first in the order, and is initialised before text/template, go-i18n
// and Fyne's lang. cmd/safeer's tests run the built program under
// GODEBUG=inittrace=1 to check that order, and under LANG=C.UTF-8 to check
// that nothing is printed.
package initlog

import (
	"log"
	"os"
	"sync"
)

var held = &buffer{}

func init() { log.SetOutput(held) }

// buffer collects what the standard logger writes until Release.
type buffer struct {
	mu sync.Mutex
	b  []byte
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b = append(b.b, p...)
	return len(p), nil
}

// Release points the standard logger back at stderr and returns what it
// was asked to print until then. Calling it again returns nothing more.
func Release() []byte {
	log.SetOutput(os.Stderr)
	held.mu.Lock()
	defer held.mu.Unlock()
	out := held.b
	held.b = nil
	return out
}
