// Package simd holds the CPU backend's hot float32 kernels (SGEMM and vector
// loops) as Go loops and as AVX2/AVX-512 assembly twins picked at run time.
//
// Every kernel exists once per implementation. The implementations available
// on this machine are listed by Implementations; the fastest one is selected
// at start-up and tests force each in turn with Select, so that every test
// runs every implementation (the scheme of Go's crypto/internal/impl). The
// build tag purego leaves only the "generic" Go implementation.
//
// Sgemm follows BLIS/Goto (reference/engine-anchors.md §3): B is packed
// into nr-wide strips of a kc×nc panel, A into mr-tall strips of an mc×kc
// block, and one assembly micro-kernel per ISA (8×32 AVX-512, 6×16
// AVX2+FMA, 4×4 Go) does kc rank-1 updates of an mr×nr tile held in
// registers. Edge tiles go through a scratch tile. SgemmParallel and
// Parallel share a persistent pool of GOMAXPROCS-1 goroutines.
//
// Measure with
//
//	go test ./tensor/cpu/internal/simd -run XXX -bench 'Peak|Sgemm' -benchtime=20x
//
// BenchmarkPeak reports the clock and the FMA peak of one core.
package simd

import "fmt"

// implementation is one complete set of kernels.
type implementation struct {
	name string
	gemm gemmParams
	vec  vectorKernels
}

// registry lists the implementations available on this machine, slowest
// first; generic is always available. The assembly files append to it in
// init when the CPU supports them.
var registry = []*implementation{&genericImpl}

// current is the implementation the exported functions call.
var current = &genericImpl

func register(im *implementation) {
	registry = append(registry, im)
	current = im
}

// Implementations returns the names of the implementations available on
// this machine, slowest first: "generic" always, then "avx2" and "avx512"
// where the CPU and OS support them and the build is not purego.
func Implementations() []string {
	names := make([]string, len(registry))
	for i, im := range registry {
		names[i] = im.name
	}
	return names
}

// Current returns the name of the implementation in use.
func Current() string { return current.name }

// Select makes the named implementation the one in use. It is meant for
// tests and benchmarks and must not be called while kernels run.
func Select(name string) error {
	for _, im := range registry {
		if im.name == name {
			current = im
			return nil
		}
	}
	return fmt.Errorf("simd: implementation %q not available, have %v", name, Implementations())
}
