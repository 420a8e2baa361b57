package web

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oman-sca/safeer/hq"
)

// The back-off of an account after failed sign-ins.
//
// The per-address limit (signinRL) stops one address guessing fast, but an
// attacker with many addresses is not slowed by it. So failures are also
// counted by the name typed, in the database (every safeer-hq process on
// one database shares the count): Config.SignInFreeFailures failures in a
// row are free, then the name must wait SignInBackoff, doubled with every
// further failure, up to SignInBackoffMax. A success forgets the count, and
// so does safeer-hq admin passwd. Names that are no account are counted
// exactly the same way, so the wait tells nothing about which names exist.
//
// Each attempt is counted as a failure before its password is checked, in
// one transaction that first checks the wait: attempts sent side by side
// cannot all slip in before the first failure is written. A right password
// then forgets the count again.

// backoffKey is the name failures are counted under: the name as typed
// when it could be an account's; every name that cannot be one shares a
// single count (it can lock out no one).
func backoffKey(name string) string {
	if CheckAdminName(name) != nil {
		return "\x00not an account name"
	}
	return name
}

// forgetAfter is how long after its last failure a name's count starts
// again from nothing (and its entry may be purged): well past the longest
// wait, so a patient attacker still meets the longest wait every time.
func (s *Site) forgetAfter() time.Duration {
	return max(time.Hour, 4*s.cfg.SignInBackoffMax)
}

// backoffDelay is the wait after the n-th failure in a row.
func (s *Site) backoffDelay(n int) time.Duration {
	free := s.cfg.SignInFreeFailures
	if n < free {
		return 0
	}
	d := s.cfg.SignInBackoff
	for i := free; i < n && d < s.cfg.SignInBackoffMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.SignInBackoffMax)
}

// beginSignIn counts an attempt under key as a failure, unless key must
// still wait: then it returns how long, and counts nothing. n is the
// failure this attempt will be if its password is wrong.
func (s *Site) beginSignIn(ctx context.Context, key string, now time.Time) (wait time.Duration, n int, err error) {
	err = s.st.Write(ctx, func(tx hq.Tx) error {
		f, found, err := tx.SignInFailures(ctx, key)
		if err != nil {
			return err
		}
		if found && now.Before(f.LockedUntil) {
			wait = f.LockedUntil.Sub(now)
			return nil
		}
		if !found || now.Sub(f.LastFailure) >= s.forgetAfter() {
			f = hq.SignInFailures{Name: key}
		}
		f.Count++
		f.LastFailure, f.LockedUntil = now, time.Time{}
		if d := s.backoffDelay(f.Count); d > 0 {
			f.LockedUntil = now.Add(d)
		}
		n = f.Count
		if err := tx.PutSignInFailures(ctx, f); err != nil {
			return err
		}
		// Entries of names nobody has tried for a long while go, so
		// names sprayed from many addresses do not pile up.
		return tx.PurgeSignInFailures(ctx, now.Add(-s.forgetAfter()))
	})
	return wait, n, err
}

// waitWords says a wait in words: "40 seconds", "1 minute", "15 minutes".
func waitWords(d time.Duration) string {
	if d <= time.Minute {
		sec := int((d + time.Second - 1) / time.Second)
		if sec <= 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", sec)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// retryAfter is a wait as the Retry-After header's whole seconds, rounded up.
func retryAfter(d time.Duration) string {
	return fmt.Sprint(int((d + time.Second - 1) / time.Second))
}

// auditName is a name as typed, fit for the audit log: valid text, at most
// 64 bytes.
func auditName(name string) string {
	name = strings.ToValidUTF8(name, "?")
	for len(name) > 64 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
