package vault

import (
	"crypto/rand"
	"encoding/binary"
	"math"
	"runtime"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"

	"github.com/oman-sca/safeer/message"
)

// Params are argon2id's costs. They are stored with the wrapped key, so a
// later Safeer can choose others (ChangePassphrase) and still open a file
// written with these.
type Params struct {
	Time      uint32 `json:"time"`       // passes over the memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes (part of the result: fixed, not the machine's cores)
}

// Lanes is the argon2id parallelism Safeer uses: RFC 9106's
// recommendation, so a laptop with 4 cores fills them. It is stored, not
// derived from the machine, since the result depends on it.
const Lanes = 4

// The bounds Calibrate keeps to. MinMemoryKiB and MinTime are RFC 9106's
// second recommended option's memory (64 MiB) with at least one pass;
// MaxMemoryKiB leaves a 4 GB field laptop room for the app itself.
const (
	MinMemoryKiB = 64 * 1024
	MaxMemoryKiB = 256 * 1024
	MinTime      = 1
	MaxTime      = 16
)

// Bounds on what a key file may ask for, so a damaged or crafted file
// cannot make unlocking take all the memory or all day. Looser than
// Calibrate's, so tests may use cheap parameters.
const (
	limitMemoryKiB = 4 * 1024 * 1024
	limitTime      = 64
	saltSize       = 16
)

// DefaultTarget is how long deriving the key from a passphrase should take
// on the laptop: slow for someone guessing, unnoticed by the coordinator.
const DefaultTarget = 500 * time.Millisecond

// MinPassphraseRunes is the shortest passphrase accepted.
const MinPassphraseRunes = 8

// valid reports whether p is within what a key file may ask for.
func (p Params) valid() bool {
	return p.Time >= 1 && p.Time <= limitTime &&
		p.MemoryKiB >= 8*uint32(p.Threads) && p.MemoryKiB <= limitMemoryKiB &&
		p.Threads >= 1
}

// derivePassphrase is the key-encryption key: argon2id over the passphrase
// in Unicode NFC (so an Arabic passphrase typed on another keyboard or
// system, composed differently, gives the same key).
func derivePassphrase(passphrase string, salt []byte, p Params) []byte {
	pass := []byte(norm.NFC.String(passphrase))
	defer clear(pass)
	return argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
}

// checkPassphrase refuses a passphrase too short to be one.
func checkPassphrase(passphrase string) error {
	if n := utf8.RuneCountInString(norm.NFC.String(passphrase)); n < MinPassphraseRunes {
		return message.NewError("vault.passphrase.short", message.Int("min", MinPassphraseRunes))
	}
	return nil
}

// wrapAD is the associated data of a wrapped key: what it is, and the
// parameters and salt it was wrapped with.
func wrapAD(label string, p Params, salt []byte) []byte {
	ad := []byte(label)
	ad = binary.BigEndian.AppendUint32(ad, p.Time)
	ad = binary.BigEndian.AppendUint32(ad, p.MemoryKiB)
	ad = append(ad, p.Threads)
	return append(ad, salt...)
}

const wrapLabel = "safeer vault v1 passphrase-wrapped data key\x00"

// wrappedSize is a wrapped key's size: nonce, key, tag.
const wrappedSize = chacha20poly1305.NonceSizeX + KeySize + chacha20poly1305.Overhead

// wrap seals the data key under a key derived from passphrase with a new
// random salt; it returns the salt and nonce|ciphertext.
func wrap(k *Key, passphrase string, p Params) (salt, wrapped []byte, err error) {
	if k.forgotten() {
		return nil, nil, message.NewError("vault.locked")
	}
	if err := checkPassphrase(passphrase); err != nil {
		return nil, nil, err
	}
	if !p.valid() {
		return nil, nil, message.NewError("vault.params.invalid")
	}
	salt = make([]byte, saltSize)
	rand.Read(salt)
	kek := derivePassphrase(passphrase, salt, p)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, nil, err
	}
	wrapped = make([]byte, chacha20poly1305.NonceSizeX, wrappedSize)
	rand.Read(wrapped)
	wrapped = aead.Seal(wrapped, wrapped, k.raw, wrapAD(wrapLabel, p, salt))
	return salt, wrapped, nil
}

// unwrap opens a wrapped key with passphrase. A wrong passphrase and a
// wrapped key or parameters altered in the file are the same to it: the
// tag does not check, and it says so (vault.passphrase.wrong); it never
// returns a key that did not check.
func unwrap(passphrase string, p Params, salt, wrapped []byte) (*Key, error) {
	if !p.valid() || len(salt) < saltSize || len(wrapped) != wrappedSize {
		return nil, message.NewError("vault.keyfile.damaged")
	}
	kek := derivePassphrase(passphrase, salt, p)
	defer clear(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	nonce, ct := wrapped[:chacha20poly1305.NonceSizeX], wrapped[chacha20poly1305.NonceSizeX:]
	raw, err := aead.Open(nil, nonce, ct, wrapAD(wrapLabel, p, salt))
	if err != nil {
		return nil, message.NewError("vault.passphrase.wrong")
	}
	return keyFromBytes(raw)
}

// Calibrate measures argon2id on this machine and returns the parameters
// that take about target (DefaultTarget: 0.5 s): memory first, from
// MinMemoryKiB up to MaxMemoryKiB, then more passes over the most memory
// (argon2id's strength is its memory). It measures one pass over the least
// memory, fits the parameters to that rate, then measures the fit once and
// corrects it. On a machine too slow even for the minimum it returns the
// minimum (never weaker). It takes about four times target to run.
func Calibrate(target time.Duration) Params {
	return calibrate(target, func(p Params) time.Duration {
		// The quicker of two runs: the first pays for fresh memory, and
		// either may be slowed by something else running.
		best := time.Duration(math.MaxInt64)
		for range 2 {
			start := time.Now()
			argon2.IDKey([]byte("calibration"), make([]byte, saltSize), p.Time, p.MemoryKiB, p.Threads, 32)
			best = min(best, time.Since(start))
			runtime.GC() // give the memory back before the next run
		}
		return best
	})
}

// calibrate is Calibrate with the measurement given, so its choices can be
// tested against a model of a machine.
func calibrate(target time.Duration, measure func(Params) time.Duration) Params {
	p := Params{Time: 1, MemoryKiB: MinMemoryKiB, Threads: Lanes}
	for range 2 {
		d := max(measure(p), 1)
		perKiB := float64(d) / (float64(p.Time) * float64(p.MemoryKiB)) // one pass over 1 KiB
		p = fit(float64(target) / perKiB)
	}
	return p
}

// fit spends work (KiB × passes) on memory up to MaxMemoryKiB, then on
// passes, within the bounds; memory in whole MiB.
func fit(work float64) Params {
	p := Params{Time: 1, Threads: Lanes}
	if work > MaxMemoryKiB {
		p.Time = uint32(min(math.Ceil(work/MaxMemoryKiB), MaxTime))
	}
	mib := math.Round(work / float64(p.Time) / 1024)
	p.MemoryKiB = uint32(min(max(mib*1024, MinMemoryKiB), MaxMemoryKiB))
	return p
}
