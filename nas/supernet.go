package nas

import (
	"godarts/autograd"
	"godarts/layers"
	"godarts/tensor"
)

// Supernet is what the search driver and the architecture optimisers need of a search
// network: the DARTS cell network (SearchNetwork) and the NAS-Bench-201 stage network
// (NB201Network) implement it.
type Supernet interface {
	// Logits runs the network on x and returns the logits and the relaxed weights of
	// every α group, in Alphas order (objective terms such as FairDARTS's zero-one loss
	// and ZO-DARTS++'s penalty read them).
	Logits(tp *autograd.Tape, x *autograd.Var) (*autograd.Var, []*autograd.Var)
	Weights() []layers.Named
	Buffers() []layers.NamedTensor
	// Alphas lists the architecture parameters currently searched, with checkpoint names.
	Alphas() []layers.Named
	SetTraining(on bool)
	ParamCount() int

	relaxation() Relaxation
	setRelaxation(r Relaxation)
	// twin builds a network of the same structure and phase; copyState fills it.
	twin() Supernet
}

// Logits is Forward with the relaxed weights as a list (normal, reduce).
func (n *SearchNetwork) Logits(tp *autograd.Tape, x *autograd.Var) (*autograd.Var, []*autograd.Var) {
	logits, wn, wr := n.Forward(tp, x)
	return logits, []*autograd.Var{wn, wr}
}

func (n *SearchNetwork) relaxation() Relaxation     { return n.Relax }
func (n *SearchNetwork) setRelaxation(r Relaxation) { n.Relax = r }

// twin builds a network of the same structure (its weights are overwritten by copyState).
func (n *SearchNetwork) twin() Supernet {
	t, err := NewSearchNetwork(n.AlphaNormal.Value.Dev, tensor.NewRNG(0), n.Space, n.Config, n.Relax, 0)
	if err != nil {
		panic(err) // the same settings built n
	}
	return t
}

func (n *NB201Network) relaxation() Relaxation     { return n.Relax }
func (n *NB201Network) setRelaxation(r Relaxation) { n.Relax = r }

func (n *NB201Network) twin() Supernet {
	t, err := NewNB201Network(n.Alpha[0].Value.Dev, tensor.NewRNG(0), n.Space, n.Config, n.Relax, 0)
	if err != nil {
		panic(err) // the same settings built n
	}
	t.SetSized(n.sized, false)
	return t
}

// netDevice is the device the network lives on.
func netDevice(n Supernet) tensor.Backend { return n.Alphas()[0].V.Value.Dev }

// copyState copies weights, BN buffers and α of src into dst (a twin of src).
func copyState(dst, src Supernet) {
	dw, sw := dst.Weights(), src.Weights()
	for i := range dw {
		tensor.CopyInto(dw[i].V.Value, sw[i].V.Value)
	}
	db, sb := dst.Buffers(), src.Buffers()
	for i := range db {
		tensor.CopyInto(db[i].T, sb[i].T)
	}
	da, sa := dst.Alphas(), src.Alphas()
	for i := range da {
		tensor.CopyInto(da[i].V.Value, sa[i].V.Value)
	}
}

// alphaVector reads every active α group into one host vector, in Alphas order (normal
// rows then reduce rows for DARTS).
func alphaVector(n Supernet) []float64 {
	var v []float64
	for _, a := range n.Alphas() {
		for _, x := range a.V.Value.Read() {
			v = append(v, float64(x))
		}
	}
	return v
}

// setAlphaVector writes a vector of alphaVector's layout back into α.
func setAlphaVector(n Supernet, v []float64) {
	for _, a := range n.Alphas() {
		k := a.V.Value.Numel()
		f := make([]float32, k)
		for i := range f {
			f[i] = float32(v[i])
		}
		a.V.Value.Write(f)
		v = v[k:]
	}
}

// alphaGradHost reads ∇α of every active group (zeros where a group has none).
func alphaGradHost(n Supernet) []float64 {
	var g []float64
	for _, a := range alphaVars(n) {
		if a.Grad == nil {
			g = append(g, make([]float64, a.Value.Numel())...)
			continue
		}
		for _, v := range a.Grad.Read() {
			g = append(g, float64(v))
		}
	}
	return g
}

// setAlphaGrad writes a host gradient of alphaVector's layout into α.Grad.
func setAlphaGrad(n Supernet, g []float64) {
	for _, a := range alphaVars(n) {
		k := a.Value.Numel()
		f := make([]float32, k)
		for i := range f {
			f[i] = float32(g[i])
		}
		if a.Grad == nil {
			a.Grad = tensor.NewLike(a.Value)
		}
		a.Grad.Write(f)
		g = g[k:]
	}
}

// hostRows downloads a 2-d α tensor as rows.
func hostRows(v *autograd.Var) [][]float64 { return toRows(v.Value) }
