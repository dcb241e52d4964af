//go:build linux

package nas

import (
	"syscall"
	"testing"

	"godarts/autograd"
	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/cpu"
)

// BenchmarkNB201ForwardNoGrad times a forward pass without gradients of the NB201 stage
// supernet (nb201-varied, size-variable phase on: α_mix and α_exit live) and of an
// evaluation network, at NAS-Bench-201's size (C 16, 5 cells per stage, batch 64,
// 32×32×3), and reports the peak of the tensor bytes allocated and not freed during a
// pass and the process's peak resident size (which also holds the CPU backend's buffer
// pool and garbage). Run one sub-benchmark per process for a meaningful peak:
//
//	go test ./nas -run XXX -bench 'NB201ForwardNoGrad/supernet' -benchtime 3x
func BenchmarkNB201ForwardNoGrad(b *testing.B) {
	dev := &allocMeter{Backend: cpu.New(0)}
	rng := tensor.NewRNG(1)
	const batch, C, N, size = 64, 16, 5, 32
	x := autograd.Const(tensor.FromSlice(dev, rng.NormalSlice(batch*3*size*size, 1), batch, 3, size, size))
	run := func(b *testing.B, forward func(tp *autograd.Tape) *autograd.Var) {
		peak := 0
		for b.Loop() {
			dev.peak = dev.live
			base := dev.live
			tp := autograd.NoGrad()
			forward(tp).Value.Read()
			tp.Release()
			peak = max(peak, dev.peak-base)
		}
		b.ReportMetric(float64(4*peak)/(1<<20), "peakLive-MB")
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
			b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MB")
		}
	}
	b.Run("supernet", func(b *testing.B) {
		space, _ := genotype.SpaceByName("nb201-varied")
		n, err := NewNB201Network(dev, rng, space, NB201Config{C: C, N: N, Classes: 10, InChannels: 3, KernelSearch: true, ExitSearch: true}, Softmax{}, 1e-3)
		if err != nil {
			b.Fatal(err)
		}
		n.SetSized(true, true)
		run(b, func(tp *autograd.Tape) *autograd.Var { l, _ := n.Logits(tp, x); return l })
	})
	b.Run("eval", func(b *testing.B) {
		cell := "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|"
		g, err := genotype.ParseNB201Net([]byte(`{"space":"nb201","stages":[{"cell":"` + cell + `","cells":5},{"cell":"` + cell + `","cells":5},{"cell":"` + cell + `","cells":5}]}`))
		if err != nil {
			b.Fatal(err)
		}
		n, err := NewNB201EvalNetwork(dev, rng, g, C, 3, 10)
		if err != nil {
			b.Fatal(err)
		}
		n.SetTraining(false)
		run(b, func(tp *autograd.Tape) *autograd.Var { l, _ := n.Forward(tp, x); return l })
	})
}

// allocMeter counts the elements a backend has allocated and not yet freed, and their peak.
type allocMeter struct {
	tensor.Backend
	live, peak int
}

func (m *allocMeter) Alloc(n int) tensor.Buffer {
	m.live += n
	m.peak = max(m.peak, m.live)
	return m.Backend.Alloc(n)
}

func (m *allocMeter) Free(b tensor.Buffer) {
	m.live -= b.Len()
	m.Backend.Free(b)
}
