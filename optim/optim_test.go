package optim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"godarts/autograd"
	"godarts/optim"
	"godarts/tensor"
	"godarts/tensor/cpu"
	"godarts/tensor/ref"
)

// golden is optim/testdata/optim_golden.json, written by tools/golden/optim_golden.py.
type golden struct {
	X, Y, W0, B0 []float64
	Shape        struct{ N, In, Out int }
	Optimizers   []struct {
		Name, Kind string
		Cfg        optimCfg
		Steps      []struct{ W, B []float64 }
	}
	Clip []struct {
		MaxNorm       float64 `json:"max_norm"`
		Before, After struct{ W, B []float64 }
	}
	Cosine []struct {
		Base, Min float64
		T         int
		LR        []float64
	}
}

func load(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/optim_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("testdata/optim_golden.json: %v", err)
	}
	return &g
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// problem is the least-squares problem of the golden file: L = mean((x·wᵀ + b − y)²).
type problem struct {
	x, negY *autograd.Var
	w, b    *autograd.Var
}

func newProblem(dev tensor.Backend, g *golden) *problem {
	s := g.Shape
	negY := make([]float64, len(g.Y))
	for i, v := range g.Y {
		negY[i] = -v
	}
	return &problem{
		x:    autograd.Const(tensor.FromSlice(dev, f32(g.X), s.N, s.In)),
		negY: autograd.Const(tensor.FromSlice(dev, f32(negY), s.N, s.Out)),
		w:    autograd.Param(tensor.FromSlice(dev, f32(g.W0), s.Out, s.In)),
		b:    autograd.Param(tensor.FromSlice(dev, f32(g.B0), s.Out)),
	}
}

func (p *problem) params() []*autograd.Var { return []*autograd.Var{p.w, p.b} }

// backward leaves ∇L in p.w.Grad and p.b.Grad.
func (p *problem) backward() {
	autograd.ZeroGrad(p.params())
	tp := autograd.NewTape()
	d := tp.Add(tp.AddBias(tp.MatMul(p.x, p.w, false, true), p.b), p.negY)
	tp.Backward(tp.Mean(tp.Mul(d, d)))
	tp.Release()
}

func compare(t *testing.T, what string, got []float32, want []float64, rtol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > rtol*math.Max(math.Abs(want[i]), 1e-2) {
			t.Fatalf("%s[%d] = %.8g, PyTorch %.8g", what, i, got[i], want[i])
		}
	}
}

var backends = []struct {
	dev  tensor.Backend
	rtol float64
}{{ref.New(), 1e-5}, {cpu.New(2), 1e-4}}

func newOpt(kind string, c optimCfg, ps []*autograd.Var) optim.Optimizer {
	if kind == "sgd" {
		return optim.NewSGD(ps, optim.SGDConfig{LR: c.LR, Momentum: c.Momentum, Dampening: c.Dampening, WeightDecay: c.WeightDecay, Nesterov: c.Nesterov})
	}
	return optim.NewAdam(ps, optim.AdamConfig{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay})
}

// optimCfg is a configuration as the golden file writes it (torch's argument names).
type optimCfg struct {
	LR, Momentum, Dampening float64
	WeightDecay             float64 `json:"weight_decay"`
	Nesterov                bool
	Beta1, Beta2, Eps       float64
}

// TestTrajectoriesMatchPyTorch runs 10 steps of every optimiser configuration and compares
// the parameters after each step with torch.optim's.
func TestTrajectoriesMatchPyTorch(t *testing.T) {
	g := load(t)
	for _, be := range backends {
		for _, c := range g.Optimizers {
			t.Run(be.dev.Name()+"/"+c.Name, func(t *testing.T) {
				p := newProblem(be.dev, g)
				opt := newOpt(c.Kind, c.Cfg, p.params())
				for k, want := range c.Steps {
					p.backward()
					opt.Step()
					compare(t, fmt.Sprintf("step %d w", k+1), p.w.Value.Read(), want.W, be.rtol)
					compare(t, fmt.Sprintf("step %d b", k+1), p.b.Value.Read(), want.B, be.rtol)
				}
			})
		}
	}
}

// TestResumeFromState: 5 steps, a new optimiser restored from State and StateTensors, 5
// more steps give the same parameters as 10 uninterrupted steps (PyTorch's trajectory).
func TestResumeFromState(t *testing.T) {
	g := load(t)
	dev := cpu.New(2)
	for _, c := range g.Optimizers {
		if c.Cfg.Momentum == 0 && c.Kind == "sgd" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			p := newProblem(dev, g)
			opt := newOpt(c.Kind, c.Cfg, p.params())
			for k := 0; k < 5; k++ {
				p.backward()
				opt.Step()
			}
			st, saved := opt.State(), opt.StateTensors()
			resumed := newOpt(c.Kind, c.Cfg, p.params())
			resumed.SetState(st)
			for i, nt := range resumed.StateTensors() {
				if nt.Name != saved[i].Name {
					t.Fatalf("state tensor %d named %q, saved as %q", i, nt.Name, saved[i].Name)
				}
				tensor.CopyInto(nt.T, saved[i].T)
			}
			for k := 5; k < 10; k++ {
				p.backward()
				resumed.Step()
			}
			compare(t, "w", p.w.Value.Read(), c.Steps[9].W, 1e-4)
			compare(t, "b", p.b.Value.Read(), c.Steps[9].B, 1e-4)
		})
	}
}

// TestClipGradNorm compares with torch.nn.utils.clip_grad_norm_ (one max norm below the
// gradients' norm, one above).
func TestClipGradNorm(t *testing.T) {
	g := load(t)
	for _, be := range backends {
		for _, c := range g.Clip {
			p := newProblem(be.dev, g)
			p.backward()
			compare(t, "grad w before", p.w.Grad.Read(), c.Before.W, be.rtol)
			optim.ClipGradNorm(p.params(), float32(c.MaxNorm))
			compare(t, fmt.Sprintf("%s max %g: grad w", be.dev.Name(), c.MaxNorm), p.w.Grad.Read(), c.After.W, be.rtol)
			compare(t, fmt.Sprintf("%s max %g: grad b", be.dev.Name(), c.MaxNorm), p.b.Grad.Read(), c.After.B, be.rtol)
		}
	}
}

// TestCosineAnnealingLR compares with torch.optim.lr_scheduler.CosineAnnealingLR stepped
// once per epoch.
func TestCosineAnnealingLR(t *testing.T) {
	g := load(t)
	for _, c := range g.Cosine {
		for e, want := range c.LR {
			if got := optim.CosineAnnealingLR(c.Base, c.Min, e, c.T); math.Abs(got-want) > 1e-12 {
				t.Errorf("base %g min %g T %d epoch %d: lr %.15g, PyTorch %.15g", c.Base, c.Min, c.T, e, got, want)
			}
		}
	}
}

// TestSGDMomentumStartsPerParameter: a parameter without a gradient on the first step
// starts its momentum buffer on its own first step, as PyTorch does (buffer = gradient).
func TestSGDMomentumStartsPerParameter(t *testing.T) {
	dev := ref.New()
	a := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
	b := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
	opt := optim.NewSGD([]*autograd.Var{a, b}, optim.SGDConfig{LR: 1, Momentum: 0.9, Dampening: 0.5})
	a.Grad = tensor.FromSlice(dev, []float32{1}, 1)
	opt.Step() // b has no gradient yet
	b.Grad = tensor.FromSlice(dev, []float32{1}, 1)
	opt.Step()
	// b's first step: buffer = g = 1 (no dampening on the first step), b = 1 − 1 = 0.
	if got := b.Value.Read()[0]; got != 0 {
		t.Errorf("b after its first momentum step = %v, want 0", got)
	}
	// a: 1 − 1 (first step), then buffer = 0.9·1 + 0.5·1 = 1.4: a = −1.4.
	if got := a.Value.Read()[0]; math.Abs(float64(got)+1.4) > 1e-6 {
		t.Errorf("a after two steps = %v, want -1.4", got)
	}
}

// TestAdamBiasCorrectionPerParameter: PyTorch counts Adam's steps per parameter, so a
// parameter whose first gradient arrives on the optimiser's second step still gets a
// first-step update: m̂ = g, v̂ = g², a move of lr·g/(|g|+ε) ≈ lr·sign(g). With the
// optimiser's count (2) it would move lr·√(1+β2)/(1+β1) instead (0.744·lr here).
func TestAdamBiasCorrectionPerParameter(t *testing.T) {
	dev := ref.New()
	a := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
	b := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
	opt := optim.NewAdam([]*autograd.Var{a, b}, optim.AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999})
	a.Grad = tensor.FromSlice(dev, []float32{2}, 1)
	opt.Step() // b has no gradient yet
	b.Grad = tensor.FromSlice(dev, []float32{2}, 1)
	opt.Step()
	cases := []struct {
		name string
		v    *autograd.Var
		want float64
	}{
		{"b (one update)", b, 1 - 0.1},
		{"a (two updates of the same gradient)", a, 1 - 0.1 - 0.1},
	}
	for _, c := range cases {
		if got := float64(c.v.Value.Read()[0]); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	if st := opt.State(); st.Step != 2 {
		t.Errorf("State().Step = %d, want 2", st.Step)
	}
}

// TestResumeKeepsPerParameterSteps: a parameter whose first gradient comes late keeps its
// own step count through State/SetState (and a JSON round trip), so a resumed run moves
// exactly as an uninterrupted one; a State without ParamSteps (older checkpoints) falls
// back to Step for every parameter.
func TestResumeKeepsPerParameterSteps(t *testing.T) {
	makers := []struct {
		name string
		make func(ps []*autograd.Var) optim.Optimizer
	}{
		{"sgd momentum", func(ps []*autograd.Var) optim.Optimizer {
			return optim.NewSGD(ps, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.5})
		}},
		{"adam", func(ps []*autograd.Var) optim.Optimizer {
			return optim.NewAdam(ps, optim.AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999})
		}},
	}
	dev := ref.New()
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			run := func(resumeAt int) []float32 {
				a := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
				b := autograd.Param(tensor.FromSlice(dev, []float32{1}, 1))
				ps := []*autograd.Var{a, b}
				opt := m.make(ps)
				for k := 0; k < 4; k++ {
					if k == resumeAt {
						raw, err := json.Marshal(opt.State())
						if err != nil {
							t.Fatal(err)
						}
						var st optim.State
						if err := json.Unmarshal(raw, &st); err != nil {
							t.Fatal(err)
						}
						saved := opt.StateTensors()
						opt = m.make(ps)
						opt.SetState(st)
						for i, nt := range opt.StateTensors() {
							tensor.CopyInto(nt.T, saved[i].T)
						}
					}
					a.Grad = tensor.FromSlice(dev, []float32{float32(k) - 1.5}, 1)
					b.Grad = nil
					if k > 0 { // b's first gradient comes on the second step
						b.Grad = tensor.FromSlice(dev, []float32{2 - float32(k)/2}, 1)
					}
					opt.Step()
				}
				return []float32{a.Value.Read()[0], b.Value.Read()[0]}
			}
			want := run(-1)
			for _, at := range []int{1, 2, 3} {
				if got := run(at); got[0] != want[0] || got[1] != want[1] {
					t.Errorf("resumed before step %d: a, b = %v, uninterrupted %v", at, got, want)
				}
			}
		})
	}
	old := optim.NewAdam([]*autograd.Var{autograd.Param(tensor.New(dev, 1))}, optim.AdamConfig{LR: 0.1})
	old.SetState(optim.State{Step: 3, LR: 0.2})
	if st := old.State(); len(st.ParamSteps) != 1 || st.ParamSteps[0] != 3 || st.LR != 0.2 {
		t.Errorf("state without ParamSteps restored as %+v, want every parameter at step 3", st)
	}
}
