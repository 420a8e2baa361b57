package data

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

// Two stores (two processes, in the field: the app's first start and a
// scheduled safeer sync) encrypt the same clear database at the same
// moment, each under its own passphrase. Exactly one must win; the other
// must change nothing (no key file of its own over the winner's, no
// second sealing), and every person must open with the winner's
// passphrase afterwards.
func TestTwoProtectsAtOnceLoseNothing(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "safeer.db")
		seed := openAt(t, path)
		var ids []string
		for _, p := range protectedPeople {
			p := p
			if err := seed.AddPerson(ctx, &p); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		seed.Close()

		passphrases := []string{"the first passphrase", "the second passphrase"}
		stores := []*Store{openAt(t, path), openAt(t, path)}
		errs := make([]error, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Protect(ctx, passphrases[i], nil)
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner < 0:
				winner = i
			case err == nil:
				t.Fatalf("round %d: both encryptions succeeded", round)
			case !errors.Is(err, ErrProtected):
				t.Fatalf("round %d: store %d: %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: neither encryption succeeded: %v", round, errs)
		}
		loser := stores[1-winner]
		if !loser.Protected() || !loser.Locked() {
			t.Fatalf("round %d: the store that lost does not know the file is encrypted", round)
		}
		for _, s := range stores {
			s.Close()
		}

		s := openAt(t, path)
		if err := s.Unlock(ctx, passphrases[winner]); err != nil {
			t.Fatalf("round %d: unlock with the winner's passphrase: %v", round, err)
		}
		for i, id := range ids {
			got, err := s.Person(ctx, id)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			want := protectedPeople[i]
			if got.CivilID != want.CivilID || got.Notes != want.Notes || got.Email != want.Email {
				t.Fatalf("round %d: person %d reads %q %q %q, want %q %q %q", round, i,
					got.CivilID, got.Notes, got.Email, want.CivilID, want.Notes, want.Email)
			}
		}
		s.Close()
	}
}
