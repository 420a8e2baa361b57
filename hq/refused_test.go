package hq_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/synccheck"
	"github.com/oman-sca/safeer/sync/protocol"
)

// TestRefusedOpGivesWayToHQ is the chaos run's seed 1796586365454996960
// (issue 13): a device enrolled for Ad Dakhiliyah merges, offline, a
// person into someone an administrator meanwhile moved to Muscat. HQ
// refuses the merge for good (out of scope). The device keeps the refused
// op in its list, but the person stays on its roster as HQ has them (not
// merged), and the device equals HQ in its scope.
func TestRefusedOpGivesWayToHQ(t *testing.T) {
	databases(t, func(t *testing.T, newDB newDatabase) {
		ctx := context.Background()
		w := &world{now: time.Now().UTC().Truncate(time.Second)}
		st, err := newDB(t)(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		srv, err := hq.NewServer(ctx, st, key, hq.Options{Logger: synccheck.Quiet, Now: w.Now})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Date", w.Now().Format(http.TimeFormat))
			srv.Handler().ServeHTTP(rw, r)
		}))
		defer hs.Close()
		d := &clockBackDevice{t: t, name: "d", path: filepath.Join(t.TempDir(), "d.db"), clock: &wallClock{w: w}}
		d.open()
		defer d.close()
		code, _, err := hq.CreateEnrolment(ctx, st, []string{da}, "d", hq.CLI, w.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.sync.Enrol(ctx, hs.URL, code); err != nil {
			t.Fatal(err)
		}
		p := safeer.Person{NameEn: "Salim", Governorate: da, Phone: "91234567"}
		q := safeer.Person{NameEn: "Salim A.", Governorate: da}
		for _, x := range []*safeer.Person{&p, &q} {
			if err := d.store.AddPerson(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		d.mustSync()

		w.advance(time.Minute)
		if err := srv.Edit(ctx, func(e *hq.EditTx) error {
			_, err := e.Set("person", q.ID, map[string]any{"governorate": ma})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		w.advance(time.Minute)
		if _, err := d.store.MergePeople(ctx, p.ID, q.ID, nil); err != nil {
			t.Fatal(err)
		}
		rep, err := d.sync.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rejected == 0 {
			t.Fatalf("HQ took the merge into a person of another governorate: %+v", rep)
		}
		rej, err := d.store.RejectedOps(ctx, 10)
		if err != nil || len(rej) == 0 || rej[0].Code != protocol.CodeOutOfScope {
			t.Fatalf("refused ops kept: %+v %v", rej, err)
		}
		got, err := d.store.Person(ctx, p.ID)
		if err != nil || got.MergedInto != "" || got.Phone != "+96891234567" {
			t.Fatalf("after the refusal the device has %+v (%v); HQ has Salim not merged", got, err)
		}
		want, err := synccheck.HQDump(ctx, st, []string{da})
		if err != nil {
			t.Fatal(err)
		}
		dump, err := synccheck.DeviceDump(ctx, d.store)
		if err != nil {
			t.Fatal(err)
		}
		if diffs := synccheck.Compare(want, dump); len(diffs) != 0 {
			t.Fatalf("the device differs from HQ: %v", diffs)
		}
		// A second sync changes nothing and refuses nothing more.
		rep = d.mustSync()
		if n, _ := d.store.OutboxLen(ctx); n != 0 {
			t.Fatalf("%d ops queued", n)
		}
		_ = rep
	})
}
