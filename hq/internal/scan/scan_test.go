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

// Migrate applies what is pending, in order, and only the first
// migration gets an epoch (for the meta row it creates).
func TestMigrate(t *testing.T) {
	ms := []migrations.Migration{{Version: 1}, {Version: 2}, {Version: 3}}
	var got []int
	var epochs []string
	apply := func(m migrations.Migration, epoch string) error {
		got, epochs = append(got, m.Version), append(epochs, epoch)
		return nil
	}
	if err := Migrate(ms, 0, "hq.db", apply); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 || len(epochs[0]) != 16 || epochs[1] != "" || epochs[2] != "" {
		t.Errorf("from 0: applied %v with epochs %q", got, epochs)
	}
	got, epochs = nil, nil
	if err := Migrate(ms, 2, "hq.db", apply); err != nil || len(got) != 1 || got[0] != 3 || epochs[0] != "" {
		t.Errorf("from 2: applied %v with epochs %q (%v)", got, epochs, err)
	}
	boom := errors.New("boom")
	got = nil
	err := Migrate(ms, 0, "hq.db", func(m migrations.Migration, _ string) error {
		got = append(got, m.Version)
		return boom
	})
	if !errors.Is(err, boom) || len(got) != 1 {
		t.Errorf("a failed migration: applied %v, %v", got, err)
	}
}
