//go:build !linux

package main

import (
	"errors"
	"os"
)

// Elsewhere than Linux the password is read from stdin only (pipe it in).
func isTerminal(*os.File) bool { return false }

func readNoEcho(*os.File) (string, error) {
	return "", errors.New("cannot read a password from this terminal: pipe it in on stdin")
}
