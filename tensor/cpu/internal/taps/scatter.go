package taps

import "fmt"

// ScatterArgmax is the adjoint of a max over shifted taps: it adds each dy[i] at the
// tap that ShiftedArgmax chose for output i,
//
//	for t, o := range off {
//		for i, k := range idx {
//			if int(k) == t {
//				dst[o+i] += dy[i]
//			}
//		}
//	}
//
// tap by tap, in this order in every implementation (the assembly adds a zero where the
// index differs, which turns a -0 in dst into +0). Every idx[i] must be in [0, len(off))
// and every off[t]+len(idx) <= len(dst); len(dy) == len(idx).
func ScatterArgmax(dst []float32, idx []int32, dy []float32, off []int) {
	if len(dy) != len(idx) {
		panic(fmt.Sprintf("taps.ScatterArgmax: %d gradients for %d indices", len(dy), len(idx)))
	}
	if len(idx) == 0 || len(off) == 0 {
		return
	}
	checkShifted("ScatterArgmax", len(idx), dst, off)
	n := 0
	if asm {
		n = len(idx) &^ 7
	}
	for t, o := range off {
		if n > 0 {
			scatterArgmaxAVX2(&dst[o], &idx[0], &dy[0], t, n)
		}
		for i := n; i < len(idx); i++ {
			if int(idx[i]) == t {
				dst[o+i] += dy[i]
			}
		}
	}
}
