package cpu

import (
	"testing"

	"godarts/tensor"
)

// BenchmarkColdBatchNorm runs batch norm at the paper shapes on 48 different tensors in
// turn (about 200 MB, past the caches), as in a training step where each op's input
// comes from DRAM, unlike BenchmarkPaperKernels' inputs, which stay in cache. One
// thread.
//
//	go test ./tensor/cpu -run '^$' -bench ColdBatchNorm -benchtime 300x
func BenchmarkColdBatchNorm(b *testing.B) {
	for _, sh := range paperShapes {
		for _, pass := range []string{"fwd", "bwd"} {
			b.Run(sh.String()+"/"+pass, func(b *testing.B) {
				dev := New(1)
				rng := tensor.NewRNG(1)
				const copies = 48
				bn := tensor.BatchNormParams{Eps: 1e-5, Momentum: 0.1}
				var fs []func()
				for range copies {
					x := benchInput(dev, rng, sh.n, sh.c, sh.hw, sh.hw)
					dy := benchInput(dev, rng, sh.n, sh.c, sh.hw, sh.hw)
					g := benchInput(dev, rng, sh.c)
					y, m, s := tensor.NewLike(x), tensor.New(dev, sh.c), tensor.New(dev, sh.c)
					dx, dg, db := tensor.NewLike(x), tensor.New(dev, sh.c), tensor.New(dev, sh.c)
					if pass == "fwd" {
						fs = append(fs, func() {
							dev.Run(tensor.BatchNormTrainOp{BatchNormParams: bn}, []*tensor.Tensor{y, m, s}, []*tensor.Tensor{x, g, nil, nil, nil})
						})
					} else {
						_, m, s := tensor.BatchNormTrain(x, g, nil, nil, nil, bn)
						fs = append(fs, func() {
							dev.Run(tensor.BatchNormBackwardOp{BatchNormParams: bn}, []*tensor.Tensor{dx, dg, db}, []*tensor.Tensor{dy, x, m, s, g})
						})
					}
				}
				i := 0
				for b.Loop() {
					fs[i%copies]()
					i++
				}
			})
		}
	}
}
