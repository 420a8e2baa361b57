package e2e_test

import (
	"path/filepath"
	"testing"

	"github.com/oman-sca/safeer/internal/testharness/faultproxy"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
)

// HQ as two safeer-hq processes on one PostgreSQL database, behind nothing
// but their two ports: a proxy hands each new connection to the next
// process, so every `safeer` run (enrol, each sync) talks to one or the
// other in turn. Enrolment, pushes, pulls, a conflict and two opposite
// offline merges (a merge cycle HQ must repair) all cross from one process
// to the other, and the laptops end up agreeing.
func TestTwoHQProcessesOnOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real programs")
	}
	dsn := pgtest.DSN(t)
	key := filepath.Join(t.TempDir(), "hq.key")
	h1 := startHQ(t, dsn, "127.0.0.1:0", "--key", key)
	defer h1.stop()
	h2 := startHQ(t, dsn, "127.0.0.1:0", "--key", key)
	defer h2.stop()
	lb, err := faultproxy.Start(h1.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	lb.Spread(h1.addr, h2.addr)
	front := &hqProc{t: t, db: dsn, addr: lb.Addr()} // what devices and the CLI see

	muscat, muscat2, dakh := newDevice(t, "muscat"), newDevice(t, "muscat-2"), newDevice(t, "dakhiliyah")
	muscat.enrol(front, "OM-MA")
	muscat2.enrol(front, "OM-MA")
	dakh.enrol(front, "OM-DA")

	salim := muscat.addPerson("Salim Al Harthy", "OM-MA", "--phone", "91234567")
	huda := muscat.addPerson("Huda Al Harthy", "OM-MA", "--phone", "91234568")
	noor := dakh.addPerson("Noor Al Hinai", "OM-DA")
	if r := muscat.sync(); r.Applied != 2 {
		t.Fatalf("muscat's first sync: %+v", r)
	}
	dakh.sync()
	if r := muscat2.sync(); r.Pulled < 2 {
		t.Fatalf("muscat-2 pulled %+v", r)
	}

	// The same field on both Muscat laptops, offline, each pushed to a
	// different process: one wins everywhere, the other is a conflict.
	muscat.must("people", "edit", salim, "--phone", "91111111")
	muscat2.must("people", "edit", salim, "--phone", "92222222")
	r1, r2 := muscat.sync(), muscat2.sync()
	if r1.Applied+r2.Applied+r1.Conflict+r2.Conflict != 2 || r1.Conflict+r2.Conflict != 1 {
		t.Fatalf("same field on two laptops: %+v / %+v", r1, r2)
	}

	// Opposite merges, offline: Salim into Huda on one laptop, Huda into
	// Salim on the other. HQ repairs the cycle, whichever process sees
	// which merge: one of them stays on the roster.
	muscat.must("people", "merge", salim, huda)
	muscat2.must("people", "merge", huda, salim)
	for range 3 {
		muscat.sync()
		muscat2.sync()
	}
	for _, d := range []*dev{muscat, muscat2} {
		s, h := showPerson(d, salim), showPerson(d, huda)
		if (s.MergedInto == "") == (h.MergedInto == "") {
			t.Errorf("%s after opposite merges: Salim→%q, Huda→%q (want exactly one left)", d.name, s.MergedInto, h.MergedInto)
		}
	}
	a1, a2 := showPerson(muscat, salim), showPerson(muscat2, salim)
	b1, b2 := showPerson(muscat, huda), showPerson(muscat2, huda)
	if a1 != a2 || b1 != b2 {
		t.Errorf("the laptops disagree: %+v %+v / %+v %+v", a1, b1, a2, b2)
	}
	p1, _ := muscat.person(salim)
	p2, _ := muscat2.person(salim)
	if p1.Phone != p2.Phone {
		t.Errorf("Salim's phone: %q on one laptop, %q on the other", p1.Phone, p2.Phone)
	}
	// Scope holds across processes.
	if _, ok := muscat.person(noor); ok {
		t.Error("Muscat's laptop got Ad Dakhiliyah's person")
	}
	if _, ok := dakh.person(salim); ok {
		t.Error("Ad Dakhiliyah's laptop got Muscat's person")
	}
	for _, d := range []*dev{muscat, muscat2, dakh} {
		if s := d.status(); s.OpsWaiting != 0 || s.RejectedOps != 0 {
			t.Errorf("%s: %+v", d.name, s)
		}
	}
	if lb.Exchanges() == 0 {
		t.Fatal("nothing went through the two processes")
	}
}
