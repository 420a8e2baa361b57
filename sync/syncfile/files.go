package syncfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oman-sca/safeer/internal/privfile"
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

// WriteFile writes a sealed file to path whole or not at all, through
// privfile.Write (a temporary name next to it, renamed into place) and
// synced to the disk before the rename: a stick pulled out while writing
// leaves a hidden temporary file (which no one takes for a sync file),
// never half a file under the real name.
func WriteFile(path string, b []byte) error {
	return privfile.Write(path, func(w io.Writer) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		if f, ok := w.(*os.File); ok {
			return f.Sync()
		}
		return nil
	})
}
