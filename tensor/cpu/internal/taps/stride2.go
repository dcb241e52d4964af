package taps

import "fmt"

// Deinterleave splits src into its even- and odd-indexed elements, the column phases of
// a stride-2 convolution or pooling:
//
//	for j := range even {
//		even[j] = src[2*j]
//	}
//	for j := range odd {
//		odd[j] = src[2*j+1]
//	}
//
// with len(even) = (len(src)+1)/2 and len(odd) = len(src)/2. The outputs must not overlap
// src or each other.
func Deinterleave(even, odd, src []float32) {
	if len(even) != (len(src)+1)/2 || len(odd) != len(src)/2 {
		panic(fmt.Sprintf("taps.Deinterleave: %d and %d outputs for %d inputs", len(even), len(odd), len(src)))
	}
	n := 0
	if asm {
		n = len(src) &^ 15
		if n > 0 {
			deinterleaveAVX2(&even[0], &odd[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		if i%2 == 0 {
			even[i/2] = src[i]
		} else {
			odd[i/2] = src[i]
		}
	}
}

// Interleave is Deinterleave's inverse (and adjoint): dst[2*j] = even[j],
// dst[2*j+1] = odd[j], with the same lengths.
func Interleave(dst, even, odd []float32) {
	if len(even) != (len(dst)+1)/2 || len(odd) != len(dst)/2 {
		panic(fmt.Sprintf("taps.Interleave: %d and %d inputs for %d outputs", len(even), len(odd), len(dst)))
	}
	n := 0
	if asm {
		n = len(dst) &^ 15
		if n > 0 {
			interleaveAVX2(&dst[0], &even[0], &odd[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		if i%2 == 0 {
			dst[i] = even[i/2]
		} else {
			dst[i] = odd[i/2]
		}
	}
}

// DeinterleaveRows runs Deinterleave on rows rows of w elements: row r reads
// src[r*srcStride:][:w] and writes even[r*dstStride:] and odd[r*dstStride:].
func DeinterleaveRows(even, odd, src []float32, w, rows, srcStride, dstStride int) {
	checkRows("DeinterleaveRows", even, odd, src, w, rows, srcStride, dstStride)
	if asm && w%8 == 0 && w > 0 && rows > 0 {
		deinterleaveRowsAVX2(&even[0], &odd[0], &src[0], w, rows, srcStride, dstStride)
		return
	}
	for r := range rows {
		d := r * dstStride
		Deinterleave(even[d:d+(w+1)/2], odd[d:d+w/2], src[r*srcStride:r*srcStride+w])
	}
}

// InterleaveRows is DeinterleaveRows' inverse: row r of dst (dst[r*dstStride:][:w]) is
// Interleave of even[r*srcStride:] and odd[r*srcStride:].
func InterleaveRows(dst, even, odd []float32, w, rows, dstStride, srcStride int) {
	checkRows("InterleaveRows", even, odd, dst, w, rows, dstStride, srcStride)
	if asm && w%8 == 0 && w > 0 && rows > 0 {
		interleaveRowsAVX2(&dst[0], &even[0], &odd[0], w, rows, dstStride, srcStride)
		return
	}
	for r := range rows {
		s := r * srcStride
		Interleave(dst[r*dstStride:r*dstStride+w], even[s:s+(w+1)/2], odd[s:s+w/2])
	}
}

// checkRows checks that the last of rows rows lies inside each slice: whole rows of
// full (w elements, at fullStride) and half rows of even and odd (at halfStride).
func checkRows(op string, even, odd, full []float32, w, rows, fullStride, halfStride int) {
	if rows <= 0 || w <= 0 {
		return
	}
	last := rows - 1
	if w < 0 || fullStride < w || halfStride < (w+1)/2 ||
		last*fullStride+w > len(full) || last*halfStride+(w+1)/2 > len(even) || last*halfStride+w/2 > len(odd) {
		panic(fmt.Sprintf("taps.%s: %d rows of %d at strides %d and %d outside slices of %d, %d and %d",
			op, rows, w, fullStride, halfStride, len(full), len(even), len(odd)))
	}
}
