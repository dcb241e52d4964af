package simd

import (
	"math/rand/v2"
	"testing"
)

// forEachImpl runs f once per implementation available on this machine.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := Current()
	defer Select(saved)
	for _, name := range Implementations() {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

func TestImplementationsIncludeGeneric(t *testing.T) {
	names := Implementations()
	if names[0] != "generic" {
		t.Fatalf("Implementations() = %v, want generic first", names)
	}
	if err := Select("no-such-impl"); err == nil {
		t.Fatal("Select(no-such-impl) succeeded")
	}
}

const guard = float32(-7777.5) // value around outputs that must stay untouched

// guarded returns a slice of n values from rng inside a buffer with
// guard values on both sides, and the whole buffer.
func guarded(rng *rand.Rand, n int) (inner, whole []float32) {
	const pad = 37
	whole = make([]float32, n+2*pad)
	for i := range whole {
		whole[i] = guard
	}
	inner = whole[pad : pad+n]
	for i := range inner {
		inner[i] = rng.Float32()*2 - 1
	}
	return inner, whole
}

func checkGuards(t *testing.T, inner, whole []float32) {
	t.Helper()
	pad := (len(whole) - len(inner)) / 2
	for i := range pad {
		if whole[i] != guard || whole[len(whole)-1-i] != guard {
			t.Fatalf("guard value overwritten %d from the edge", i)
		}
	}
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }
