package cpu

import (
	"math"

	"godarts/tensor"
)

// Naive float64 loops, straight from the definitions, that the kernels are compared with
// until the shared conformance suite (internal/backendtest) runs against this backend.

type convShapes struct {
	n, cin, h, w, cout, k int
	p                     tensor.Conv2DParams
}

func (s convShapes) out() (oh, ow int) {
	return tensor.ConvOutSize(s.h, s.k, s.p.Stride, s.p.Pad, s.p.Dilation),
		tensor.ConvOutSize(s.w, s.k, s.p.Stride, s.p.Pad, s.p.Dilation)
}

// naiveConv visits every (output, tap) pair with in-range input and calls f with the
// flat indices of y, x and w.
func naiveConv(s convShapes, f func(yi, xi, wi int)) {
	oh, ow := s.out()
	cg, cog := s.cin/s.p.Groups, s.cout/s.p.Groups
	for n := range s.n {
		for co := range s.cout {
			gr := co / cog
			for i := range oh {
				for j := range ow {
					yi := ((n*s.cout+co)*oh+i)*ow + j
					for c := range cg {
						ci := gr*cg + c
						for ki := range s.k {
							for kj := range s.k {
								ih := i*s.p.Stride - s.p.Pad + ki*s.p.Dilation
								iw := j*s.p.Stride - s.p.Pad + kj*s.p.Dilation
								if ih < 0 || ih >= s.h || iw < 0 || iw >= s.w {
									continue
								}
								f(yi, ((n*s.cin+ci)*s.h+ih)*s.w+iw, ((co*cg+c)*s.k+ki)*s.k+kj)
							}
						}
					}
				}
			}
		}
	}
}

func naivePool(x []float64, n, c, h, w int, p tensor.Pool2DParams) (y []float64, arg []int) {
	oh := tensor.ConvOutSize(h, p.K, p.Stride, p.Pad, 1)
	ow := tensor.ConvOutSize(w, p.K, p.Stride, p.Pad, 1)
	y = make([]float64, n*c*oh*ow)
	arg = make([]int, len(y))
	for pl := range n * c {
		for i := range oh {
			for j := range ow {
				best, bi, sum, cnt := math.Inf(-1), -1, 0.0, 0
				for ki := range p.K {
					for kj := range p.K {
						ih, iw := i*p.Stride-p.Pad+ki, j*p.Stride-p.Pad+kj
						if ih < 0 || ih >= h || iw < 0 || iw >= w {
							continue
						}
						xi := (pl*h+ih)*w + iw
						if x[xi] > best {
							best, bi = x[xi], xi
						}
						sum += x[xi]
						cnt++
					}
				}
				o := (pl*oh+i)*ow + j
				arg[o] = bi
				if p.Kind == tensor.MaxPool {
					y[o] = best
				} else {
					y[o] = sum / float64(cnt)
				}
			}
		}
	}
	return y, arg
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
