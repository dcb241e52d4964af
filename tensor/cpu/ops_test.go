package cpu

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"godarts/tensor"
)

// elementCase is an op whose every output element depends on the same element of its
// inputs; want computes one output element from the input elements.
type elementCase struct {
	op     tensor.Op
	inputs int
	want   func(in []float64) float64
}

func TestElementwise(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		cases := []elementCase{
			{tensor.AxpbyOp{A: 2, B: -3}, 2, func(v []float64) float64 { return 2*v[0] - 3*v[1] }},
			{tensor.AxpbyOp{A: 1, B: 1}, 2, func(v []float64) float64 { return v[0] + v[1] }},
			{tensor.ScaleOp{A: 0.5}, 1, func(v []float64) float64 { return 0.5 * v[0] }},
			{tensor.AddScalarOp{A: 3}, 1, func(v []float64) float64 { return v[0] + 3 }},
			{tensor.MulOp{}, 2, func(v []float64) float64 { return v[0] * v[1] }},
			{tensor.ReLUOp{}, 1, func(v []float64) float64 { return max(v[0], 0) }},
			{tensor.ReLUBackwardOp{}, 2, func(v []float64) float64 {
				if v[1] > 0 {
					return v[0]
				}
				return 0
			}},
			{tensor.SigmoidOp{}, 1, func(v []float64) float64 { return 1 / (1 + math.Exp(-v[0])) }},
			{tensor.SigmoidBackwardOp{}, 2, func(v []float64) float64 { return v[0] * v[1] * (1 - v[1]) }},
		}
		dev := New(2)
		for _, n := range []int{1, 7, 33, 5000, 40000} {
			for _, tc := range cases {
				for _, inPlace := range []bool{false, true} {
					name := fmt.Sprintf("%s n=%d inPlace=%v", tc.op.OpName(), n, inPlace)
					rng := tensor.NewRNG(uint64(n))
					in := make([]*tensor.Tensor, tc.inputs)
					vals := make([][]float64, tc.inputs)
					for i := range in {
						in[i] = input(dev, rng, n)
						vals[i] = to64(in[i].Read())
					}
					want := make([]float64, n)
					for j := range want {
						args := make([]float64, tc.inputs)
						for i := range args {
							args[i] = vals[i][j]
						}
						want[j] = tc.want(args)
					}
					out := guarded(dev, n)
					if inPlace {
						out = in[0]
					}
					run(dev, tc.op, []*tensor.Tensor{out}, in...)
					closeTo(t, name, out.Read(), want, 1e-6)
					checkGuards(t, name, out)
				}
			}
		}
	})
}

func TestScaleOps(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		rng := tensor.NewRNG(5)
		x := input(dev, rng, 3, 2, 4)
		v := input(dev, rng, 3)
		xs, vs := to64(x.Read()), to64(v.Read())

		y := guarded(dev, 3, 2, 4)
		run(dev, tensor.ScaleByElemOp{Index: 2, A: -2}, []*tensor.Tensor{y}, x, v)
		want := make([]float64, len(xs))
		for i := range xs {
			want[i] = -2 * vs[2] * xs[i]
		}
		closeTo(t, "scale_by_elem", y.Read(), want, 1e-6)
		checkGuards(t, "scale_by_elem", y)

		run(dev, tensor.ScaleRowsOp{}, []*tensor.Tensor{y}, x, v)
		for i := range xs {
			want[i] = vs[i/8] * xs[i]
		}
		closeTo(t, "scale_rows", y.Read(), want, 1e-6)

		b := input(dev, rng, 2)
		bs := to64(b.Read())
		run(dev, tensor.AddBiasOp{}, []*tensor.Tensor{y}, x, b)
		for i := range xs {
			want[i] = xs[i] + bs[(i/4)%2]
		}
		closeTo(t, "add_bias", y.Read(), want, 1e-6)

		db := guarded(dev, 2)
		run(dev, tensor.BiasBackwardOp{}, []*tensor.Tensor{db}, x)
		wantDB := make([]float64, 2)
		for i := range xs {
			wantDB[(i/4)%2] += xs[i]
		}
		closeTo(t, "bias_backward", db.Read(), wantDB, 1e-6)
		checkGuards(t, "bias_backward", db)

		g := guarded(dev, 3, 2)
		run(dev, tensor.GlobalAvgPoolOp{}, []*tensor.Tensor{g}, x.Reshape(3, 2, 2, 2))
		wantG := make([]float64, 6)
		for i := range xs {
			wantG[i/4] += xs[i] / 4
		}
		closeTo(t, "global_avg_pool", g.Read(), wantG, 1e-6)
		gx := guarded(dev, 3, 2, 2, 2)
		run(dev, tensor.GlobalAvgPoolBackwardOp{}, []*tensor.Tensor{gx}, g)
		for i := range xs {
			want[i] = float64(g.Read()[i/4]) / 4
		}
		closeTo(t, "global_avg_pool_backward", gx.Read(), want, 1e-6)
		checkGuards(t, "global_avg_pool_backward", gx)

		f := guarded(dev, 7)
		run(dev, tensor.FillOp{Value: 2.5}, []*tensor.Tensor{f})
		closeTo(t, "fill", f.Read(), []float64{2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, 0)
		checkGuards(t, "fill", f)
		run(dev, tensor.BroadcastOp{A: 2}, []*tensor.Tensor{f}, v.Narrow(0, 1, 1))
		for i := range 7 {
			if f.Read()[i] != 2*float32(vs[1]) {
				t.Fatalf("broadcast: element %d = %v, want %v", i, f.Read()[i], 2*vs[1])
			}
		}
	})
}

func TestWeightedSum(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		for _, n := range []int{3, 17, 70000} {
			rng := tensor.NewRNG(9)
			const k = 4
			w := input(dev, rng, k)
			ws := to64(w.Read())
			xs := make([]*tensor.Tensor, k)
			vals := make([][]float64, k)
			for i := range xs {
				xs[i] = input(dev, rng, n)
				vals[i] = to64(xs[i].Read())
			}
			y := guarded(dev, n)
			run(dev, tensor.WeightedSumOp{}, []*tensor.Tensor{y}, append([]*tensor.Tensor{w}, xs...)...)
			want := make([]float64, n)
			for j := range want {
				for i := range k {
					want[j] += ws[i] * vals[i][j]
				}
			}
			closeTo(t, "weighted_sum", y.Read(), want, 1e-5)
			checkGuards(t, "weighted_sum", y)

			dy := input(dev, rng, n)
			dys := to64(dy.Read())
			dw := guarded(dev, k)
			dx1 := guarded(dev, n)
			out := []*tensor.Tensor{dw, nil, dx1, nil, nil}
			run(dev, tensor.WeightedSumBackwardOp{}, out, append([]*tensor.Tensor{dy, w}, xs...)...)
			wantDW := make([]float64, k)
			wantDX := make([]float64, n)
			for j := range n {
				for i := range k {
					wantDW[i] += dys[j] * vals[i][j]
				}
				wantDX[j] = ws[1] * dys[j]
			}
			closeTo(t, "weighted_sum_backward dw", dw.Read(), wantDW, 1e-4)
			closeTo(t, "weighted_sum_backward dx", dx1.Read(), wantDX, 1e-6)
			checkGuards(t, "weighted_sum_backward dw", dw)
			checkGuards(t, "weighted_sum_backward dx", dx1)
		}
	})
}

func TestRowOps(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		rng := tensor.NewRNG(13)
		const n, k = 5, 7
		x := input(dev, rng, n, k)
		run(dev, tensor.ScaleOp{A: 3}, []*tensor.Tensor{x}, x)
		dy := input(dev, rng, n, k)
		xs, dys := to64(x.Read()), to64(dy.Read())
		labels := tensor.FromSlice(dev, []float32{0, 6, 3, 3, 1}, n)

		sm := make([]float64, n*k)
		for r := range n {
			row := xs[r*k : (r+1)*k]
			mx := slices.Max(row)
			var s float64
			for _, v := range row {
				s += math.Exp(v - mx)
			}
			for i, v := range row {
				sm[r*k+i] = math.Exp(v-mx) / s
			}
		}
		y := guarded(dev, n, k)
		run(dev, tensor.SoftmaxOp{}, []*tensor.Tensor{y}, x)
		closeTo(t, "softmax", y.Read(), sm, 1e-6)
		checkGuards(t, "softmax", y)
		want := make([]float64, n*k)
		for r := range n {
			var s float64
			for i := range k {
				s += dys[r*k+i] * sm[r*k+i]
			}
			for i := range k {
				want[r*k+i] = sm[r*k+i] * (dys[r*k+i] - s)
			}
		}
		dx := guarded(dev, n, k)
		run(dev, tensor.SoftmaxBackwardOp{}, []*tensor.Tensor{dx}, dy, y)
		closeTo(t, "softmax_backward", dx.Read(), want, 1e-5)

		run(dev, tensor.LogSoftmaxOp{}, []*tensor.Tensor{y}, x)
		for i := range want {
			want[i] = math.Log(sm[i])
		}
		closeTo(t, "log_softmax", y.Read(), want, 1e-6)
		run(dev, tensor.LogSoftmaxBackwardOp{}, []*tensor.Tensor{dx}, dy, y)
		for r := range n {
			var s float64
			for i := range k {
				s += dys[r*k+i]
			}
			for i := range k {
				want[r*k+i] = dys[r*k+i] - sm[r*k+i]*s
			}
		}
		closeTo(t, "log_softmax_backward", dx.Read(), want, 1e-5)

		loss, probs := guarded(dev, 1), guarded(dev, n, k)
		run(dev, tensor.CrossEntropyOp{}, []*tensor.Tensor{loss, probs}, x, labels)
		lab := labels.Read()
		var wantLoss float64
		for r := range n {
			wantLoss -= math.Log(sm[r*k+int(lab[r])]) / n
		}
		closeTo(t, "cross_entropy loss", loss.Read(), []float64{wantLoss}, 1e-6)
		closeTo(t, "cross_entropy probs", probs.Read(), sm, 1e-6)
		checkGuards(t, "cross_entropy loss", loss)
		dl := tensor.FromSlice(dev, []float32{2}, 1)
		run(dev, tensor.CrossEntropyBackwardOp{}, []*tensor.Tensor{dx}, dl, probs, labels)
		for r := range n {
			for i := range k {
				oh := 0.0
				if i == int(lab[r]) {
					oh = 1
				}
				want[r*k+i] = 2 * (sm[r*k+i] - oh) / n
			}
		}
		closeTo(t, "cross_entropy_backward", dx.Read(), want, 1e-5)

		count := guarded(dev, 1)
		run(dev, tensor.FillOp{Value: 1}, []*tensor.Tensor{count})
		run(dev, tensor.CountCorrectOp{}, []*tensor.Tensor{count}, x, labels)
		correct := 1.0
		for r := range n {
			row := xs[r*k : (r+1)*k]
			if slices.Index(row, slices.Max(row)) == int(lab[r]) {
				correct++
			}
		}
		closeTo(t, "count_correct", count.Read(), []float64{correct}, 0)
	})
}

// TestSparsemax checks two rows worked by hand from Martins & Astudillo 2016, Algorithm 1.
func TestSparsemax(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(1)
		x := tensor.FromSlice(dev, []float32{0.5, 0.2, -1, 3, 1.2, 1, 0.9, -2}, 2, 4)
		y := guarded(dev, 2, 4)
		run(dev, tensor.SparsemaxOp{}, []*tensor.Tensor{y}, x)
		// Row 1 sorted: 3, 0.5, ...: k=1 (1+2*0.5 = 2 is not > 3.5), τ = 3-1 = 2.
		// Row 2 sorted: 1.2, 1, 0.9, -2: k=3 (1+3*0.9 = 3.7 > 3.1), τ = (3.1-1)/3 = 0.7.
		want := []float64{0, 0, 0, 1, 0.5, 0.3, 0.2, 0}
		closeTo(t, "sparsemax", y.Read(), want, 1e-6)
		checkGuards(t, "sparsemax", y)
		dy := tensor.FromSlice(dev, []float32{1, 2, 3, 4, 1, 2, 3, 4}, 2, 4)
		dx := guarded(dev, 2, 4)
		run(dev, tensor.SparsemaxBackwardOp{}, []*tensor.Tensor{dx}, dy, y)
		closeTo(t, "sparsemax_backward", dx.Read(), []float64{0, 0, 0, 0, -1, 0, 1, 0}, 1e-6)
	})
}

func TestReductions(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		for _, n := range []int{1, 100, 1 << 14, 3*(1<<14) + 5} {
			rng := tensor.NewRNG(uint64(n))
			x := input(dev, rng, n)
			xs := to64(x.Read())
			var s, ss float64
			for _, v := range xs {
				s += v
				ss += v * v
			}
			out := guarded(dev, 1)
			run(dev, tensor.SumOp{A: 0.5}, []*tensor.Tensor{out}, x)
			closeTo(t, "sum", out.Read(), []float64{s / 2}, 1e-4)
			run(dev, tensor.SumOp{A: 1, Accumulate: true}, []*tensor.Tensor{out}, x)
			closeTo(t, "sum accumulate", out.Read(), []float64{1.5 * s}, 1e-4)
			run(dev, tensor.SumSquaresOp{}, []*tensor.Tensor{out}, x)
			closeTo(t, "sum_squares", out.Read(), []float64{ss}, 1e-5)
			checkGuards(t, "sum", out)

			// Clip to a norm of half the current one.
			g := input(dev, rng, n)
			gs := to64(g.Read())
			var gn float64
			for _, v := range gs {
				gn += v * v
			}
			sq := tensor.FromSlice(dev, []float32{float32(gn)}, 1)
			run(dev, tensor.ClipByNormOp{MaxNorm: float32(math.Sqrt(gn) / 2)}, []*tensor.Tensor{g}, g, sq)
			c := math.Sqrt(gn) / 2 / (math.Sqrt(gn) + 1e-6)
			for i := range gs {
				gs[i] *= c
			}
			closeTo(t, "clip_by_norm", g.Read(), gs, 1e-5)
			checkGuards(t, "clip_by_norm", g)
		}
	})
}

func TestCopyStrided(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		rng := tensor.NewRNG(21)
		a := input(dev, rng, 2, 3, 4, 5)
		b := input(dev, rng, 2, 4, 4, 5)
		as, bs := to64(a.Read()), to64(b.Read())
		cat := guarded(dev, 2, 7, 4, 5)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{cat.Narrow(1, 0, 3)}, a)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{cat.Narrow(1, 3, 4)}, b)
		want := make([]float64, 0, cat.Numel())
		for n := range 2 {
			want = append(want, as[n*60:(n+1)*60]...)
			want = append(want, bs[n*80:(n+1)*80]...)
		}
		closeTo(t, "concat", cat.Read(), want, 0)
		checkGuards(t, "concat", cat)
		// A slice of the last dimension and a transposed view (stride 1 in neither).
		sl := guarded(dev, 2, 7, 4, 2)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{sl}, cat.Narrow(3, 2, 2))
		want = want[:0]
		cs := to64(cat.Read())
		for i := range 2 * 7 * 4 {
			want = append(want, cs[i*5+2], cs[i*5+3])
		}
		closeTo(t, "narrow last", sl.Read(), want, 0)
		m := input(dev, rng, 3, 4)
		ms := to64(m.Read())
		tr := &tensor.Tensor{Dev: dev, Buf: m.Buf, Off: m.Off, Shape: tensor.Shape{4, 3}, Strides: []int{1, 4}}
		mt := guarded(dev, 4, 3)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{mt}, tr)
		want = want[:0]
		for j := range 4 {
			for i := range 3 {
				want = append(want, ms[i*4+j])
			}
		}
		closeTo(t, "transpose", mt.Read(), want, 0)
		checkGuards(t, "transpose", mt)
		// A crop of the last two dimensions (FactorizedReduce's x[:, :, 1:, 1:]) copied
		// out, then back into the same crop of a zeroed tensor: the border stays zero.
		big := input(dev, rng, 2, 3, 16, 16)
		bigs := to64(big.Read())
		crop := guarded(dev, 2, 3, 15, 15)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{crop}, big.Narrow(2, 1, 15).Narrow(3, 1, 15))
		want = want[:0]
		for pl := range 2 * 3 {
			for i := 1; i < 16; i++ {
				want = append(want, bigs[(pl*16+i)*16+1:(pl*16+i)*16+16]...)
			}
		}
		closeTo(t, "crop out", crop.Read(), want, 0)
		checkGuards(t, "crop out", crop)
		back := tensor.New(dev, 2, 3, 16, 16)
		run(dev, tensor.CopyOp{}, []*tensor.Tensor{back.Narrow(2, 1, 15).Narrow(3, 1, 15)}, crop)
		want = make([]float64, len(bigs))
		for i := range bigs {
			if r, c := (i/16)%16, i%16; r > 0 && c > 0 {
				want[i] = bigs[i]
			}
		}
		closeTo(t, "crop in", back.Read(), want, 0)
	})
}

func TestMatMul(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(2)
		for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {33, 17, 65}, {130, 70, 40}} {
			m, k, n := sz[0], sz[1], sz[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					name := fmt.Sprintf("matmul %v transA=%v transB=%v", sz, ta, tb)
					rng := tensor.NewRNG(1)
					ash, bsh := []int{m, k}, []int{k, n}
					if ta {
						ash = []int{k, m}
					}
					if tb {
						bsh = []int{n, k}
					}
					a, b := input(dev, rng, ash...), input(dev, rng, bsh...)
					av, bv := to64(a.Read()), to64(b.Read())
					want := make([]float64, m*n)
					for i := range m {
						for j := range n {
							for p := range k {
								x, y := av[i*k+p], bv[p*n+j]
								if ta {
									x = av[p*m+i]
								}
								if tb {
									y = bv[j*k+p]
								}
								want[i*n+j] += x * y
							}
						}
					}
					c := guarded(dev, m, n)
					run(dev, tensor.MatMulOp{TransA: ta, TransB: tb}, []*tensor.Tensor{c}, a, b)
					closeTo(t, name, c.Read(), want, 1e-5)
					checkGuards(t, name, c)
				}
			}
		}
	})
}

func TestOptimizerSteps(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		dev := New(1)
		rng := tensor.NewRNG(4)
		const n = 9
		w, g, buf := input(dev, rng, n), input(dev, rng, n), input(dev, rng, n)
		ws, gs, bs := to64(w.Read()), to64(g.Read()), to64(buf.Read())
		sgd := tensor.SGDStepOp{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01, Nesterov: true}
		run(dev, sgd, []*tensor.Tensor{w, buf}, w, g, buf)
		for i := range ws {
			d := gs[i] + 0.01*ws[i]
			bs[i] = 0.9*bs[i] + 0.9*d
			ws[i] -= 0.1 * (d + 0.9*bs[i])
		}
		closeTo(t, "sgd w", w.Read(), ws, 1e-6)
		closeTo(t, "sgd buf", buf.Read(), bs, 1e-6)
		sgd.First, sgd.Nesterov = true, false
		run(dev, sgd, []*tensor.Tensor{w, buf}, w, g, buf)
		for i := range ws {
			d := gs[i] + 0.01*ws[i]
			bs[i] = d
			ws[i] -= 0.1 * d
		}
		closeTo(t, "sgd first w", w.Read(), ws, 1e-6)
		closeTo(t, "sgd first buf", buf.Read(), bs, 1e-6)

		m, v := input(dev, rng, n), input(dev, rng, n)
		run(dev, tensor.MulOp{}, []*tensor.Tensor{v}, v, v)
		ms, vs := to64(m.Read()), to64(v.Read())
		adam := tensor.AdamStepOp{LR: 0.01, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.001, Step: 3}
		run(dev, adam, []*tensor.Tensor{w, m, v}, w, g, m, v)
		for i := range ws {
			d := gs[i] + 0.001*ws[i]
			ms[i] = 0.5*ms[i] + 0.5*d
			vs[i] = 0.999*vs[i] + 0.001*d*d
			denom := math.Sqrt(vs[i])/math.Sqrt(1-math.Pow(0.999, 3)) + 1e-8
			ws[i] -= 0.01 / (1 - math.Pow(0.5, 3)) * ms[i] / denom
		}
		closeTo(t, "adam w", w.Read(), ws, 1e-5)
		closeTo(t, "adam m", m.Read(), ms, 1e-6)
		closeTo(t, "adam v", v.Read(), vs, 1e-6)
	})
}
