package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/oman-sca/safeer/message"
)

// cheap are argon2id parameters that keep tests fast; the real ones come
// from Calibrate (see BenchmarkArgon2id).
var cheap = Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

const pass = "شجرة اللبان 2024"

func TestCreateSaveLoadUnlock(t *testing.T) {
	kf, k, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := k.Seal("p1", "civil_id", "12345678")
	path := filepath.Join(t.TempDir(), "vault.key")
	if err := Save(path, kf); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
		}
	}
	b, _ := os.ReadFile(path)
	if bytes.Contains(b, k.raw) || strings.Contains(string(b), pass) {
		t.Fatal("the key file holds the key or the passphrase in clear")
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"format", "version", "key_id", "kdf", "passphrase_wrapped"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("key file has no %q: %s", f, b)
		}
	}
	kdf := fields["kdf"].(map[string]any)
	if kdf["algorithm"] != "argon2id" || kdf["memory_kib"] != float64(8*1024) || kdf["salt"] == "" {
		t.Errorf("kdf %v", kdf)
	}

	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loaded.Unlock(pass)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := k2.Open("p1", "civil_id", sealed); err != nil || v != "12345678" {
		t.Fatalf("after load and unlock: %q, %v", v, err)
	}
	if k2.ID() != k.ID() || k2.Hash(CivilID, "12345678") != k.Hash(CivilID, "12345678") {
		t.Fatal("the unlocked key is not the created one")
	}
	// The passphrase in another Unicode form (decomposed) unlocks too.
	if _, err := kf.Unlock("cafe\u0301 au lait"); err == nil {
		t.Fatal("an unrelated passphrase unlocks")
	}
	kf2, _, err := Create("café au lait", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kf2.Unlock("cafe\u0301 au lait"); err != nil {
		t.Fatalf("the decomposed spelling of the passphrase: %v", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	kf, _, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(kf)
	for _, wrong := range []string{"", "شجرة اللبان 2025", pass + " ", strings.Repeat("x", 1000)} {
		k, err := kf.Unlock(wrong)
		if k != nil {
			t.Fatalf("%q gives a key", wrong)
		}
		wantCode(t, err, "vault.passphrase.wrong")
	}
	after, _ := json.Marshal(kf)
	if !bytes.Equal(before, after) {
		t.Fatal("a wrong passphrase changed the key file")
	}
	_, _, err = Create("short", cheap)
	wantCode(t, err, "vault.passphrase.short")
}

// Changing a byte of the wrapped key, the salt or a parameter makes
// unlocking fail: never a garbage key.
func TestTamperedKeyFile(t *testing.T) {
	kf, _, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	for i := range kf.PassphraseWrapped {
		bad := *kf
		bad.PassphraseWrapped = bytes.Clone(kf.PassphraseWrapped)
		bad.PassphraseWrapped[i] ^= 0x01
		k, err := bad.Unlock(pass)
		if k != nil {
			t.Fatalf("byte %d of the wrapped key flipped: a key", i)
		}
		wantCode(t, err, "vault.passphrase.wrong")
	}
	bad := *kf
	bad.KDF.Salt = bytes.Clone(kf.KDF.Salt)
	bad.KDF.Salt[0] ^= 1
	if _, err := bad.Unlock(pass); err == nil {
		t.Fatal("a changed salt unlocks")
	}
	bad = *kf
	bad.KDF.Time++
	if _, err := bad.Unlock(pass); err == nil {
		t.Fatal("a changed time parameter unlocks")
	}
	bad = *kf
	bad.KeyID = NewKey().ID()
	_, err = bad.Unlock(pass)
	wantCode(t, err, "vault.keyfile.damaged")
}

func TestChangePassphrase(t *testing.T) {
	kf, k, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	hq, _ := age.GenerateX25519Identity()
	if err := kf.Escrow(k, hq.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	sealed, _ := k.Seal("p", "phone", "+96891234567")
	escrowed := bytes.Clone(kf.HQWrapped)
	wrapped := bytes.Clone(kf.PassphraseWrapped)

	err = kf.ChangePassphrase("not the passphrase", "new passphrase!", cheap)
	wantCode(t, err, "vault.passphrase.wrong")
	if !bytes.Equal(kf.PassphraseWrapped, wrapped) {
		t.Fatal("a failed change changed the wrapped key")
	}
	err = kf.ChangePassphrase(pass, "short", cheap)
	wantCode(t, err, "vault.passphrase.short")

	more := Params{Time: 2, MemoryKiB: 16 * 1024, Threads: 2}
	if err := kf.ChangePassphrase(pass, "new passphrase!", more); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(kf.PassphraseWrapped, wrapped) || kf.KDF.Params != more {
		t.Fatal("the key was not rewrapped with the new parameters")
	}
	if !bytes.Equal(kf.HQWrapped, escrowed) {
		t.Fatal("changing the passphrase touched HQ's copy")
	}
	_, err = kf.Unlock(pass)
	wantCode(t, err, "vault.passphrase.wrong")
	k2, err := kf.Unlock("new passphrase!")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := k2.Open("p", "phone", sealed); err != nil || v != "+96891234567" {
		t.Fatalf("data sealed before the change: %q, %v", v, err)
	}
}

func TestEscrowToHQ(t *testing.T) {
	kf, k, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kf.Recover("AGE-SECRET-KEY-1QQQQ")
	wantCode(t, err, "vault.escrow.none")
	hq, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	wantCode(t, kf.Escrow(k, "ssh-ed25519 AAAA"), "vault.escrow.recipient")
	wantCode(t, kf.Escrow(NewKey(), hq.Recipient().String()), "vault.key.other")
	if err := kf.Escrow(k, hq.Recipient().String()+"\n"); err != nil {
		t.Fatal(err)
	}
	if kf.HQRecipient != hq.Recipient().String() {
		t.Fatalf("recipient %q", kf.HQRecipient)
	}
	sealed, _ := k.Seal("p", "email", "a@b.om")

	// Saved and loaded, as HQ would receive it.
	path := filepath.Join(t.TempDir(), "vault.key")
	if err := Save(path, kf); err != nil {
		t.Fatal(err)
	}
	kf, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}

	// Another identity cannot.
	k2, err := kf.Recover(other.String())
	if k2 != nil {
		t.Fatal("another identity recovers a key")
	}
	wantCode(t, err, "vault.escrow.identity")
	_, err = kf.Recover("not a key")
	wantCode(t, err, "vault.escrow.identity_form")

	// HQ's can, and the coordinator then sets a new passphrase.
	got, err := kf.Recover(hq.String())
	if err != nil {
		t.Fatal(err)
	}
	if v, err := got.Open("p", "email", sealed); err != nil || v != "a@b.om" {
		t.Fatalf("the recovered key: %q, %v", v, err)
	}
	if err := kf.SetPassphrase(got, "a new passphrase", cheap); err != nil {
		t.Fatal(err)
	}
	if _, err := kf.Unlock("a new passphrase"); err != nil {
		t.Fatal(err)
	}

	// age itself, not through Recover, reads the data key out of the file.
	r, err := age.Decrypt(bytes.NewReader(kf.HQWrapped), hq)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(r)
	if !bytes.Equal(raw, k.raw) {
		t.Fatal("age decrypts something else than the data key")
	}

	// Every byte of HQ's copy matters.
	for i := range kf.HQWrapped {
		bad := *kf
		bad.HQWrapped = bytes.Clone(kf.HQWrapped)
		bad.HQWrapped[i] ^= 0x01
		if k, err := bad.Recover(hq.String()); err == nil || k != nil {
			t.Fatalf("byte %d of HQ's copy flipped: recovered", i)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.key"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	kf, _, err := Create(pass, cheap)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(kf)
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	cases := map[string]struct {
		body []byte
		code string
	}{
		"not json":       {[]byte("hello"), "vault.keyfile.unreadable"},
		"empty":          {nil, "vault.keyfile.unreadable"},
		"other format":   {edit(func(m map[string]any) { m["format"] = "x" }), "vault.keyfile.unreadable"},
		"newer version":  {edit(func(m map[string]any) { m["version"] = 2 }), "vault.keyfile.version"},
		"unknown field":  {edit(func(m map[string]any) { m["extra"] = 1 }), "vault.keyfile.unreadable"},
		"huge memory":    {edit(func(m map[string]any) { m["kdf"].(map[string]any)["memory_kib"] = 1 << 31 }), "vault.keyfile.unreadable"},
		"zero time":      {edit(func(m map[string]any) { m["kdf"].(map[string]any)["time"] = 0 }), "vault.keyfile.unreadable"},
		"other kdf":      {edit(func(m map[string]any) { m["kdf"].(map[string]any)["algorithm"] = "scrypt" }), "vault.keyfile.unreadable"},
		"short wrapping": {edit(func(m map[string]any) { m["passphrase_wrapped"] = "AAAA" }), "vault.keyfile.unreadable"},
		"half escrow":    {edit(func(m map[string]any) { m["hq_recipient"] = "age1xyz" }), "vault.keyfile.unreadable"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, "k.key")
		os.WriteFile(path, c.body, 0o600)
		kf, err := Load(path)
		if kf != nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		wantCode(t, err, message.Code(c.code))
	}
}

func TestCalibrateChoices(t *testing.T) {
	// A model machine: one pass over 1 MiB costs perMiB (plus a fixed
	// cost, so the fit needs its correcting measurement).
	for _, c := range []struct {
		perMiB   time.Duration
		wantMem  uint32 // MiB
		wantTime uint32
		close    bool // whether the choice can reach the target
	}{
		{100 * time.Microsecond, 256, MaxTime, false}, // very fast: the most of both, still under target
		{1 * time.Millisecond, 250, 2, true},          // fast: the most memory, two passes
		{3 * time.Millisecond, 166, 1, true},          // memory alone fills the target
		{20 * time.Millisecond, 64, 1, false},         // slow: never under the minimum, over target
	} {
		cost := func(p Params) time.Duration {
			return 10*time.Millisecond + time.Duration(p.Time)*time.Duration(p.MemoryKiB/1024)*c.perMiB
		}
		p := calibrate(DefaultTarget, cost)
		if p.Threads != Lanes || p.Time != c.wantTime || p.MemoryKiB/1024 < c.wantMem-8 || p.MemoryKiB/1024 > c.wantMem {
			t.Errorf("%v per MiB: %+v, want about %d MiB × %d", c.perMiB, p, c.wantMem, c.wantTime)
		}
		if got := cost(p); c.close && (got < DefaultTarget*9/10 || got > DefaultTarget*11/10) {
			t.Errorf("%v per MiB: %+v costs %v, not about %v", c.perMiB, p, got, DefaultTarget)
		}
	}
}
