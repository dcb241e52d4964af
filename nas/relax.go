package nas

import (
	"fmt"
	"math"
	"sort"

	"godarts/autograd"
)

// Relaxation maps architecture logits α (one row per edge, one column per op) to the
// weights of the mixed ops, on the device with its gradient, and on the host for
// discretisation and logging.
type Relaxation interface {
	Name() string
	Apply(tp *autograd.Tape, alpha *autograd.Var) *autograd.Var
	Host(alpha [][]float64) [][]float64
}

// RelaxationByName returns softmax (DARTS), sigmoid (FairDARTS) or sparsemax (ZO-DARTS+,
// with temperature T).
func RelaxationByName(name string, temperature float64) (Relaxation, error) {
	switch name {
	case "softmax":
		return Softmax{}, nil
	case "sigmoid":
		return Sigmoid{}, nil
	case "sparsemax":
		if !(temperature > 0) {
			return nil, fmt.Errorf("sparsemax temperature %v, want > 0", temperature)
		}
		return &Sparsemax{T: temperature}, nil
	}
	return nil, fmt.Errorf("relaxation %q, want softmax, sigmoid or sparsemax", name)
}

// Softmax normalises each edge's row: the ops of an edge compete (DARTS).
type Softmax struct{}

func (Softmax) Name() string { return "softmax" }
func (Softmax) Apply(tp *autograd.Tape, a *autograd.Var) *autograd.Var {
	return tp.Softmax(a)
}
func (Softmax) Host(alpha [][]float64) [][]float64 {
	out := make([][]float64, len(alpha))
	for i, row := range alpha {
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		s := 0.0
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = math.Exp(v - m)
			s += out[i][j]
		}
		for j := range row {
			out[i][j] /= s
		}
	}
	return out
}

// Sigmoid weighs every op independently by σ(α) (FairDARTS).
type Sigmoid struct{}

func (Sigmoid) Name() string { return "sigmoid" }
func (Sigmoid) Apply(tp *autograd.Tape, a *autograd.Var) *autograd.Var {
	return tp.Sigmoid(a)
}
func (Sigmoid) Host(alpha [][]float64) [][]float64 {
	out := make([][]float64, len(alpha))
	for i, row := range alpha {
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = 1 / (1 + math.Exp(-v))
		}
	}
	return out
}

// Sparsemax projects α/T onto the simplex (ZO-DARTS+): lower T gives more exact zeros.
type Sparsemax struct{ T float64 }

func (s *Sparsemax) Name() string { return "sparsemax" }
func (s *Sparsemax) Apply(tp *autograd.Tape, a *autograd.Var) *autograd.Var {
	return tp.Sparsemax(tp.Scale(a, float32(1/s.T)))
}
func (s *Sparsemax) Host(alpha [][]float64) [][]float64 {
	out := make([][]float64, len(alpha))
	for i, row := range alpha {
		out[i] = SparsemaxRow(row, s.T)
	}
	return out
}

// SparsemaxRow is the closed form of Martins & Astudillo (2016) on z/T: sort descending,
// k* = max{k : 1 + k z_(k) > Σ_{j≤k} z_(j)}, τ = (Σ_{j≤k*} z_(j) − 1)/k*, p = max(z − τ, 0).
func SparsemaxRow(row []float64, T float64) []float64 {
	z := make([]float64, len(row))
	for i, v := range row {
		z[i] = v / T
	}
	s := append([]float64(nil), z...)
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	cum, k, kcum := 0.0, 0, 0.0
	for i, v := range s {
		cum += v
		if 1+float64(i+1)*v > cum {
			k, kcum = i+1, cum
		}
	}
	tau := (kcum - 1) / float64(k)
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = math.Max(v-tau, 0)
	}
	return out
}
