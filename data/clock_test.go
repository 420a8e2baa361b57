package data

import (
	"context"
	"fmt"
	"github.com/oman-sca/safeer"
	"path/filepath"
	"testing"
	"time"
)

// Two processes on one database (the app and a CLI command) hand out
// stamps from one clock: an op's id is its stamp, so a repeat would make
// HQ refuse the second op as a reused id. A frozen wall clock makes
// repeats as likely as they can be.
func TestTwoProcessesNeverRepeatAStamp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	frozen := func() time.Time { return time.UnixMilli(1_800_000_000_000) }
	a, err := Open(ctx, path, WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path, WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range 20 {
		s := a
		if i%3 != 0 {
			s = b
		}
		mustAdd(t, s, safeer.Person{NameEn: fmt.Sprintf("Person %d", i), Governorate: "OM-MA"})
	}
	ops := outbox(t, a)
	if len(ops) != 20 {
		t.Fatalf("%d ops", len(ops))
	}
	for i, o := range ops {
		if o.Op.ID != o.Stamp {
			t.Errorf("op %d: id %s is not its stamp %s", i, o.Op.ID, o.Stamp)
		}
		if i > 0 && o.Stamp <= ops[i-1].Stamp {
			t.Errorf("op %d: stamp %s does not follow %s", i, o.Stamp, ops[i-1].Stamp)
		}
	}
}
