package initlog

import (
	"log"
	"strings"
	"testing"
)

// Until Release the standard logger writes to the buffer; Release returns
// it once and points the logger at stderr.
func TestRelease(t *testing.T) {
	log.Print("said while initialising")
	if got := string(Release()); !strings.Contains(got, "said while initialising") {
		t.Fatalf("Release() = %q", got)
	}
	log.Print("said after") // to stderr, not held
	if got := Release(); len(got) != 0 {
		t.Fatalf("second Release() = %q", got)
	}
}
