package taps

import (
	"fmt"
	"testing"
)

// TestPadRows checks copied rows, filled gaps and untouched elements past the last
// row for widths around the 8-element block.
func TestPadRows(t *testing.T) {
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, w := range []int{1, 7, 8, 9, 16, 34} {
			for _, gap := range []int{0, 1, 2, 8, 9} {
				const rows, srcGap = 3, 5
				name := fmt.Sprintf("asm=%v w=%d gap=%d", useAsm, w, gap)
				ds, ss := w+gap, w+srcGap
				src := make([]float32, (rows-1)*ss+w)
				for i := range src {
					src[i] = float32(i + 1)
				}
				dst := make([]float32, rows*ds+3)
				for i := range dst {
					dst[i] = -1
				}
				PadRows(dst, src, w, rows, ds, ss, 0.5)
				for i, got := range dst {
					want := float32(-1)
					if r, j := i/ds, i%ds; r < rows {
						want = 0.5
						if j < w {
							want = src[r*ss+j]
						}
					}
					if got != want {
						t.Fatalf("%s: dst[%d] = %v, want %v", name, i, got, want)
					}
				}
			}
		}
	}
	UseAssembly(true)
}
