//go:build !purego

package taps

import "github.com/klauspost/cpuid/v2"

// cpuid checks that the OS saves the AVX (and AVX-512) register state.
var (
	haveAssembly = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	haveAVX512   = haveAssembly && cpuid.CPU.Supports(cpuid.AVX512F)
)

// shiftedAVX512 is Shifted for n a positive multiple of 16 and taps >= 1.
//
//go:noescape
func shiftedAVX512(dst, src *float32, off *int, w *float32, taps, n int)

// dots4AVX512 is dots4AVX2 for n a positive multiple of 32.
//
//go:noescape
func dots4AVX512(out *float32, a, src *float32, off *int, n int)

// weightedAVX512 is Weighted for n a positive multiple of 16 and k >= 1 inputs.
//
//go:noescape
func weightedAVX512(dst *float32, xs **float32, w *float32, k, n int)

// shiftedAVX2 is Shifted for n a positive multiple of 8 and taps >= 1.
//
//go:noescape
func shiftedAVX2(dst, src *float32, off *int, w *float32, taps, n int)

// weightedAVX2 is Weighted for n a positive multiple of 8 and k >= 1 inputs, xs[k]
// pointing at input k's first element.
//
//go:noescape
func weightedAVX2(dst *float32, xs **float32, w *float32, k, n int)

// shiftedMaxAVX2 is ShiftedMax for n a positive multiple of 8 and taps >= 1.
//
//go:noescape
func shiftedMaxAVX2(dst, src *float32, off *int, taps, n int)

// shiftedArgmaxAVX2 is ShiftedArgmax for n a positive multiple of 8 and taps >= 1.
//
//go:noescape
func shiftedArgmaxAVX2(idx *int32, src *float32, off *int, taps, n int)

// dots4AVX2 is ShiftedDots for four taps and n a positive multiple of 16.
//
//go:noescape
func dots4AVX2(out *float32, a, src *float32, off *int, n int)

// deinterleaveAVX2 is Deinterleave for n (the length of src) a positive multiple of 16.
//
//go:noescape
func deinterleaveAVX2(even, odd, src *float32, n int)

// interleaveAVX2 is Interleave for n (the length of dst) a positive multiple of 16.
//
//go:noescape
func interleaveAVX2(dst, even, odd *float32, n int)

// deinterleaveRowsAVX2 is DeinterleaveRows for w a positive multiple of 8 and rows >= 1.
//
//go:noescape
func deinterleaveRowsAVX2(even, odd, src *float32, w, rows, srcStride, dstStride int)

// interleaveRowsAVX2 is InterleaveRows for w a positive multiple of 8 and rows >= 1.
//
//go:noescape
func interleaveRowsAVX2(dst, even, odd *float32, w, rows, dstStride, srcStride int)

// scatterArgmaxAVX2 is ScatterArgmax's tap t on the first n outputs, n a positive
// multiple of 8, dst pointing at that tap's offset.
//
//go:noescape
func scatterArgmaxAVX2(dst *float32, idx *int32, dy *float32, t, n int)

// padRowsAVX2 is PadRows for w >= 1 and rows >= 1.
//
//go:noescape
func padRowsAVX2(dst, src *float32, w, rows, dstStride, srcStride int, v float32)
