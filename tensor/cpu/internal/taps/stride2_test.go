package taps

import (
	"fmt"
	"testing"
)

// TestDeinterleave checks both directions against the index definition for lengths
// around the 16-element blocks, and that nothing is written past the outputs.
func TestDeinterleave(t *testing.T) {
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, n := range []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 34, 50, 67} {
			name := fmt.Sprintf("asm=%v n=%d", useAsm, n)
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(i + 1)
			}
			ne, no := (n+1)/2, n/2
			buf := make([]float32, ne+no+2)
			for i := range buf {
				buf[i] = -1
			}
			even, odd := buf[:ne], buf[ne+1:ne+1+no]
			Deinterleave(even, odd, src)
			for j := range even {
				if even[j] != src[2*j] {
					t.Fatalf("%s: even[%d] = %v, want %v", name, j, even[j], src[2*j])
				}
			}
			for j := range odd {
				if odd[j] != src[2*j+1] {
					t.Fatalf("%s: odd[%d] = %v, want %v", name, j, odd[j], src[2*j+1])
				}
			}
			if buf[ne] != -1 || buf[len(buf)-1] != -1 {
				t.Fatalf("%s: Deinterleave wrote past an output", name)
			}
			back := make([]float32, n+1)
			back[n] = -1
			Interleave(back[:n], even, odd)
			for i := range n {
				if back[i] != src[i] {
					t.Fatalf("%s: Interleave: dst[%d] = %v, want %v", name, i, back[i], src[i])
				}
			}
			if back[n] != -1 {
				t.Fatalf("%s: Interleave wrote past dst", name)
			}
		}
	}
	UseAssembly(true)
}

// TestDeinterleaveRows checks the row versions against the one-row functions, with
// gaps between rows that must stay untouched.
func TestDeinterleaveRows(t *testing.T) {
	for _, useAsm := range modes() {
		useImpl(t, useAsm)
		for _, w := range []int{1, 7, 8, 9, 16, 17, 24, 32, 40} {
			const rows = 3
			name := fmt.Sprintf("asm=%v w=%d", useAsm, w)
			srcStride, dstStride := 2*w+3, (w+1)/2+2
			src := make([]float32, (rows-1)*srcStride+w)
			for i := range src {
				src[i] = float32(i + 1)
			}
			even, odd := make([]float32, (rows-1)*dstStride+(w+1)/2), make([]float32, (rows-1)*dstStride+w/2)
			for i := range even {
				even[i] = -1
			}
			for i := range odd {
				odd[i] = -1
			}
			DeinterleaveRows(even, odd, src, w, rows, srcStride, dstStride)
			for r := range rows {
				for j := range dstStride {
					wantE, wantO := float32(-1), float32(-1)
					if j < (w+1)/2 {
						wantE = src[r*srcStride+2*j]
					}
					if j < w/2 {
						wantO = src[r*srcStride+2*j+1]
					}
					if i := r*dstStride + j; i < len(even) && even[i] != wantE {
						t.Fatalf("%s: row %d even[%d] = %v, want %v", name, r, j, even[i], wantE)
					}
					if i := r*dstStride + j; i < len(odd) && odd[i] != wantO {
						t.Fatalf("%s: row %d odd[%d] = %v, want %v", name, r, j, odd[i], wantO)
					}
				}
			}
			back := make([]float32, len(src))
			for i := range back {
				back[i] = -1
			}
			InterleaveRows(back, even, odd, w, rows, srcStride, dstStride)
			for i := range back {
				want := float32(-1)
				if i%srcStride < w {
					want = src[i]
				}
				if back[i] != want {
					t.Fatalf("%s: InterleaveRows: dst[%d] = %v, want %v", name, i, back[i], want)
				}
			}
		}
	}
	UseAssembly(true)
}
