//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// Assembly in gemm_amd64.s and vec_amd64.s.

//go:noescape
func microAVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func packA8AVX2(dst, a *float32, lda, kc int)

//go:noescape
func packBRow32AVX2(dst, src *float32, strips, stride int)

//go:noescape
func packBRow16AVX2(dst, src *float32, strips, stride int)

//go:noescape
func microAVX512(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// Blocking for AMD Zen 4 (32 KiB L1d, 1 MiB L2 per core): an A strip
// (mr×kc, 6 or 8 KiB) stays in L1 while the packed B panel (kc×nc,
// 512 KiB) streams from L2. The values are the best of a sweep of kc, mc, nc
// with 1024³ products (BenchmarkSgemm); 8×32 rather than 12×32 because
// the latter was no faster at 1024³ and wastes a third of its work on
// DARTS' 16-row products.
var avx2Impl = implementation{
	name: "avx2",
	gemm: gemmParams{mr: 6, nr: 16, kc: 256, mc: 96, nc: 512, micro: microAVX2, packBRow: packBRow16AVX2},
	vec:  avx2VectorKernels,
}

var avx512Impl = implementation{
	name: "avx512",
	gemm: gemmParams{mr: 8, nr: 32, kc: 256, mc: 128, nc: 512, micro: microAVX512, packA8: packA8AVX2, packBRow: packBRow32AVX2},
	vec:  avx2VectorKernels,
}

func init() {
	// cpuid checks that the OS saves the AVX and AVX-512 register state.
	if cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3) {
		register(&avx2Impl)
	}
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		register(&avx512Impl)
	}
}

// Probes in clock_amd64.s, used by BenchmarkPeak.

//go:noescape
func addChain(n int) int

//go:noescape
func fmaZMM(n int)

//go:noescape
func fmaYMM(n int)
