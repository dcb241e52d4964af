package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RNG is the one source of randomness of a run: weights, α, data order, augmentation and
// drop-path masks are all drawn on the host from it, so every backend and every thread
// count sees the same numbers. Its state can be saved and restored for exact resume.
type RNG struct {
	pcg *rand.PCG
	r   *rand.Rand
}

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	p := rand.NewPCG(seed, 0x9e3779b97f4a7c15)
	return &RNG{pcg: p, r: rand.New(p)}
}

// Split returns a new generator whose stream is derived from this one's next value; use it
// to give a component its own stream without disturbing the order of the others.
func (g *RNG) Split() *RNG { return NewRNG(g.r.Uint64()) }

// Float64 returns a uniform value in [0, 1).
func (g *RNG) Float64() float64 { return g.r.Float64() }

// Uniform returns a uniform value in [lo, hi).
func (g *RNG) Uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

// Normal returns a standard normal value.
func (g *RNG) Normal() float64 { return g.r.NormFloat64() }

// IntN returns a uniform integer in [0, n).
func (g *RNG) IntN(n int) int { return g.r.IntN(n) }

// Uint64 returns 64 uniform bits.
func (g *RNG) Uint64() uint64 { return g.r.Uint64() }

// Perm returns a uniform permutation of 0..n-1.
func (g *RNG) Perm(n int) []int { return g.r.Perm(n) }

// UniformSlice fills a new slice of n values uniform in [lo, hi).
func (g *RNG) UniformSlice(n int, lo, hi float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(g.Uniform(lo, hi))
	}
	return out
}

// NormalSlice fills a new slice of n values drawn from N(0, std²).
func (g *RNG) NormalSlice(n int, std float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(std * g.Normal())
	}
	return out
}

// MarshalBinary saves the generator's state.
func (g *RNG) MarshalBinary() ([]byte, error) { return g.pcg.MarshalBinary() }

// UnmarshalBinary restores a state saved by MarshalBinary.
func (g *RNG) UnmarshalBinary(b []byte) error {
	if g.pcg == nil {
		*g = *NewRNG(0)
	}
	if err := g.pcg.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("rng state: %w", err)
	}
	return nil
}

// KaimingUniformBound is the bound of PyTorch's default initialisation of Conv2d and Linear
// weights, kaiming_uniform_(a=√5): gain √(2/(1+5)) times √(3/fan_in), which is 1/√fan_in.
// The biases use the same bound.
func KaimingUniformBound(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }

// KaimingUniform returns a new tensor of the given weight shape ([Cout, Cin/G, KH, KW] or
// [Out, In]) initialised as PyTorch initialises Conv2d and Linear weights.
func KaimingUniform(dev Backend, g *RNG, shape ...int) *Tensor {
	s := Shape(shape)
	fanIn := s.Numel() / s[0]
	b := KaimingUniformBound(fanIn)
	return FromSlice(dev, g.UniformSlice(s.Numel(), -b, b), shape...)
}
