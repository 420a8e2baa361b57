package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oman-sca/safeer"
	"github.com/oman-sca/safeer/message"
	"github.com/oman-sca/safeer/sync/protocol"
	"github.com/oman-sca/safeer/vault"
)

// cheapKDF keeps tests quick: argon2id at its smallest.
var cheapKDF = vault.Params{Time: 1, MemoryKiB: 64, Threads: 1}

const testPassphrase = "مفتاح سفير 2026"

func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, append([]Option{WithKDF(cheapKDF)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// protectedPeople are written before and after Protect: their civil IDs,
// phones, e-mails and notes must never be found in the file's bytes.
var protectedPeople = []safeer.Person{
	{NameAr: "مريم الهنائية", Gender: "female", CivilID: "90817263", Phone: "+96891827364", Email: "maryam.hinai@example.om", Governorate: "OM-MA", Notes: "allergic to peanuts xq"},
	{NameAr: "سالم الحارثي", Gender: "male", CivilID: "71526384", Phone: "+96899281736", Email: "salim.harthi@example.om", Governorate: "OM-DA", Notes: "needs a ramp qz"},
}

var laterPeople = []safeer.Person{
	{NameAr: "خالد البلوشي", Gender: "male", CivilID: "61829374", Phone: "+96872819364", Email: "khalid.balushi@example.om", Governorate: "OM-MA", Notes: "brother of the director zk"},
}

// spellings are the ways a value may be found in the file: as stored, and
// its parts (a phone without its country code, an e-mail's local part).
func spellings(p safeer.Person) []string {
	out := []string{p.CivilID, p.Email, strings.SplitN(p.Email, "@", 2)[0], p.Notes}
	if p.Phone != "" {
		out = append(out, p.Phone, strings.TrimPrefix(p.Phone, "+968"))
	}
	return out
}

// assertNoneInFiles reads every file given, raw, and fails on any value
// of people in any spelling.
func assertNoneInFiles(t *testing.T, people []safeer.Person, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			for _, v := range spellings(p) {
				if v != "" && bytes.Contains(b, []byte(v)) {
					t.Errorf("%s holds %q in clear", filepath.Base(f), v)
				}
			}
		}
	}
}

func TestProtectedFileHoldsNoPersonalData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "safeer.db")
	s := openAt(t, path)
	var ids []string
	for _, p := range protectedPeople {
		ids = append(ids, mustAdd(t, s, p).ID)
	}
	// A conflict HQ logged about a phone, and a change HQ refused.
	cid := uuid.Must(uuid.NewV7()).String()
	h := stamp(time.Now().Add(-time.Hour), "hq")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(3, "conflict", cid, map[string]protocol.Field{
		"tbl": f("person", h), "row_id": f(ids[0], h), "field": f("phone", h),
		"winner": f(protectedPeople[0].Phone, h), "loser": f("+96893334444", h), "governorate": f("OM-MA", h),
	})}, "e1.3", ""); err != nil {
		t.Fatal(err)
	}
	ops := outbox(t, s)
	if err := s.RejectLocally(ctx, ops[0], "too_big", "refused"); err != nil {
		t.Fatal(err)
	}
	if s.Protected() || s.Locked() {
		t.Fatal("a new database is protected")
	}
	var steps []int
	if err := s.Protect(ctx, testPassphrase, func(done, total int) { steps = append(steps, done, total) }); err != nil {
		t.Fatal(err)
	}
	if !s.Protected() || s.Locked() {
		t.Fatalf("after Protect: protected %v, locked %v", s.Protected(), s.Locked())
	}
	if len(steps) < 4 || steps[len(steps)-2] != steps[len(steps)-1] || steps[len(steps)-1] != 5 {
		t.Fatalf("progress %v: want it to end at 5 of 5 (2 people, 1 queued op, 1 refused, 1 conflict)", steps)
	}
	// A day of edits in protected mode.
	for _, p := range laterPeople {
		mustAdd(t, s, p)
	}
	p0, err := s.Person(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	p0.Notes = "moved to Sur qv"
	if err := s.UpdatePerson(ctx, &p0); err != nil {
		t.Fatal(err)
	}
	tbl := readTable(t, "name_ar,gender,civil_id,phone,email,governorate,notes\n"+
		"ليلى الكندية,female,52637481,+96894857362,laila.kindi@example.om,OM-MA,imported note qp\n")
	if rep, err := s.Import(ctx, tbl, ImportOptions{}); err != nil || rep.Imported != 1 {
		t.Fatalf("import %+v, %v", rep, err)
	}
	imported := safeer.Person{CivilID: "52637481", Phone: "+96894857362", Email: "laila.kindi@example.om", Notes: "imported note qp"}
	everyone := append(append(append([]safeer.Person{}, protectedPeople...), laterPeople...), imported,
		safeer.Person{Phone: "+96893334444", Notes: "moved to Sur qv"})

	// Raw SQL sees only sealed values.
	raw, err := os.ReadFile(path) // before the checkpoint at close: -wal holds the day's edits
	if err != nil || len(raw) == 0 {
		t.Fatal(err)
	}
	rows, err := s.db.Query(`SELECT civil_id || '|' || phone || '|' || email || '|' || notes FROM person`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var v string
		rows.Scan(&v)
		for _, part := range strings.Split(v, "|") {
			if part != "" && !vault.IsSealed(part) {
				t.Errorf("person column in clear: %q", part)
			}
		}
		n++
	}
	rows.Close()
	if n != 4 {
		t.Fatalf("%d people", n)
	}
	for _, q := range []string{`SELECT fields FROM outbox`, `SELECT fields FROM rejected_op`, `SELECT winner || loser FROM conflict`} {
		rows, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			for _, p := range everyone {
				for _, sp := range spellings(p) {
					if sp != "" && strings.Contains(v, sp) {
						t.Errorf("%s: %q in clear in %s", q, sp, v)
					}
				}
			}
		}
		rows.Close()
	}
	backup := BackupBeforeProtect(path)
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("no encrypted backup kept: %v", err)
	}
	if _, err := os.Stat(backup + ".sealed"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the sealed copy is left beside the backup: %v", err)
	}
	assertNoneInFiles(t, everyone, path, path+"-wal", backup)
	// What is pushed is unchanged: the values in clear.
	var sawPhone, sawNotes bool
	for _, o := range outbox(t, s) {
		if v, _ := o.Op.Fields["phone"].Value.(string); v == laterPeople[0].Phone {
			sawPhone = true
		}
		if v, _ := o.Op.Fields["notes"].Value.(string); v == "moved to Sur qv" {
			sawNotes = true
		}
	}
	if !sawPhone || !sawNotes {
		t.Fatalf("the outbox does not give the values back for the wire: phone %v, notes %v", sawPhone, sawNotes)
	}
	rej, err := s.RejectedOps(ctx, 10)
	if err != nil || len(rej) != 1 || rej[0].Op.Fields["civil_id"].Value != protectedPeople[0].CivilID {
		t.Fatalf("refused op %+v, %v", rej, err)
	}
	c, err := s.Conflict(ctx, cid)
	if err != nil || c.Winner != protectedPeople[0].Phone || c.Loser != "+96893334444" || c.Current != protectedPeople[0].Phone {
		t.Fatalf("conflict %+v, %v", c, err)
	}
	s.Close()
	assertNoneInFiles(t, everyone, path, path+"-wal", path+"-shm", backup)
	if fi, err := os.Stat(VaultKeyPath(path)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v", fi, err)
	}
}

func TestProtectedStoreAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s := openAt(t, path)
	var ids []string
	for _, p := range protectedPeople {
		ids = append(ids, mustAdd(t, s, p).ID)
	}
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Protect(ctx, testPassphrase, nil); !errors.Is(err, ErrProtected) {
		t.Fatalf("protect twice: %v", err)
	}
	s.Close()

	s = openAt(t, path)
	if !s.Protected() || !s.Locked() {
		t.Fatalf("reopened: protected %v, locked %v", s.Protected(), s.Locked())
	}
	if _, err := s.Person(ctx, ids[0]); !errors.Is(err, ErrLocked) {
		t.Fatalf("read while locked: %v", err)
	}
	if _, err := s.Search(ctx, "مريم", SearchOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("search while locked: %v", err)
	}
	if err := s.AddPerson(ctx, &safeer.Person{NameAr: "أحمد", Gender: "male", Governorate: "OM-MA"}); !errors.Is(err, ErrLocked) {
		t.Fatalf("write while locked: %v", err)
	}
	err := s.Unlock(ctx, "not the passphrase")
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if m, ok := message.Find(err); !ok || m.Arabic() == "" || m.Code != "vault.passphrase.wrong" {
		t.Fatalf("wrong passphrase message %v %v", m, ok)
	}
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if s.Locked() {
		t.Fatal("locked after unlock")
	}
	// Exact look-ups by the keyed hashes, in any spelling.
	for _, q := range []struct{ field, value string }{{"phone", "9182 7364"}, {"civil_id", "٩٠٨١٧٢٦٣"}, {"email", "Maryam.Hinai@Example.OM"}} {
		got, err := s.PeopleWith(ctx, q.field, q.value)
		if err != nil || len(got) != 1 || got[0].ID != ids[0] || got[0].CivilID != protectedPeople[0].CivilID {
			t.Fatalf("look-up by %s %q: %+v, %v", q.field, q.value, got, err)
		}
	}
	// Search and duplicates, from the index built after unlock.
	for _, q := range []string{"91827364", "90817263", "salim.harthi", "سالم"} {
		res, err := s.Search(ctx, q, SearchOptions{})
		if err != nil || len(res) != 1 {
			t.Fatalf("search %q: %v, %v", q, res, err)
		}
	}
	dup := protectedPeople[1]
	dup.NameAr = "سالم بن علي"
	if err := s.ValidatePerson(&dup); err != nil {
		t.Fatal(err)
	}
	m, err := s.DuplicateCandidates(ctx, dup)
	if err != nil || len(m) != 1 || m[0].ID != ids[1] {
		t.Fatalf("duplicates %+v, %v", m, err)
	}
	var buf bytes.Buffer
	if n, err := s.Export(ctx, "people", FormatCSV, &buf); err != nil || n != 2 || !strings.Contains(buf.String(), "maryam.hinai@example.om") {
		t.Fatalf("export %d %v:\n%s", n, err, buf.String())
	}
	// A pulled person is sealed before it is stored.
	pid := uuid.Must(uuid.NewV7()).String()
	h := stamp(time.Now().Add(-time.Hour), "other")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(9, "person", pid, map[string]protocol.Field{
		"name_ar": f("نورة السيابية", h), "governorate": f("OM-MA", h), "phone": f("+96890001122", h), "civil_id": f("33445566", h),
	})}, "e1.9", ""); err != nil {
		t.Fatal(err)
	}
	var phone, hash string
	s.db.QueryRow(`SELECT phone, phone_hash FROM person WHERE id = ?`, pid).Scan(&phone, &hash)
	if !vault.IsSealed(phone) || hash == "" {
		t.Fatalf("pulled phone stored as %q (hash %q)", phone, hash)
	}
	if got, err := s.PeopleWith(ctx, "phone", "90001122"); err != nil || len(got) != 1 || got[0].ID != pid {
		t.Fatalf("pulled person by phone: %+v %v", got, err)
	}
	// A second pull of the same row with a newer phone: merged with the
	// opened value, sealed again.
	h2 := stamp(time.Now().Add(-time.Minute), "other")
	if err := s.ApplyChanges(ctx, []protocol.Change{change(10, "person", pid, map[string]protocol.Field{"phone": f("+96890009988", h2)})}, "e1.10", ""); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Person(ctx, pid); err != nil || p.Phone != "+96890009988" || p.CivilID != "33445566" {
		t.Fatalf("after second pull %+v %v", p, err)
	}
	if got, _ := s.PeopleWith(ctx, "phone", "90001122"); len(got) != 0 {
		t.Fatalf("the old phone's hash is left: %+v", got)
	}
	// Lock forgets the key and the index.
	s.Lock()
	if _, err := s.Search(ctx, "91827364", SearchOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("search after lock: %v", err)
	}
	if _, err := s.Outbox(ctx, 0, 10); err == nil {
		// The outbox holds sealed personal values: no push while locked.
		t.Fatal("outbox read while locked")
	}
	// Changing the passphrase rewraps the key.
	if err := s.ChangePassphrase(ctx, "wrong one!", "a new passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("change with a wrong passphrase: %v", err)
	}
	if err := s.ChangePassphrase(ctx, testPassphrase, "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock(ctx, testPassphrase); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	if err := s.Unlock(ctx, "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Person(ctx, ids[1]); err != nil || p.Email != protectedPeople[1].Email {
		t.Fatalf("after change %+v %v", p, err)
	}
}

func TestUnlockBacksOff(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "safeer.db")
	s, err := Open(ctx, path, WithKDF(cheapKDF), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	s.Lock()
	for range 3 {
		if err := s.Unlock(ctx, "wrong passphrase"); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatal(err)
		}
	}
	err = s.Unlock(ctx, testPassphrase)
	if m, ok := message.Find(err); !ok || m.Code != "data.vault.wait" {
		t.Fatalf("a fourth try at once: %v", err)
	}
	now = now.Add(2 * time.Second)
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

// Protect stopped at each of its steps (as by a crash: the store is not
// closed) leaves a database that opens, holds everyone, and is finished
// by the next Open or Protect.
func TestProtectInterruptedAtEveryStep(t *testing.T) {
	ctx := context.Background()
	for _, step := range []string{"created", "backed-up", "key-saved", "sealed", "compacted", "backup-sealed", "backup-shredded", "backup-renamed"} {
		t.Run(step, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "safeer.db")
			stop := errors.New("stopped")
			s, err := Open(ctx, path, WithKDF(cheapKDF), WithProtectSteps(func(at string) error {
				if at == step {
					return stop
				}
				return nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range protectedPeople {
				ids = append(ids, mustAdd(t, s, p).ID)
			}
			err = s.Protect(ctx, testPassphrase, nil)
			if !errors.Is(err, stop) {
				t.Fatalf("protect: %v", err)
			}
			s.index.close()
			s.db.Close() // no clean close: no checkpoint, no clock save
			s = openAt(t, path)
			if s.Protected() {
				if err := s.Unlock(ctx, testPassphrase); err != nil {
					t.Fatal(err)
				}
			} else if err := s.Protect(ctx, testPassphrase, nil); err != nil {
				t.Fatalf("protect again: %v", err)
			}
			for i, id := range ids {
				p, err := s.Person(ctx, id)
				if err != nil || p.Phone != protectedPeople[i].Phone || p.Notes != protectedPeople[i].Notes {
					t.Fatalf("person after resumed protect: %+v %v", p, err)
				}
			}
			backup := BackupBeforeProtect(path)
			assertNoneInFiles(t, protectedPeople, path, path+"-wal", backup, backup+".sealed")
			if _, err := os.Stat(backup); err != nil {
				t.Fatalf("backup: %v", err)
			}
		})
	}
}

// TestDeviceSecretsSealed: HQ's bearer token and the certificate-signing
// key are sealed under the data key by Protect, stay the same keys, and
// cannot be read while locked.
func TestDeviceSecretsSealed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s := openAt(t, path)
	const token = "bearer-token-7f3a9c2e41"
	if err := s.SaveEnrolment(ctx, Enrolment{HQURL: "https://hq.example.om", Token: token, HQDeviceID: "d1"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Signer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(s.KeyPath()); !bytes.Contains(b, []byte("PRIVATE KEY")) {
		t.Fatal("a clear database's signing key is not the usual PEM file")
	}
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.KeyPath())
	if err != nil || bytes.Contains(b, []byte("PRIVATE KEY")) || !vault.IsSealed(strings.TrimSpace(string(b))) {
		t.Fatalf("signing key file after Protect: %q %v", b, err)
	}
	after, err := s.Signer(ctx)
	if err != nil || !after.Key.Equal(before.Key) {
		t.Fatalf("signing key changed by Protect: %v", err)
	}
	st, err := s.SyncState(ctx)
	if err != nil || st.Token != token || !st.Enrolled {
		t.Fatalf("sync state %+v %v", st, err)
	}
	// Enrolling again on a protected database seals the new token.
	if err := s.SaveEnrolment(ctx, Enrolment{HQURL: "https://hq.example.om", Token: token + "-2", HQDeviceID: "d1"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	assertNoneInFiles(t, []safeer.Person{{Notes: token}}, path, path+"-wal")

	s = openAt(t, path)
	if _, err := s.SigningKey(); !errors.Is(err, ErrLocked) {
		t.Fatalf("signing key while locked: %v", err)
	}
	if _, err := s.SyncState(ctx); !errors.Is(err, ErrLocked) {
		t.Fatalf("sync state while locked: %v", err)
	}
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if st, err := s.SyncState(ctx); err != nil || st.Token != token+"-2" {
		t.Fatalf("token after unlock %q %v", st.Token, err)
	}
	if k, err := s.SigningKey(); err != nil || !k.Equal(before.Key) {
		t.Fatalf("signing key after unlock: %v", err)
	}
}

// TestProtectedBackupOpensWithThePassphrase: Backup of a protected
// database is encrypted, comes with its key file, and opens elsewhere with
// the passphrase.
func TestProtectedBackupOpensWithThePassphrase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "safeer.db"))
	id := mustAdd(t, s, protectedPeople[0]).ID
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "elsewhere", "copy.db")
	os.MkdirAll(filepath.Dir(dest), 0o700)
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	assertNoneInFiles(t, protectedPeople[:1], dest)
	b := openAt(t, dest)
	if !b.Locked() {
		t.Fatal("the backup opens unlocked")
	}
	if err := b.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if p, err := b.Person(ctx, id); err != nil || p.CivilID != protectedPeople[0].CivilID {
		t.Fatalf("person in the backup %+v %v", p, err)
	}
}

// TestProtectByAnotherProcess: a store opened while the file was clear
// refuses to write once another process has protected it, instead of
// writing clear values into an encrypted file.
func TestProtectByAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	app := openAt(t, path)
	mustAdd(t, app, protectedPeople[0])
	cli := openAt(t, path)
	if err := cli.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	err := app.AddPerson(ctx, &safeer.Person{NameAr: "سالم", Gender: "male", Governorate: "OM-MA", Phone: "99887766"})
	if m, ok := message.Find(err); !ok || m.Code != "data.vault.changed" {
		t.Fatalf("write by the store opened clear: %v", err)
	}
	cli.Close()
	app.Close()
	assertNoneInFiles(t, []safeer.Person{{Phone: "+96899887766"}}, path, path+"-wal")
}

// TestProtectedWithoutKeyFile: a protected database whose key file is
// missing says so, in both languages, instead of opening half-readable.
func TestProtectedWithoutKeyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "safeer.db")
	s := openAt(t, path)
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Rename(VaultKeyPath(path), path+".elsewhere"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, path)
	if m, ok := message.Find(err); !ok || m.Code != "data.vault.keyfile_missing" || !strings.Contains(m.Arabic(), "مفقود") {
		t.Fatalf("open without the key file: %v", err)
	}
	if err := os.Rename(path+".elsewhere", VaultKeyPath(path)); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	if err := s.Unlock(ctx, testPassphrase); err != nil {
		t.Fatal(err)
	}
}

// TestLockWhileSearching locks and unlocks while other goroutines search
// and build the index: no search answers with personal data once Lock has
// returned, and none fails but with ErrLocked (run with -race).
func TestLockWhileSearching(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, filepath.Join(t.TempDir(), "safeer.db"))
	var csv strings.Builder
	csv.WriteString("name_ar,phone,governorate\n")
	for i := range 500 {
		csv.WriteString("سالم بن علي " + string(rune('ا'+i%20)) + ",+9689" + fmt.Sprintf("%07d", i) + ",OM-MA\n")
	}
	if err := s.Protect(ctx, testPassphrase, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, readTable(t, csv.String()), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				if _, err := s.Search(ctx, "90000012", SearchOptions{Limit: 5}); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
					return
				}
			}
		}()
	}
	for range 20 {
		s.Lock()
		if _, err := s.Search(ctx, "90000012", SearchOptions{}); !errors.Is(err, ErrLocked) {
			t.Errorf("search right after Lock: %v", err)
		}
		if err := s.Unlock(ctx, testPassphrase); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if res, err := s.Search(ctx, "90000012", SearchOptions{}); err != nil || len(res) != 1 {
		t.Fatalf("after the last unlock: %v %v", res, err)
	}
}
