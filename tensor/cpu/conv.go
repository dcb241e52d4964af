package cpu

import (
	"godarts/tensor"
)

// convGeom is a convolution's sizes, derived from x, w and y shapes.
type convGeom struct {
	n, cin, h, w     int // input
	cout, oh, ow     int // output
	kh, kw           int // kernel
	groups, cg, cog  int // groups, input and output channels per group
	stride, pad, dil int
}

func newConvGeom(x, w, y tensor.Shape, p tensor.Conv2DParams) convGeom {
	return convGeom{
		n: x[0], cin: x[1], h: x[2], w: x[3],
		cout: y[1], oh: y[2], ow: y[3],
		kh: w[2], kw: w[3],
		groups: p.Groups, cg: x[1] / p.Groups, cog: y[1] / p.Groups,
		stride: p.Stride, pad: p.Pad, dil: p.Dilation,
	}
}

// depthwise reports whether every channel is convolved on its own.
func (g convGeom) depthwise() bool { return g.groups == g.cin && g.groups == g.cout }

// pointwise reports whether the convolution is a plain matrix product per sample: a 1x1
// kernel that neither strides nor pads.
func (g convGeom) pointwise() bool {
	return g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == 0
}

// flops is the multiply-adds of the convolution times two.
func (g convGeom) flops() int { return 2 * g.n * g.cout * g.oh * g.ow * g.cg * g.kh * g.kw }

// colRows and colCols are the im2col matrix's shape for one group of one sample.
func (g convGeom) colRows() int { return g.cg * g.kh * g.kw }
func (g convGeom) colCols() int { return g.oh * g.ow }

// colRange returns the output columns [j0, j1) whose input column j*stride - pad + off
// lies in [0, w).
func colRange(off, stride, w, ow int) (j0, j1 int) {
	// j*stride + off - pad >= 0  =>  j >= ceil((pad-off)/stride), off here includes -pad.
	j0 = 0
	if off < 0 {
		j0 = (-off + stride - 1) / stride
	}
	j1 = ow
	if last := (w - 1 - off); last < 0 {
		j1 = 0
	} else {
		j1 = min(ow, last/stride+1)
	}
	return j0, max(j0, j1)
}

// im2col writes the patches of x (cg channels of one sample, planes h×w) into col
// [cg*kh*kw, oh*ow], zero where a patch reaches into the padding.
func im2col(col, x []float32, g convGeom) {
	ohw := g.oh * g.ow
	for c := range g.cg {
		xp := x[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := range g.kh {
			for kj := range g.kw {
				r := (c*g.kh+ki)*g.kw + kj
				row := col[r*ohw : (r+1)*ohw]
				colOff := kj*g.dil - g.pad
				j0, j1 := colRange(colOff, g.stride, g.w, g.ow)
				for i := range g.oh {
					dst := row[i*g.ow : (i+1)*g.ow]
					ih := i*g.stride - g.pad + ki*g.dil
					if ih < 0 || ih >= g.h || j0 >= j1 {
						clear(dst)
						continue
					}
					clear(dst[:j0])
					clear(dst[j1:])
					src := xp[ih*g.w:]
					if g.stride == 1 {
						copy(dst[j0:j1], src[j0+colOff:j1+colOff])
						continue
					}
					for j := j0; j < j1; j++ {
						dst[j] = src[j*g.stride+colOff]
					}
				}
			}
		}
	}
}

// col2im adds col [cg*kh*kw, oh*ow] back into the planes of dx (which the caller zeroed):
// the adjoint of im2col.
func col2im(dx, col []float32, g convGeom) {
	ohw := g.oh * g.ow
	for c := range g.cg {
		xp := dx[c*g.h*g.w : (c+1)*g.h*g.w]
		for ki := range g.kh {
			for kj := range g.kw {
				r := (c*g.kh+ki)*g.kw + kj
				row := col[r*ohw : (r+1)*ohw]
				colOff := kj*g.dil - g.pad
				j0, j1 := colRange(colOff, g.stride, g.w, g.ow)
				if j0 >= j1 {
					continue
				}
				for i := range g.oh {
					ih := i*g.stride - g.pad + ki*g.dil
					if ih < 0 || ih >= g.h {
						continue
					}
					src := row[i*g.ow : (i+1)*g.ow]
					dst := xp[ih*g.w:]
					if g.stride == 1 {
						// A plain loop: rows are short, a kernel call costs more.
						d := dst[j0+colOff : j1+colOff]
						for j, v := range src[j0:j1] {
							d[j] += v
						}
						continue
					}
					for j := j0; j < j1; j++ {
						dst[j*g.stride+colOff] += src[j]
					}
				}
			}
		}
	}
}

// conv2D: y[n, group] = W_group · im2col(x[n, group]); one (sample, group) per task.
func (b *Backend) conv2D(out, xT, wT *tensor.Tensor, p tensor.Conv2DParams) {
	g := newConvGeom(xT.Shape, wT.Shape, out.Shape, p)
	x, w, y := data(xT), data(wT), data(out)
	if g.depthwise() {
		b.depthwiseForward(y, x, w, g)
		return
	}
	rows, cols := g.colRows(), g.colCols()
	var scratch []float32
	colSize := rows * cols
	if !g.pointwise() {
		scratch = b.scratch.get(b.threads * colSize)
		defer b.scratch.put(scratch)
	}
	b.parallel(g.n*g.groups, g.flops(), func(slot, t int) {
		n, gr := t/g.groups, t%g.groups
		xg := x[(n*g.cin+gr*g.cg)*g.h*g.w : (n*g.cin+(gr+1)*g.cg)*g.h*g.w]
		col := xg
		if !g.pointwise() {
			col = scratch[slot*colSize : (slot+1)*colSize]
			im2col(col, xg, g)
		}
		wg := w[gr*g.cog*rows : (gr+1)*g.cog*rows]
		yg := y[(n*g.cout+gr*g.cog)*cols : (n*g.cout+(gr+1)*g.cog)*cols]
		sgemm(false, false, g.cog, cols, rows, 1, wg, rows, col, cols, 0, yg, cols)
	})
}

// conv2DBackwardData: dx[n, group] = col2im(W_groupᵀ · dy[n, group]); one (sample,
// group) per task.
func (b *Backend) conv2DBackwardData(out, dyT, wT *tensor.Tensor, p tensor.Conv2DParams) {
	g := newConvGeom(out.Shape, wT.Shape, dyT.Shape, p)
	dx, w, dy := data(out), data(wT), data(dyT)
	if g.depthwise() {
		b.depthwiseBackwardData(dx, dy, w, g)
		return
	}
	rows, cols := g.colRows(), g.colCols()
	colSize := rows * cols
	var scratch []float32
	if !g.pointwise() {
		scratch = b.scratch.get(b.threads * colSize)
		defer b.scratch.put(scratch)
	}
	b.parallel(g.n*g.groups, g.flops(), func(slot, t int) {
		n, gr := t/g.groups, t%g.groups
		dxg := dx[(n*g.cin+gr*g.cg)*g.h*g.w : (n*g.cin+(gr+1)*g.cg)*g.h*g.w]
		wg := w[gr*g.cog*rows : (gr+1)*g.cog*rows]
		dyg := dy[(n*g.cout+gr*g.cog)*cols : (n*g.cout+(gr+1)*g.cog)*cols]
		if g.pointwise() {
			sgemm(true, false, rows, cols, g.cog, 1, wg, rows, dyg, cols, 0, dxg, cols)
			return
		}
		col := scratch[slot*colSize : (slot+1)*colSize]
		sgemm(true, false, rows, cols, g.cog, 1, wg, rows, dyg, cols, 0, col, cols)
		clear(dxg)
		col2im(dxg, col, g)
	})
}

// filterChunks is the number of sample groups a filter gradient is split into. Each
// group's partial gradient is computed by one task and the partials are added in group
// order, so the split depends on the batch size only, never on the thread count.
const filterChunks = 8

// conv2DBackwardFilter: dW_group = Σ_n dy[n, group] · im2col(x[n, group])ᵀ.
func (b *Backend) conv2DBackwardFilter(out, xT, dyT *tensor.Tensor, p tensor.Conv2DParams) {
	g := newConvGeom(xT.Shape, out.Shape, dyT.Shape, p)
	dw, x, dy := data(out), data(xT), data(dyT)
	if g.depthwise() {
		b.depthwiseBackwardFilter(dw, x, dy, g)
		return
	}
	if g.pointwise() && g.groups == 1 && g.cin <= pointwiseDotsMaxCin {
		b.pointwiseBackwardFilter(dw, x, dy, g)
		return
	}
	rows, cols := g.colRows(), g.colCols()
	colSize := rows * cols
	chunks := min(g.n, filterChunks)
	wSize := len(dw)
	partial := b.scratch.get(chunks * wSize)
	defer b.scratch.put(partial)
	var scratch []float32
	if !g.pointwise() {
		scratch = b.scratch.get(b.threads * colSize)
		defer b.scratch.put(scratch)
	}
	tasks := chunks * g.groups
	b.parallel(tasks, g.flops(), func(slot, t int) {
		ch, gr := t/g.groups, t%g.groups
		n0, n1 := ch*g.n/chunks, (ch+1)*g.n/chunks
		pw := partial[ch*wSize+gr*g.cog*rows : ch*wSize+(gr+1)*g.cog*rows]
		for n := n0; n < n1; n++ {
			xg := x[(n*g.cin+gr*g.cg)*g.h*g.w : (n*g.cin+(gr+1)*g.cg)*g.h*g.w]
			col := xg
			if !g.pointwise() {
				col = scratch[slot*colSize : (slot+1)*colSize]
				im2col(col, xg, g)
			}
			dyg := dy[(n*g.cout+gr*g.cog)*cols : (n*g.cout+(gr+1)*g.cog)*cols]
			beta := float32(1)
			if n == n0 {
				beta = 0
			}
			// The partial is kept transposed, [rows, cog]: col·dyᵀ packs the long
			// im2col matrix as A, read row by row, instead of transposing it.
			sgemm(false, true, rows, g.cog, cols, 1, col, cols, dyg, cols, beta, pw, g.cog)
		}
	})
	// Add the partials in chunk order and transpose [group][rows][cog] to
	// [group][cog][rows].
	acc := partial[:wSize]
	for ch := 1; ch < chunks; ch++ {
		vecAdd(acc, acc, partial[ch*wSize:(ch+1)*wSize])
	}
	for gr := range g.groups {
		src := acc[gr*g.cog*rows : (gr+1)*g.cog*rows]
		dst := dw[gr*g.cog*rows : (gr+1)*g.cog*rows]
		for r := range rows {
			for co := range g.cog {
				dst[co*rows+r] = src[r*g.cog+co]
			}
		}
	}
}

// pointwiseDotsMaxCin is the largest input channel count for which a 1x1 filter
// gradient runs as dot products: with more channels the per-sample GEMM has enough rows
// to pay for its packing (measured: 16 channels on 32x32 maps, dots 1.7x faster; 64 on
// 8x8, GEMM faster).
const pointwiseDotsMaxCin = 32

// pointwiseBackwardFilter is the filter gradient of a 1x1 convolution, dW[co,ci] =
// Σ_n dot(dy[n,co,:], x[n,ci,:]): a product with a long inner dimension (H·W per sample)
// and a small output, where a packed GEMM spends most of its time packing. Each task
// owns a block of output rows and, per sample, walks the input channels four at a time
// (one taps.ShiftedDots group) over its rows, so that the four input rows stay in L1
// while every dy row of the block meets them. Samples are added in order in float64.
func (b *Backend) pointwiseBackwardFilter(dw, x, dy []float32, g convGeom) {
	hw := g.h * g.w
	offs := make([]int, g.cin) // channel ci of a sample starts at ci*hw
	for ci := range offs {
		offs[ci] = ci * hw
	}
	// Blocks of up to pwCoBlock rows, at least two tasks per thread. Every dW element
	// is computed alike in any block, so the split does not change the result.
	block := min(pwCoBlock, max(1, g.cout/(2*b.threads)))
	blocks := (g.cout + block - 1) / block
	b.parallel(blocks, g.flops(), func(_, blk int) {
		co0, co1 := blk*block, min((blk+1)*block, g.cout)
		var acc [pwCoBlock * 64]float64
		sums := acc[:]
		if g.cin > 64 {
			sums = make([]float64, pwCoBlock*g.cin)
		}
		clear(sums)
		var dots [4]float32
		for n := range g.n {
			xn := x[n*g.cin*hw : (n+1)*g.cin*hw]
			for c0 := 0; c0 < g.cin; c0 += 4 {
				c1 := min(c0+4, g.cin)
				for co := co0; co < co1; co++ {
					dyr := dy[(n*g.cout+co)*hw : (n*g.cout+co+1)*hw]
					tapsShiftedDots(dots[:c1-c0], dyr, xn, offs[c0:c1])
					row := sums[(co-co0)*g.cin:]
					for k, d := range dots[:c1-c0] {
						row[c0+k] += float64(d)
					}
				}
			}
		}
		for co := co0; co < co1; co++ {
			for ci := range g.cin {
				dw[co*g.cin+ci] = float32(sums[(co-co0)*g.cin+ci])
			}
		}
	})
}

// pwCoBlock is the most output channels one pointwise filter-gradient task owns
// (measured on 16 and 32 channels: 8 rows 1.13x and 1.39x faster than 4 on one thread).
const pwCoBlock = 8

// matMul: c = op(a)·op(b), split over blocks of rows of c.
func (b *Backend) matMul(out, aT, bT *tensor.Tensor, transA, transB bool) {
	m, n := out.Shape[0], out.Shape[1]
	k := aT.Shape[1]
	if transA {
		k = aT.Shape[0]
	}
	lda, ldb := aT.Shape[1], bT.Shape[1]
	a, bb, c := data(aT), data(bT), data(out)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	b.parallelRange(m, 16, 2*n*k, func(lo, hi int) {
		var as []float32
		if transA {
			as = a[lo:] // columns lo.. of the stored k×m matrix
		} else {
			as = a[lo*lda:]
		}
		sgemm(transA, transB, hi-lo, n, k, 1, as, lda, bb, ldb, 0, c[lo*n:hi*n], n)
	})
}
