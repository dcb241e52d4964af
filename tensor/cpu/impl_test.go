package cpu

import (
	"testing"

	"godarts/tensor/cpu/internal/simd"
	"godarts/tensor/cpu/internal/taps"
)

// eachImpl runs f once under every kernel implementation this machine has (generic Go,
// AVX2, AVX-512, in packages simd and taps together; only generic under the purego
// tag), as Go's crypto packages test every implementation.
func eachImpl(t *testing.T, f func(t *testing.T)) {
	orig := simd.Current()
	defer func() {
		taps.UseAssembly(true)
		if err := simd.Select(orig); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range simd.Implementations() {
		t.Run(name, func(t *testing.T) {
			if err := simd.Select(name); err != nil {
				t.Fatal(err)
			}
			// The fused-tap kernels follow under the same name (generic, avx2,
			// avx512); where package taps lacks one, its best assembly stands in.
			if err := taps.Select(name); err != nil {
				taps.UseAssembly(name != "generic")
			}
			f(t)
		})
	}
}
