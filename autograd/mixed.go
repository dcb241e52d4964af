package autograd

import (
	"fmt"

	"godarts/tensor"
)

// MixTerm is one operation's contribution w[Index]·t to a node of a DARTS search cell,
// where t is
//   - X itself, when BN is nil (skip_connect, or any op whose output is given whole);
//   - the batch norm of X with batch statistics and no affine transform, when BN is set
//     (X is then the operation's output before its final BN, whose running buffers BN
//     holds: they are updated as tensor.BatchNormTrain does);
//   - zero, when X is nil (the none op).
type MixTerm struct {
	Index int
	X     *Var
	BN    *MixBN
}

// MixBN is the trailing affine-free batch norm of a MixTerm's operation.
type MixBN struct {
	RunMean, RunVar *tensor.Tensor
	P               tensor.BatchNormParams
}

// MixedSum computes Σ_t w[t.Index]·t over terms: a whole node of a search cell (every
// mixed op on every incoming edge) in one tape entry. w is 1-d and every index of w is
// covered by at most one term (indices no term names contribute zero).
//
// Fusing the operations' final BN and the weighted sums into one op saves memory: the
// unfused graph keeps every BN output alive until the backward pass (the weighted sum
// needs it for dL/dw), and every edge's weighted sum and the partial sums of the node
// too. Here the BN outputs are transient and only the BN inputs (saved anyway) and
// per-channel statistics are kept. The backward pass uses that for y = BN(x) without
// affine, Σ g·y = Σ_c Σ_{n,h,w} g·x̂, which is BN's dγ; and dx = w·BN'(g) by linearity.
func (tp *Tape) MixedSum(w *Var, terms []MixTerm) *Var {
	if len(w.Value.Shape) != 1 {
		panic(fmt.Sprintf("mixed_sum: weights of shape %v, want 1-d", w.Value.Shape))
	}
	nw := w.Value.Shape[0]
	wv := tp.c(w)
	var like *tensor.Tensor
	for _, t := range terms {
		if t.X != nil {
			like = t.X.Value
			break
		}
	}
	if like == nil {
		panic("mixed_sum: no term has an input")
	}
	ys := make([]*tensor.Tensor, nw)
	var transient []*tensor.Tensor
	type saved struct{ x, mean, invStd *tensor.Tensor }
	keep := make([]saved, len(terms))
	var inputs []*Var
	inputs = append(inputs, w)
	for i, t := range terms {
		if t.Index < 0 || t.Index >= nw || ys[t.Index] != nil {
			panic(fmt.Sprintf("mixed_sum: term %d index %d outside 0..%d or repeated", i, t.Index, nw-1))
		}
		if t.X == nil {
			continue
		}
		if !t.X.Value.Shape.Equal(like.Shape) {
			panic(fmt.Sprintf("mixed_sum: term %d input of shape %v, want %v", i, t.X.Value.Shape, like.Shape))
		}
		xv := tp.c(t.X)
		inputs = append(inputs, t.X)
		keep[i].x = xv
		if t.BN == nil {
			ys[t.Index] = xv
			continue
		}
		y, mean, invStd := tensor.BatchNormTrain(xv, nil, nil, t.BN.RunMean, t.BN.RunVar, t.BN.P)
		ys[t.Index] = y
		transient = append(transient, y)
		keep[i].mean, keep[i].invStd = mean, invStd
		tp.keep(mean, invStd)
		if tp == nil {
			mean.Free()
			invStd.Free()
		}
	}
	var zero *tensor.Tensor
	for k := range ys {
		if ys[k] == nil {
			if zero == nil {
				zero = tensor.NewLike(like)
			}
			ys[k] = zero
		}
	}
	out := tensor.WeightedSum(wv, ys)
	for _, y := range transient {
		y.Free()
	}
	zero.Free()

	return tp.result("mixed_sum", out, inputs, func(g *tensor.Tensor) []*tensor.Tensor {
		var dw *tensor.Tensor
		if need(w) {
			dw = tensor.NewLike(wv)
		}
		grads := []*tensor.Tensor{dw}
		for i, t := range terms {
			if t.X == nil {
				continue
			}
			var dwi *tensor.Tensor
			if dw != nil {
				dwi = dw.Narrow(0, t.Index, 1)
			}
			wantX := need(t.X)
			var dx *tensor.Tensor
			if t.BN == nil {
				// dw[i] = Σ g·x and dx = w[i]·g in one kernel.
				if dwi != nil || wantX {
					_, dxs := tensor.WeightedSumBackwardInto(dwi, g, wv.Narrow(0, t.Index, 1), []*tensor.Tensor{keep[i].x}, []bool{wantX})
					dx = dxs[0]
				}
			} else if dwi != nil || wantX {
				s := keep[i]
				dxhat, dgamma := tensor.BatchNormBackwardNoAffine(g, s.x, s.mean, s.invStd, t.BN.P)
				if dwi != nil {
					tensor.SumInto(dwi, dgamma, 1)
				}
				dgamma.Free()
				if wantX {
					tensor.ScaleByElemInto(dxhat, wv, t.Index, 1)
					dx = dxhat
				} else {
					dxhat.Free()
				}
			}
			grads = append(grads, dx)
		}
		return grads
	})
}
