package client

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/oman-sca/safeer/data"
	"github.com/oman-sca/safeer/vault"
)

// TestProtectedDevicesSync: two devices with encrypted databases (issue
// 14) push and pull people, a conflict about a phone and its resolution;
// HQ receives the values as they were typed, and neither device's file
// holds them in clear.
func TestProtectedDevicesSync(t *testing.T) {
	ctx := context.Background()
	hq := newFakeHQ(t)
	kdf := []data.Option{data.WithKDF(vault.Params{Time: 1, MemoryKiB: 64, Threads: 1})}
	a, ca := deviceWith(t, hq, "", []string{"OM-MA"}, kdf)
	b, cb := deviceWith(t, hq, "", []string{"OM-MA"}, kdf)
	for _, s := range []*data.Store{a, b} {
		if s.Protected() { // SAFEER_TEST_PROTECT=1: openStore did it
			continue
		}
		if err := s.Protect(ctx, "a long passphrase", nil); err != nil {
			t.Fatal(err)
		}
	}
	p := addPerson(t, a, "Aisha", "OM-MA")
	p.Phone, p.CivilID, p.Email = "91111111", "81726354", "aisha@example.om"
	if err := a.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ca)
	if row := hq.row("person", p.ID); row["phone"] != "+96891111111" || row["civil_id"] != "81726354" || row["email"] != "aisha@example.om" {
		t.Fatalf("HQ has %v", row)
	}
	mustSync(t, cb)
	if got, err := b.PeopleWith(ctx, "civil_id", "81726354"); err != nil || len(got) != 1 || got[0].Phone != "+96891111111" {
		t.Fatalf("pulled person on B by civil ID: %+v %v", got, err)
	}
	// Both change the phone offline; B edits last and wins; A's is logged.
	pa, _ := a.Person(ctx, p.ID)
	pa.Phone = "93333333"
	if err := a.UpdatePerson(ctx, &pa); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	pb, _ := b.Person(ctx, p.ID)
	pb.Phone = "92222222"
	if err := b.UpdatePerson(ctx, &pb); err != nil {
		t.Fatal(err)
	}
	mustSync(t, cb)
	if rep := mustSync(t, ca); rep.Conflict != 1 {
		t.Fatalf("report %+v", rep)
	}
	list, err := a.Conflicts(ctx, false)
	if err != nil || len(list) != 1 || list[0].Loser != "+96893333333" || list[0].Winner != "+96892222222" {
		t.Fatalf("conflicts on A: %+v %v", list, err)
	}
	if err := a.ResolveConflict(ctx, list[0].ID, data.TakeLoser); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ca)
	mustSync(t, cb)
	if hq.row("person", p.ID)["phone"] != "+96893333333" {
		t.Fatalf("HQ phone %v", hq.row("person", p.ID)["phone"])
	}
	if got, _ := b.Person(ctx, p.ID); got.Phone != "+96893333333" {
		t.Fatalf("B's phone %s after resolution", got.Phone)
	}
	for _, s := range []*data.Store{a, b} {
		path := s.Path()
		s.Close()
		for _, f := range []string{path, path + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, v := range []string{"91111111", "92222222", "93333333", "81726354", "aisha@example.om"} {
				if bytes.Contains(raw, []byte(v)) {
					t.Errorf("%s holds %s in clear", f, v)
				}
			}
		}
	}
}
