// Package backendtest is the conformance suite: one table of op cases that every backend
// runs and compares with the float64 reference backend, inside NaN guard values.
package backendtest

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"testing"

	"godarts/tensor"
	"godarts/tensor/ref"
)

// Input describes one of an op's input tensors.
type Input struct {
	// Shape of the tensor (of the whole allocation when View is set).
	Shape []int
	// Gen draws the values; prev holds the inputs generated before this one (so a
	// softmax output or batch statistics can be derived from them). Nil: uniform in [-1, 1).
	Gen func(g *tensor.RNG, prev [][]float32) []float32
	// Nil passes a nil tensor (an optional input left out).
	Nil bool
	// View turns the allocated tensor into the view passed to Run (CopyOp only).
	View func(t *tensor.Tensor) *tensor.Tensor
}

// Output describes one of an op's output tensors.
type Output struct {
	Shape []int
	// Alias > 0 makes this output the input Alias-1 itself (an in-place op).
	Alias int
	// Nil passes a nil output (a result not wanted).
	Nil bool
	// Init fills the output before the op (ops that accumulate); nil: NaN.
	Init []float32
	// View turns the allocated tensor into the view passed to Run (CopyOp only).
	View func(t *tensor.Tensor) *tensor.Tensor
}

// Tol is the accepted error: |got − want| ≤ ATol·max(1, max|want|) + RTol·|want|, with
// max|want| taken over the whole output (so values that cancel are judged at the scale of
// the output).
type Tol struct{ RTol, ATol float64 }

// Case is one op run with generated inputs.
type Case struct {
	Name string
	Op   tensor.Op
	In   []Input
	Out  []Output
	// Updated lists inputs the op changes in place without naming them as outputs (batch
	// norm's running statistics); they are compared like outputs.
	Updated []int
	Tol     Tol
}

// Guard sizes: every tensor lives at an offset inside a larger buffer whose other
// elements are NaN and must stay NaN.
const (
	guardBefore = 5
	guardAfter  = 7
)

// prepared is a case's tensors on one backend.
type prepared struct {
	in, out []*tensor.Tensor
	// bufs are the buffers to compare after the op: outputs and updated inputs;
	// fixed are the untouched inputs with their initial contents.
	inBufs  []tensor.Buffer
	inLen   []int
	initial [][]float32
}

func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Inputs generates the case's input values (nil for Nil inputs), deterministically from
// the case name.
func (c Case) Inputs() [][]float32 {
	g := tensor.NewRNG(seedOf(c.Name))
	vals := make([][]float32, len(c.In))
	for i, in := range c.In {
		if in.Nil {
			continue
		}
		n := tensor.Shape(in.Shape).Numel()
		if in.Gen != nil {
			vals[i] = in.Gen(g, vals[:i])
		} else {
			vals[i] = g.UniformSlice(n, -1, 1)
		}
		if len(vals[i]) != n {
			panic(fmt.Sprintf("backendtest %s: input %d generated %d values for shape %v", c.Name, i, len(vals[i]), in.Shape))
		}
	}
	return vals
}

func nanSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

// guarded allocates a tensor of shape at offset guardBefore in a NaN-filled buffer and
// uploads vals (or leaves NaN when vals is nil).
func guarded(dev tensor.Backend, shape []int, vals []float32) *tensor.Tensor {
	s := tensor.Shape(shape).Clone()
	n := s.Numel()
	buf := dev.Alloc(guardBefore + n + guardAfter)
	dev.Upload(buf, 0, nanSlice(guardBefore+n+guardAfter))
	if vals != nil {
		dev.Upload(buf, guardBefore, vals)
	}
	return &tensor.Tensor{Dev: dev, Buf: buf, Off: guardBefore, Shape: s, Strides: s.ContiguousStrides()}
}

func prepare(dev tensor.Backend, c Case, vals [][]float32) *prepared {
	p := &prepared{}
	for i, in := range c.In {
		if in.Nil {
			p.in = append(p.in, nil)
			p.inBufs = append(p.inBufs, nil)
			p.inLen = append(p.inLen, 0)
			continue
		}
		t := guarded(dev, in.Shape, vals[i])
		p.inBufs = append(p.inBufs, t.Buf)
		p.inLen = append(p.inLen, t.Buf.Len())
		if in.View != nil {
			t = in.View(t)
		}
		p.in = append(p.in, t)
	}
	for _, o := range c.Out {
		switch {
		case o.Nil:
			p.out = append(p.out, nil)
		case o.Alias > 0:
			p.out = append(p.out, p.in[o.Alias-1])
		default:
			t := guarded(dev, o.Shape, o.Init)
			if o.View != nil {
				t = o.View(t)
			}
			p.out = append(p.out, t)
		}
	}
	return p
}

func download(dev tensor.Backend, b tensor.Buffer) []float32 {
	d := make([]float32, b.Len())
	dev.Download(d, b, 0)
	return d
}

// Check runs c on dev and on the reference backend and returns an error describing the
// first mismatches, modified guards or modified inputs, or nil.
func Check(dev tensor.Backend, c Case) error {
	vals := c.Inputs()
	want := prepare(ref.New(), c, vals)
	ref.New().Run(c.Op, want.out, want.in)
	got := prepare(dev, c, vals)
	dev.Run(c.Op, got.out, got.in)
	dev.Sync()

	var msgs []string
	compared := map[int]bool{}
	compare := func(what string, g []float32, w []float64, n int) {
		maxAbs := 1.0
		for _, v := range w {
			if !math.IsNaN(v) {
				maxAbs = math.Max(maxAbs, math.Abs(v))
			}
		}
		bad := 0
		for i := range w {
			gv, wv := float64(g[i]), w[i]
			var ok bool
			if math.IsNaN(wv) {
				ok = math.IsNaN(gv)
			} else {
				ok = math.Abs(gv-wv) <= c.Tol.ATol*maxAbs+c.Tol.RTol*math.Abs(wv)
			}
			if !ok {
				if bad < 5 {
					where := fmt.Sprintf("element %d", i-guardBefore)
					if i < guardBefore || i >= guardBefore+n {
						where = fmt.Sprintf("guard at buffer index %d", i)
					}
					msgs = append(msgs, fmt.Sprintf("%s %s: got %g, want %g", what, where, gv, wv))
				}
				bad++
			}
		}
		if bad > 5 {
			msgs = append(msgs, fmt.Sprintf("%s: %d mismatches in all", what, bad))
		}
	}
	for i, o := range c.Out {
		if o.Nil {
			continue
		}
		if o.Alias > 0 {
			compared[o.Alias-1] = true
		}
		wb := want.out[i].Buf.(*ref.Buffer).Data
		compare(fmt.Sprintf("out[%d]", i), download(dev, got.out[i].Buf), wb, tensor.Shape(o.Shape).Numel())
	}
	for _, k := range c.Updated {
		compared[k] = true
		wb := want.in[k].Buf.(*ref.Buffer).Data
		compare(fmt.Sprintf("updated in[%d]", k), download(dev, got.inBufs[k]), wb, tensor.Shape(c.In[k].Shape).Numel())
	}
	for k, in := range c.In {
		if in.Nil || compared[k] {
			continue
		}
		after := download(dev, got.inBufs[k])
		n := tensor.Shape(in.Shape).Numel()
		for i, v := range after {
			var before float32 = float32(math.NaN())
			if i >= guardBefore && i < guardBefore+n {
				before = vals[k][i-guardBefore]
			}
			same := v == before || (math.IsNaN(float64(v)) && math.IsNaN(float64(before)))
			if !same {
				msgs = append(msgs, fmt.Sprintf("input in[%d] changed at buffer index %d: %g, was %g", k, i, v, before))
				break
			}
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s (%s): %s", c.Name, c.Op.OpName(), strings.Join(msgs, "; "))
	}
	return nil
}

// Run runs every case of Cases on a fresh backend from newBackend, each as a subtest named
// by the case.
func Run(t *testing.T, newBackend func() tensor.Backend) {
	RunCases(t, newBackend, Cases())
}

// RunCases runs the given cases, each as a subtest named by the case.
func RunCases(t *testing.T, newBackend func() tensor.Backend, cases []Case) {
	t.Helper()
	dev := newBackend()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if err := Check(dev, c); err != nil {
				t.Error(err)
			}
		})
	}
}

// Filter returns the cases whose name contains any of the given substrings.
func Filter(cases []Case, substrings ...string) []Case {
	var out []Case
	for _, c := range cases {
		for _, s := range substrings {
			if strings.Contains(c.Name, s) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
