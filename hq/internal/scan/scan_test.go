package scan

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/oman-sca/safeer/internal/migrations"
)

func TestFound(t *testing.T) {
	if found, err := Found(nil, sql.ErrNoRows, "read x"); !found || err != nil {
		t.Errorf("a row read: %v %v", found, err)
	}
	if found, err := Found(sql.ErrNoRows, sql.ErrNoRows, "read x"); found || err != nil {
		t.Errorf("no row: %v %v", found, err)
	}
	boom := errors.New("boom")
	if found, err := Found(boom, sql.ErrNoRows, "read x"); found || !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "read x: ") {
		t.Errorf("a failed read: %v %v", found, err)
	}
	if v, found, err := Maybe("v", sql.ErrNoRows, sql.ErrNoRows, "read x"); v != "" || found || err != nil {
		t.Errorf("Maybe with no row = %q %v %v", v, found, err)
	}
}

func TestPending(t *testing.T) {
	ms := []migrations.Migration{{Version: 1}, {Version: 2}, {Version: 3}}
	if p, err := Pending(ms, 1, "hq.db"); err != nil || len(p) != 2 || p[0].Version != 2 {
		t.Errorf("Pending at 1 = %v %v", p, err)
	}
	if p, err := Pending(ms, 3, "hq.db"); err != nil || len(p) != 0 {
		t.Errorf("Pending at 3 = %v %v", p, err)
	}
	if _, err := Pending(ms, 4, "hq.db"); err == nil || !strings.Contains(err.Error(), "hq.db has schema 4; this safeer-hq knows up to 3") {
		t.Errorf("a newer database: %v", err)
	}
}

func TestValues(t *testing.T) {
	if b := NonNil(nil); b == nil || len(b) != 0 {
		t.Errorf("NonNil(nil) = %#v", b)
	}
	if l := List(nil); l == nil || len(l) != 0 {
		t.Errorf("List(nil) = %#v", l)
	}
}
