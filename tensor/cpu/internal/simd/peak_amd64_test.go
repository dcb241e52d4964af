//go:build !purego

package simd

import (
	"testing"
	"time"

	"github.com/klauspost/cpuid/v2"
)

// BenchmarkPeak measures the core's clock with a chain of dependent adds
// (one cycle each) and the FMA throughput with independent FMAs, and
// reports the single-core float32 peak:
//
//	peak = clock × FMA instructions/cycle × lanes × 2 flops.
//
// On AMD Zen 4 the two 256-bit FMA pipes run a 512-bit FMA as two halves,
// so both widths should show 32 flops/cycle.
func BenchmarkPeak(b *testing.B) {
	const n = 1 << 22
	clock := func() float64 {
		t0 := time.Now()
		addChain(n)
		return 8 * n / time.Since(t0).Seconds()
	}
	b.Run("clock", func(b *testing.B) {
		var hz float64
		for b.Loop() {
			hz = max(hz, clock())
		}
		b.ReportMetric(hz/1e9, "GHz")
	})
	probe := func(name string, f func(int), fmas, lanes int, ok bool) {
		b.Run(name, func(b *testing.B) {
			if !ok {
				b.Skipf("CPU lacks %s", name)
			}
			var flops, hz float64
			for b.Loop() {
				hz = max(hz, clock())
				t0 := time.Now()
				f(n)
				flops = max(flops, float64(n*fmas*lanes*2)/time.Since(t0).Seconds())
			}
			b.ReportMetric(hz/1e9, "GHz")
			b.ReportMetric(flops/1e9, "GFLOP/s")
			b.ReportMetric(flops/hz, "flops/cycle")
		})
	}
	probe("fma-ymm", fmaYMM, 12, 8, cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3))
	probe("fma-zmm", fmaZMM, 16, 16, cpuid.CPU.Supports(cpuid.AVX512F))
}
