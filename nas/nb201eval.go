package nas

import (
	"fmt"

	"godarts/autograd"
	"godarts/layers"
	"godarts/nas/genotype"
	"godarts/tensor"
	"godarts/tensor/count"
)

// NB201EvalNetwork is the network of a searched NB201 stage genotype, as
// ZO-DARTS_PP retrain_model_cellN.py / xautodl's InferCell build it: stem conv 3×3 + BN,
// per stage its cell repeated Cells times (ops with affine BNs and bias-free convs; none
// edges left out), ResNet basic blocks between the stages, BN-ReLU, global pooling and a
// linear classifier.
type NB201EvalNetwork struct {
	Genotype *genotype.NB201Net

	stem       *layers.Sequential
	stages     [3][]*nb201EvalCell
	reductions [2]*resBlock
	lastBN     *layers.BatchNorm2d
	classifier *layers.Linear
	modules    layers.Modules
}

type nb201EvalCell struct {
	// nodes[i] lists the ops into node i+1 and where they come from.
	nodes [][]nb201EvalEdge
}

type nb201EvalEdge struct {
	from int
	op   layers.Module // nil for none
}

// NewNB201EvalNetwork builds g's network with C channels in the first stage.
func NewNB201EvalNetwork(dev tensor.Backend, rng *tensor.RNG, g *genotype.NB201Net, C, inChannels, classes int) (*NB201EvalNetwork, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if C < 1 {
		return nil, fmt.Errorf("--channels %d: want ≥ 1", C)
	}
	n := &NB201EvalNetwork{Genotype: g}
	n.stem = layers.NewSequential(layers.NewConv2d(dev, rng, inChannels, C, 3, 1, 1, 1, 1, false), layers.NewBatchNorm2d(dev, C, true))
	n.modules = append(n.modules, layers.NamedModule{Name: "stem", M: n.stem})
	idx := 0
	for s, st := range g.Stages {
		Cs := C << s
		if s > 0 {
			n.reductions[s-1] = newResBlock(dev, rng, Cs/2, Cs)
			n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("cells.%d", idx), M: n.reductions[s-1]})
			idx++
		}
		for c := 0; c < st.Cells; c++ {
			cell := &nb201EvalCell{}
			for i, node := range st.Cell.Nodes {
				var edges []nb201EvalEdge
				for _, in := range node {
					var op layers.Module
					switch in.Op {
					case genotype.None:
						// left out of the sum
					case genotype.SkipConnect:
						op = layers.Identity{}
					case genotype.AvgPool3x3:
						op = layers.NewAvgPool2d(3, 1, 1)
					default:
						k := convKernel(in.Op)
						if k == 0 {
							return nil, fmt.Errorf("nb201 network stage %d: op %q has no evaluation layer", s+1, in.Op)
						}
						op = newNB201ReLUConvBN(dev, rng, Cs, k, true)
						n.modules = append(n.modules, layers.NamedModule{Name: fmt.Sprintf("cells.%d.layers.%d<-%d", idx, i+1, in.From), M: op})
					}
					edges = append(edges, nb201EvalEdge{from: in.From, op: op})
				}
				cell.nodes = append(cell.nodes, edges)
			}
			n.stages[s] = append(n.stages[s], cell)
			idx++
		}
	}
	n.lastBN = layers.NewBatchNorm2d(dev, C<<2, true)
	n.classifier = layers.NewLinear(dev, rng, C<<2, classes)
	n.modules = append(n.modules, layers.NamedModule{Name: "lastact.0", M: n.lastBN}, layers.NamedModule{Name: "classifier", M: n.classifier})
	return n, nil
}

// forward returns the cell's last node. Without a recording tape it frees every other
// activation it made as soon as it is dead (skip connections and sums may share a
// buffer with a node: those stay); x is the caller's.
func (c *nb201EvalCell) forward(tp *autograd.Tape, x *autograd.Var) *autograd.Var {
	nodes := []*autograd.Var{x}
	for _, edges := range c.nodes {
		var node *autograd.Var
		for _, e := range edges {
			if e.op == nil {
				continue
			}
			y := e.op.Forward(tp, nodes[e.from])
			if node == nil {
				node = y
			} else {
				sum := tp.Add(node, y)
				tp.Drop([]*autograd.Var{node, y}, append(nodes, sum)...)
				node = sum
			}
		}
		if node == nil { // every input is none: the node is zero
			node = tp.Zero(x, 1)
		}
		nodes = append(nodes, node)
	}
	out := nodes[len(nodes)-1]
	tp.Drop(nodes[1:len(nodes)-1], x, out)
	return out
}

// Forward returns the logits (no auxiliary head). Without a recording tape each
// activation is freed once no later op reads it.
func (n *NB201EvalNetwork) Forward(tp *autograd.Tape, x *autograd.Var) (logits, aux *autograd.Var) {
	h := n.stem.Forward(tp, x)
	for s, cells := range n.stages {
		if s > 0 {
			h = dropAfter(tp, h, n.reductions[s-1].Forward(tp, h))
		}
		for _, c := range cells {
			h = dropAfter(tp, h, c.forward(tp, h))
		}
	}
	h = dropAfter(tp, h, n.lastBN.Forward(tp, h))
	h = dropAfter(tp, h, tp.ReLU(h))
	h = dropAfter(tp, h, tp.GlobalAvgPool(h))
	return dropAfter(tp, h, n.classifier.Forward(tp, h)), nil
}

func (n *NB201EvalNetwork) Params() []layers.Named { return n.modules.Params() }

func (n *NB201EvalNetwork) Buffers() []layers.NamedTensor { return n.modules.Buffers() }

func (n *NB201EvalNetwork) SetTraining(on bool) { n.modules.SetTraining(on) }

// ParamCount is the number of weights.
func (n *NB201EvalNetwork) ParamCount() int { return numel(n.Params()) }

// InspectNB201 builds g's evaluation network with C channels in the first stage on a
// counting backend and returns its weight count and the multiply-adds of a forward pass
// of one spatial×spatial image (what Inspect is for DARTS genotypes).
func InspectNB201(g *genotype.NB201Net, C, inChannels, classes, spatial int) (params int, multAdds int64, err error) {
	if spatial < 4 {
		return 0, 0, fmt.Errorf("input size %d: the two reductions need at least 4", spatial)
	}
	b := count.New()
	n, err := NewNB201EvalNetwork(b, tensor.NewRNG(0), g, C, inChannels, classes)
	if err != nil {
		return 0, 0, err
	}
	n.SetTraining(false)
	n.Forward(nil, autograd.Const(tensor.New(b, 1, inChannels, spatial, spatial)))
	return n.ParamCount(), b.MultAdds, nil
}
