package vault

import (
	"testing"
	"time"
)

// go test -run '^$' -bench . ./vault/

func BenchmarkSeal(b *testing.B) {
	k := NewKey()
	b.ReportAllocs()
	for b.Loop() {
		k.Seal("0b6f1c9e-4a7d-4a55-9d7e-2f1b7c3e9a10", "email", "salim.alharthi@example.om")
	}
}

func BenchmarkOpen(b *testing.B) {
	k := NewKey()
	s, _ := k.Seal("0b6f1c9e-4a7d-4a55-9d7e-2f1b7c3e9a10", "email", "salim.alharthi@example.om")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open("0b6f1c9e-4a7d-4a55-9d7e-2f1b7c3e9a10", "email", s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	k := NewKey()
	b.ReportAllocs()
	for b.Loop() {
		k.Hash(Phone, "+96891234567")
	}
}

// BenchmarkArgon2id calibrates for DefaultTarget on this machine, then
// derives a key at the chosen parameters: ms/op is what unlocking costs.
func BenchmarkArgon2id(b *testing.B) {
	start := time.Now()
	p := Calibrate(DefaultTarget)
	b.Logf("Calibrate(%v) took %v and chose time=%d memory=%d MiB threads=%d",
		DefaultTarget, time.Since(start).Round(time.Millisecond), p.Time, p.MemoryKiB/1024, p.Threads)
	salt := make([]byte, saltSize)
	b.ResetTimer()
	for b.Loop() {
		derivePassphrase("a passphrase of the coordinator", salt, p)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(p.MemoryKiB/1024), "MiB")
	b.ReportMetric(float64(p.Time), "passes")
}
