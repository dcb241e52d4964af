//go:build purego || !amd64

package taps

const (
	haveAssembly = false
	haveAVX512   = false
)

func shiftedAVX512(dst, src *float32, off *int, w *float32, taps, n int) {
	panic("taps: no assembly in this build")
}

func dots4AVX512(out *float32, a, src *float32, off *int, n int) {
	panic("taps: no assembly in this build")
}

func weightedAVX512(dst *float32, xs **float32, w *float32, k, n int) {
	panic("taps: no assembly in this build")
}

func shiftedAVX2(dst, src *float32, off *int, w *float32, taps, n int) {
	panic("taps: no assembly in this build")
}

func weightedAVX2(dst *float32, xs **float32, w *float32, k, n int) {
	panic("taps: no assembly in this build")
}

func shiftedMaxAVX2(dst, src *float32, off *int, taps, n int) {
	panic("taps: no assembly in this build")
}

func shiftedArgmaxAVX2(idx *int32, src *float32, off *int, taps, n int) {
	panic("taps: no assembly in this build")
}

func dots4AVX2(out *float32, a, src *float32, off *int, n int) {
	panic("taps: no assembly in this build")
}

func deinterleaveAVX2(even, odd, src *float32, n int) {
	panic("taps: no assembly in this build")
}

func interleaveAVX2(dst, even, odd *float32, n int) {
	panic("taps: no assembly in this build")
}

func deinterleaveRowsAVX2(even, odd, src *float32, w, rows, srcStride, dstStride int) {
	panic("taps: no assembly in this build")
}

func interleaveRowsAVX2(dst, even, odd *float32, w, rows, dstStride, srcStride int) {
	panic("taps: no assembly in this build")
}

func scatterArgmaxAVX2(dst *float32, idx *int32, dy *float32, t, n int) {
	panic("taps: no assembly in this build")
}

func padRowsAVX2(dst, src *float32, w, rows, dstStride, srcStride int, v float32) {
	panic("taps: no assembly in this build")
}
