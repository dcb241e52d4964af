package taps

import "fmt"

// PadRows copies rows rows of w elements from src (at stride srcStride) to dst (at
// stride dstStride) and sets the dstStride-w elements after each copied row to v:
//
//	for r := range rows {
//		copy(dst[r*dstStride:r*dstStride+w], src[r*srcStride:r*srcStride+w])
//		for j := w; j < dstStride; j++ {
//			dst[r*dstStride+j] = v
//		}
//	}
//
// in one call, where a copy per row costs a call per row: the zero padding of a plane,
// and copying an output plane out of its wider row stride (dstStride == w). dst must
// not overlap src.
func PadRows(dst, src []float32, w, rows, dstStride, srcStride int, v float32) {
	if rows <= 0 || w <= 0 && dstStride <= 0 {
		return
	}
	if w < 0 || dstStride < w || srcStride < w || rows*dstStride > len(dst) || (rows-1)*srcStride+w > len(src) {
		panic(fmt.Sprintf("taps.PadRows: %d rows of %d at strides %d and %d outside slices of %d and %d",
			rows, w, dstStride, srcStride, len(dst), len(src)))
	}
	if asm && w > 0 {
		padRowsAVX2(&dst[0], &src[0], w, rows, dstStride, srcStride, v)
		return
	}
	for r := range rows {
		d := dst[r*dstStride : (r+1)*dstStride]
		copy(d[:w], src[r*srcStride:r*srcStride+w])
		for j := w; j < len(d); j++ {
			d[j] = v
		}
	}
}
