package syncfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names: a request ends in RequestExt, a reply in ReplyExt. The reply
// to a request saved as NAME.safeer-sync is NAME.safeer-reply, next to it
// or in the folder the reply is written to, so whoever carries both knows
// which answers which.
const (
	RequestExt = ".safeer-sync"
	ReplyExt   = ".safeer-reply"
)

// RequestName is the name a device gives its request: its id's start and
// the time, so files from several devices on one stick stay apart.
func RequestName(deviceID string, at time.Time) string {
	short := deviceID
	if len(short) > 8 {
		short = short[len(short)-8:]
	}
	return fmt.Sprintf("safeer-%s-%s%s", short, at.UTC().Format("20060102-150405"), RequestExt)
}

// ReplyNameFor is the name of the reply to the request file at path (its
// base name, with ReplyExt for RequestExt).
func ReplyNameFor(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ReplyExt
}

// ReplyName is a reply's name when the request's file name is not known
// (the console's download): the device's id and the request's.
func ReplyName(deviceID, fileID string) string {
	return fmt.Sprintf("safeer-%s-%s%s", deviceID, fileID, ReplyExt)
}

// IsRequestName reports whether a file name is a request's.
func IsRequestName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), RequestExt) && !strings.HasPrefix(filepath.Base(name), ".")
}

// WriteFile writes a sealed file to path whole or not at all: to a
// temporary name in the same folder, synced, then renamed over path. A
// stick pulled out while writing leaves a temporary file (which no one
// takes for a sync file: it has neither extension), never half a file
// under the real name.
func WriteFile(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".safeer-partial-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // the rename itself, on file systems that need it
		d.Close()
	}
	return nil
}
