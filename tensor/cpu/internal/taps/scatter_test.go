package taps

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestScatterArgmax compares with the loop of the definition, bit for bit (the order of
// the additions is part of the contract), on lengths around the 8-element blocks and
// with overlapping taps.
func TestScatterArgmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{1, 7, 8, 9, 16, 23, 64, 100} {
			for _, taps := range []int{1, 4, 9} {
				name := fmt.Sprintf("asm=%v n=%d taps=%d", useAsm, n, taps)
				off := make([]int, taps)
				for k := range off {
					off[k] = rng.IntN(12)
				}
				idx := make([]int32, n)
				dy := make([]float32, n)
				for i := range idx {
					idx[i] = int32(rng.IntN(taps))
					dy[i] = float32(rng.NormFloat64())
				}
				dst := make([]float32, n+13)
				want := make([]float32, len(dst))
				for i := range dst {
					dst[i] = float32(rng.NormFloat64())
					want[i] = dst[i]
				}
				for k, o := range off {
					for i := range idx {
						if int(idx[i]) == k {
							want[o+i] += dy[i]
						}
					}
				}
				ScatterArgmax(dst, idx, dy, off)
				for i := range dst {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: dst[%d] = %v, want %v", name, i, dst[i], want[i])
					}
				}
			}
		}
	}
	UseAssembly(true)
}
