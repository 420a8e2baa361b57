package hq_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oman-sca/safeer/certificate"
	"github.com/oman-sca/safeer/credential"
	"github.com/oman-sca/safeer/hq"
	"github.com/oman-sca/safeer/internal/testharness/pgtest"
	"github.com/oman-sca/safeer/sync/protocol"
)

// credEnv is an HQ that issues credentials: its server writes through
// Credentials.Store, as safeer-hq serve --public-url builds it.
type credEnv struct {
	*env
	creds *hq.Credentials
	raw   hq.Store
}

func newCredEnv(t *testing.T, st hq.Store) *credEnv {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	is, err := credential.NewIssuer("https://hq.example.om", "سفراء المدن الذكية", "Smart City Ambassadors", key)
	if err != nil {
		t.Fatal(err)
	}
	var e *credEnv
	c, err := hq.NewCredentials(st, is, hq.CredentialOptions{Now: func() time.Time { return e.clock() }})
	if err != nil {
		t.Fatal(err)
	}
	e = &credEnv{env: newEnv(t, c.Store()), creds: c, raw: st}
	return e
}

// verify checks a credential as any verifier would, against the list HQ
// would serve now.
func (e *credEnv) verify(t *testing.T, token string) credential.Result {
	t.Helper()
	is := e.creds.Issuer()
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC) // after every workshop here
	return credential.Verify(token, credential.VerifyOptions{
		Now:     now,
		Issuer:  is.DID,
		Resolve: func(kid string) (ed25519.PublicKey, error) { return is.DIDDocument().Key(kid) },
		Status: func(string) (string, error) {
			revoked, err := e.creds.RevokedStatuses(ctx)
			if err != nil {
				return "", err
			}
			list := credential.NewStatusList(hq.StatusSpace)
			for _, i := range revoked {
				list.Set(i, true)
			}
			return is.StatusListCredential(list, now.Add(-time.Minute), time.Hour)
		},
	})
}

// certOp is the op of a device issuing a certificate for an attendance,
// as package data writes it.
func certOp(d *device, id, attendance string, c certificate.Certificate) protocol.Op {
	snap, _ := json.Marshal(c)
	return d.op("certificate", id, "attendance_id", attendance, "code", c.Code,
		"issued_at", c.IssuedAt.Format(time.RFC3339), "device_id", d.id, "snapshot", string(snap),
		"signature", "", "revoked_at", "", "revoked_reason", "", "reissue_of", c.ReissueOf)
}

// TestCredentialsFollowCertificates: HQ issues one credential per
// certificate it learns of from a device; a reprint keeps it; a reissue
// after a name correction issues a new one and revokes the old; a
// revocation on a device or in the console sets the credential's bit.
func TestCredentialsFollowCertificates(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newCredEnv(t, open(t))
		d := e.enrol("OM-MA")
		w, p, a := uuid.NewString(), uuid.NewString(), uuid.NewString()
		for i, r := range d.push(
			d.op("workshop", w, "title_en", "IoT basics", "title_ar", "أساسيات إنترنت الأشياء", "governorate", "OM-MA", "date", "2026-12-07"),
			d.op("person", p, "name_en", "Aisha", "name_ar", "عائشة", "governorate", "OM-MA"),
			d.op("attendance", a, "workshop_id", w, "person_id", p, "hours", 3.0),
		) {
			if r.Status != protocol.Applied {
				t.Fatalf("setup op %d: %+v", i, r)
			}
		}
		cert := certificate.Certificate{Code: certificate.NewCode(), PersonNameAr: "عائشة", PersonNameEn: "Aisha",
			WorkshopTitleAr: "أساسيات إنترنت الأشياء", WorkshopTitleEn: "IoT basics", WilayatAr: "مطرح", WilayatEn: "Muttrah",
			Date: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Hours: 3, IssuedAt: time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC), DeviceID: d.id}
		first := uuid.NewString()
		if r := d.push(certOp(d, first, a, cert)); r[0].Status != protocol.Applied {
			t.Fatalf("certificate: %+v", r[0])
		}

		got, found, err := e.creds.Of(ctx, first)
		if err != nil || !found {
			t.Fatalf("no credential for the certificate: %v", err)
		}
		if got.Code != cert.Code || got.PersonID != p || got.Scope != "OM-MA" || got.Revoked() {
			t.Fatalf("stored credential %+v", got)
		}
		r := e.verify(t, got.JWT)
		if r.Outcome != credential.Valid {
			t.Fatalf("the credential: %s %v", r.Outcome, r.Reasons)
		}
		cr := r.Credential
		if cr.ID != "urn:uuid:"+first || cr.CredentialSubject.ID != "urn:uuid:"+p || cr.CredentialSubject.Achievement.ID != "urn:uuid:"+w ||
			cr.ValidFrom != "2026-12-07T00:00:00+04:00" || cr.CredentialStatus.StatusListIndex != itoa(got.StatusIndex) {
			t.Fatalf("credential %+v", cr)
		}

		// The devices of the certificate's governorate pull the credential
		// (a credential row, HQ's); others do not; no device may write one.
		pulled := func(d *device) map[string]any {
			t.Helper()
			var out map[string]any
			for _, ch := range d.pullAll(100) {
				if ch.Table == hq.CredentialTable && ch.RowID == first {
					out = map[string]any{}
					for k, f := range ch.Fields {
						out[k] = f.Value
					}
				}
			}
			return out
		}
		if row := pulled(d); row == nil || row["jwt"] != got.JWT || row["code"] != cert.Code || row["certificate_id"] != first || row["revoked_at"] != "" {
			t.Fatalf("the device pulled %v", row)
		}
		if row := pulled(e.enrol("OM-DA")); row != nil {
			t.Fatalf("another governorate's device pulled %v", row)
		}
		if r := d.push(d.op(hq.CredentialTable, first, "jwt", "forged.token.x")); r[0].Status != protocol.Rejected {
			t.Fatalf("a device wrote a credential: %+v", r[0])
		}

		// A reprint writes nothing new; a device's re-sent certificate (the
		// same values) changes no field: the credential stays.
		d.push(certOp(d, first, a, cert))
		if again, _, _ := e.creds.Of(ctx, first); again.JWT != got.JWT || again.StatusIndex != got.StatusIndex {
			t.Fatal("the credential changed without a new certificate")
		}

		// A name correction: the device issues a new certificate that
		// replaces the first and revokes it.
		fixed := cert
		fixed.Code, fixed.PersonNameEn, fixed.ReissueOf = certificate.NewCode(), "Aysha", cert.Code
		second := uuid.NewString()
		res := d.push(certOp(d, second, a, fixed),
			d.op("certificate", first, "revoked_at", "2026-12-08T08:00:00Z", "revoked_reason", "replaced by "+fixed.Code))
		for i, x := range res {
			if x.Status != protocol.Applied {
				t.Fatalf("reissue op %d: %+v", i, x)
			}
		}
		newer, found, err := e.creds.Of(ctx, second)
		if err != nil || !found || newer.StatusIndex == got.StatusIndex || newer.JWT == got.JWT {
			t.Fatalf("reissue: %+v %v %v", newer, found, err)
		}
		if r := e.verify(t, got.JWT); r.Outcome != credential.Revoked {
			t.Fatalf("the replaced certificate's credential: %s", r.Outcome)
		}
		if row := pulled(d); row == nil || row["revoked_at"] == "" || row["jwt"] != got.JWT {
			t.Fatalf("the device pulled the replaced credential as %v", row)
		}
		if r := e.verify(t, newer.JWT); r.Outcome != credential.Valid || !slices.ContainsFunc(r.Credential.CredentialSubject.Identifier,
			func(o credential.IdentityObject) bool { return o.IdentityHash == "Aysha" }) {
			t.Fatalf("the reissued credential: %s %+v", r.Outcome, r.Credential)
		}

		// A revocation in the console (an administrator's edit).
		if err := e.srv.Edit(ctx, func(tx *hq.EditTx) error {
			_, err := tx.Set("certificate", second, map[string]any{"revoked_at": "2026-12-09T10:00:00Z", "revoked_reason": "attendance recorded in error"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if r := e.verify(t, newer.JWT); r.Outcome != credential.Revoked {
			t.Fatalf("revoked in the console: %s", r.Outcome)
		}
		// Readers at once (they share catch-ups) all see both revocations.
		want := []int{got.StatusIndex, newer.StatusIndex}
		slices.Sort(want)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				revoked, err := e.creds.RevokedStatuses(ctx)
				slices.Sort(revoked)
				if err == nil && !slices.Equal(revoked, want) {
					err = fmt.Errorf("revoked indexes %v, want %v", revoked, want)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		mine, err := e.creds.OfPerson(ctx, p)
		if err != nil || len(mine) != 2 {
			t.Fatalf("the person's credentials: %d, %v", len(mine), err)
		}

		// Another HQ process over the same database (a restart) issues
		// nothing twice and sees the same revocations.
		again, err := hq.NewCredentials(e.raw, e.creds.Issuer(), hq.CredentialOptions{Now: e.clock})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.raw.(hq.CredentialStore).CountCredentials(ctx); err != nil || n != 2 {
			t.Fatalf("%d credentials (%v)", n, err)
		}
		if r2, err := again.RevokedStatuses(ctx); err != nil || len(r2) != 2 {
			t.Fatalf("after a restart: %v %v", r2, err)
		}
	})
}

// TestCredentialsIssuedOnPush: HQ issues a certificate's credential on its
// own once a push commits it, without anyone asking (Run, woken by the
// write).
func TestCredentialsIssuedOnPush(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newCredEnv(t, open(t))
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { e.creds.Run(runCtx); close(done) }()
		t.Cleanup(func() { stop(); <-done })

		d := e.enrol("OM-DA")
		w, p, a, c := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
		cert := certificate.Certificate{Code: certificate.NewCode(), PersonNameEn: "Salim", WorkshopTitleEn: "Drones",
			Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Hours: 2, IssuedAt: time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)}
		for i, r := range d.push(
			d.op("workshop", w, "title_en", "Drones", "governorate", "OM-DA", "date", "2026-11-02"),
			d.op("person", p, "name_en", "Salim", "governorate", "OM-DA"),
			d.op("attendance", a, "workshop_id", w, "person_id", p, "hours", 2.0),
			certOp(d, c, a, cert),
		) {
			if r.Status != protocol.Applied {
				t.Fatalf("op %d: %+v", i, r)
			}
		}
		cs := e.raw.(hq.CredentialStore)
		deadline := time.Now().Add(20 * time.Second)
		for {
			have, err := cs.CredentialsOf(ctx, []string{c})
			if err != nil {
				t.Fatal(err)
			}
			if len(have) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no credential was issued after the push")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func itoa(i int) string { return jsonNumber(i) }

func jsonNumber(i int) string { b, _ := json.Marshal(i); return string(b) }

// BenchmarkCredentialsCatchUp: HQ holds a workshop of SAFEER_BENCH_CERTS
// (default 1,000) certificates, written at HQ in one transaction; one
// catch-up issues all their credentials (sign, store, the synced rows for
// the devices). Reported: the time per credential.
//
//	SAFEER_TEST_POSTGRES=$(scripts/pg-test.sh) go test -run='^$' -bench=CredentialsCatchUp -benchtime=1x ./hq/
func BenchmarkCredentialsCatchUp(b *testing.B) {
	n := 1000
	if s := os.Getenv("SAFEER_BENCH_CERTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			for range b.N {
				var st hq.Store
				var err error
				if kind == "sqlite" {
					st, err = openSQLite(ctx, filepath.Join(b.TempDir(), "hq.db"))
				} else {
					pgtest.Base(b)
					st, err = openPostgres(ctx, pgtest.DSN(b))
				}
				if err != nil {
					b.Fatal(err)
				}
				_, key, _ := ed25519.GenerateKey(rand.Reader)
				is, _ := credential.NewIssuer("https://hq.example.om", "ع", "E", key)
				creds, err := hq.NewCredentials(st, is, hq.CredentialOptions{})
				if err != nil {
					b.Fatal(err)
				}
				srv, err := hq.NewServer(ctx, creds.Store(), key, hq.Options{})
				if err != nil {
					b.Fatal(err)
				}
				err = srv.Edit(ctx, func(tx *hq.EditTx) error {
					w := uuid.NewString()
					if _, err := tx.Set("workshop", w, map[string]any{"title_en": "IoT", "governorate": "OM-MA", "date": "2026-11-02"}); err != nil {
						return err
					}
					for i := range n {
						p, a := uuid.NewString(), uuid.NewString()
						c := certificate.Certificate{Code: certificate.NewCode(), PersonNameEn: "P" + strconv.Itoa(i), WorkshopTitleEn: "IoT",
							Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Hours: 2, IssuedAt: time.Now().UTC().Truncate(time.Second)}
						snap, _ := json.Marshal(c)
						for _, r := range []struct {
							table, id string
							v         map[string]any
						}{
							{"person", p, map[string]any{"name_en": c.PersonNameEn, "governorate": "OM-MA"}},
							{"attendance", a, map[string]any{"workshop_id": w, "person_id": p, "hours": 2.0}},
							{"certificate", uuid.NewString(), map[string]any{"attendance_id": a, "code": c.Code, "snapshot": string(snap)}},
						} {
							if _, err := tx.Set(r.table, r.id, r.v); err != nil {
								return err
							}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if err := creds.CatchUp(ctx); err != nil {
					b.Fatal(err)
				}
				issue := time.Since(start)
				if c, _ := st.(hq.CredentialStore).CountCredentials(ctx); c != n {
					b.Fatalf("%d credentials for %d certificates", c, n)
				}
				b.ReportMetric(float64(issue.Microseconds())/float64(n), "µs/credential")
				st.Close()
			}
		})
	}
}

// TestCredentialIndexSurvivesRestore: HQ restored from a backup taken
// before a certificate's credential was issued issues it again with the
// same status index (and, the certificate unchanged, the same token), so
// revoking it still sets the bit of the credential already handed out.
func TestCredentialIndexSurvivesRestore(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		is, err := credential.NewIssuer("https://hq.example.om", "ع", "E", key)
		if err != nil {
			t.Fatal(err)
		}
		certID := uuid.NewString()
		w, p, a := uuid.NewString(), uuid.NewString(), uuid.NewString()
		c := certificate.Certificate{Code: certificate.NewCode(), PersonNameEn: "Aisha", WorkshopTitleEn: "Drones",
			Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Hours: 2, IssuedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
		snap, _ := json.Marshal(c)
		issue := func(st hq.Store) hq.StoredCredential {
			t.Helper()
			creds, err := hq.NewCredentials(st, is, hq.CredentialOptions{})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := hq.NewServer(ctx, creds.Store(), key, hq.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = srv.Edit(ctx, func(tx *hq.EditTx) error {
				for _, r := range []struct {
					table, id string
					v         map[string]any
				}{
					{"workshop", w, map[string]any{"title_en": "Drones", "governorate": "OM-MA", "date": "2026-10-01"}},
					{"person", p, map[string]any{"name_en": "Aisha", "governorate": "OM-MA"}},
					{"attendance", a, map[string]any{"workshop_id": w, "person_id": p, "hours": 2.0}},
					{"certificate", certID, map[string]any{"attendance_id": a, "code": c.Code, "snapshot": string(snap)}},
				} {
					if _, err := tx.Set(r.table, r.id, r.v); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got, found, err := creds.Of(ctx, certID)
			if err != nil || !found {
				t.Fatalf("no credential: %v", err)
			}
			return got
		}
		before := issue(open(t))
		after := issue(open(t)) // the restored database knows nothing of it
		if before.StatusIndex != after.StatusIndex || before.JWT != after.JWT {
			t.Fatalf("issued again: index %d then %d, same token %v", before.StatusIndex, after.StatusIndex, before.JWT == after.JWT)
		}
		if before.StatusIndex < 0 || before.StatusIndex >= hq.StatusSpace {
			t.Fatalf("index %d outside the list", before.StatusIndex)
		}
	})
}

// TestCredentialsSkipDamagedRows: a certificate row HQ cannot read gets no
// credential and holds up nothing: the next certificate gets its own, and
// the revocation list is served.
func TestCredentialsSkipDamagedRows(t *testing.T) {
	backends(t, func(t *testing.T, open func(*testing.T) hq.Store) {
		e := newCredEnv(t, open(t))
		if err := e.raw.Write(ctx, func(tx hq.Tx) error {
			seq, err := tx.NextSeq(ctx)
			if err != nil {
				return err
			}
			return tx.PutRow(ctx, hq.Row{Table: "certificate", ID: uuid.NewString(), Scope: "OM-MA", Seq: seq, Data: []byte(`{"code": 7}`)})
		}); err != nil {
			t.Fatal(err)
		}
		d := e.enrol("OM-MA")
		w, p, a, c := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
		d.push(
			d.op("workshop", w, "title_en", "Drones", "governorate", "OM-MA", "date", "2026-11-02"),
			d.op("person", p, "name_en", "Salim", "governorate", "OM-MA"),
			d.op("attendance", a, "workshop_id", w, "person_id", p, "hours", 2.0),
			certOp(d, c, a, certificate.Certificate{Code: certificate.NewCode(), PersonNameEn: "Salim", WorkshopTitleEn: "Drones",
				Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Hours: 2}),
		)
		if _, found, err := e.creds.Of(ctx, c); err != nil || !found {
			t.Fatalf("the certificate after a damaged one: %v %v", found, err)
		}
		if _, err := e.creds.RevokedStatuses(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
