package cpu

// Depthwise convolutions (groups == Cin == Cout: the SepConv and DilConv of DARTS) run as
// a few long vector operations per (sample, channel) plane instead of one short loop per
// output row and tap.
//
// The input plane, zero-padded, is split into stride² phase planes (rows and columns
// taken every stride-th, from each starting offset; for stride 1 the one phase is the
// padded plane). In phase coordinates every kernel tap reads a phase plane at a constant
// offset, so with the output laid out at the phase planes' row stride ws, a tap is one
// axpy over the whole plane:
//
//	yb[i*ws+j] += w[tap] * phase[tap][(i+qi)*ws + j+qj]
//
// The columns j >= OW of yb hold garbage and are dropped when the rows are copied out. The
// sum over taps is one fused pass (taps.Shifted: each output is written once, its
// partial sum kept in a register). The data gradient is the adjoint: each phase plane of
// dx gathers, from dy laid out at row stride ws with zeroed gap columns, the taps that
// read that phase; the filter gradient is one dot product per tap.
//
// The data gradient computes every element of the padded phase planes anyway, so on
// small maps, where one call per plane would be mostly call overhead, it stacks the
// planes of k samples of one channel (same weights): each phase region holds the k
// planes' phase planes one below the other, and one tap sum per phase runs over the
// whole stack. dy is laid out with zero rows between the planes' outputs (hs - oh >=
// the largest row tap offset, and likewise for columns), so a plane gathers only its
// own dy. k depends on the shapes only, so results do not depend on the thread count.
// The forward and the filter gradient keep one plane per call: stacked, they would also
// sum over each plane's hs - oh padding rows, which on padded small maps (5x5 dilated
// on 8x8: phase planes of 16x16 for 8x8 outputs) costs more than the calls save
// (measured 0.45x to 1.4x).

// dwSlack is the scratch kept after the phase planes, an output plane and dy's layout
// for gather, so that the fused-tap kernels run on lengths rounded up to their vector
// block (8 outputs for taps.Shifted, 16 for taps.ShiftedDots) instead of finishing the
// last few elements in Go. The extra outputs are dropped; the extra dot-product terms
// are zeros of dy (times zeroed slack or in-plane values, as the gap columns already
// are).
const dwSlack = 16

// dwStackElems is the stacked length aimed at: about 2048 phase-plane elements per
// tap-sum call.
const dwStackElems = 2048

// dwStack returns how many planes the depthwise data gradient stacks per call.
func dwStack(g convGeom) int {
	hp, wp := g.h+2*g.pad, g.w+2*g.pad
	phase := ((hp + g.stride - 1) / g.stride) * ((wp + g.stride - 1) / g.stride)
	return max(1, min(g.n, dwStackElems/max(1, phase)))
}

// dwPlan is one depthwise convolution's plane geometry, for stacks of k planes.
type dwPlan struct {
	g          convGeom
	k          int   // planes per stack
	hs, ws     int   // phase plane size
	phaseSize  int   // hs*ws
	region     int   // k*phaseSize: one phase of the whole stack
	planesSize int   // stride² phase regions
	planesLen  int   // planesSize + dwSlack: the scratch the kernels may read
	l          int   // flat length of an output plane at row stride ws: (oh-1)*ws + ow
	lv, ld     int   // a full stack's length rounded up to 8 (taps.Shifted) and 16 (taps.ShiftedDots)
	outLen     int   // k*phaseSize + dwSlack: the scratch a stack's outputs or dy take
	tapOff     []int // per tap: phase region start + qi*ws + qj
	colIdx     []int // stride > 1: per input column, its phase region start + phase column

	// The data gradient's gather: for each phase, the taps that read it and their
	// offsets into dy laid out at row stride ws behind front zeros.
	front      int     // zeros before dy: the largest in-phase tap offset
	phaseTaps  [][]int // per phase: tap indices
	phaseShift [][]int // per phase: front - in-phase offset of each of its taps
}

func newDWPlan(g convGeom, k int) *dwPlan {
	s := g.stride
	hp, wp := g.h+2*g.pad, g.w+2*g.pad
	p := &dwPlan{g: g, k: k, hs: (hp + s - 1) / s, ws: (wp + s - 1) / s}
	p.phaseSize = p.hs * p.ws
	p.region = k * p.phaseSize
	p.planesSize = s * s * p.region
	p.planesLen = p.planesSize + dwSlack
	p.l = (g.oh-1)*p.ws + g.ow
	p.lv, p.ld = p.stackLen(k, 8), p.stackLen(k, 16)
	p.outLen = k*p.phaseSize + dwSlack
	p.tapOff = make([]int, g.kh*g.kw)
	for ki := range g.kh {
		for kj := range g.kw {
			ri, ci := ki*g.dil, kj*g.dil
			phase := (ri%s)*s + ci%s
			p.tapOff[ki*g.kw+kj] = phase*p.region + (ri/s)*p.ws + ci/s
		}
	}
	if s > 1 {
		p.colIdx = make([]int, g.w)
		for iw := range p.colIdx {
			pc := iw + g.pad
			p.colIdx[iw] = (pc%s)*p.region + pc/s
		}
	}
	p.phaseTaps = make([][]int, s*s)
	p.phaseShift = make([][]int, s*s)
	for t, off := range p.tapOff {
		p.front = max(p.front, off%p.region)
		p.phaseTaps[off/p.region] = append(p.phaseTaps[off/p.region], t)
	}
	for ph, ts := range p.phaseTaps {
		for _, t := range ts {
			p.phaseShift[ph] = append(p.phaseShift[ph], p.front-p.tapOff[t]%p.region)
		}
	}
	return p
}

// stackLen is the flat output length of a stack of kk planes, (kk-1)*phaseSize + l,
// rounded up to a multiple of r, a power of two.
func (p *dwPlan) stackLen(kk, r int) int {
	return ((kk-1)*p.phaseSize + p.l + r - 1) &^ (r - 1)
}

// split writes the zero-padded plane x (h×w) into plane j of the stack.
func (p *dwPlan) split(planes, x []float32, j int) { p.splitFill(planes, x, j, 0) }

// splitFill is split with the padding set to v (-inf for max pooling).
func (p *dwPlan) splitFill(planes, x []float32, j int, v float32) {
	g, s := p.g, p.g.stride
	planes = planes[j*p.phaseSize:]
	if s == 1 {
		padPlane(planes, x, g.h, g.w, p.hs, p.ws, g.pad, g.pad, v)
		return
	}
	// Fill the plane's phases (all of them at once when they are adjacent), then
	// scatter each input row into its phase row.
	if p.k == 1 {
		fill(planes[:p.planesSize], v)
	} else {
		for ph := range s * s {
			fill(planes[ph*p.region:ph*p.region+p.phaseSize], v)
		}
	}
	if s == 2 {
		// Input rows alternate between the two row phases: one call per row phase.
		for ih0 := range min(2, g.h) {
			e, o := p.rowPhases2(ih0)
			tapsDeinterleaveRows(planes[e:], planes[o:], x[ih0*g.w:], g.w, (g.h-ih0+1)/2, 2*g.w, p.ws)
		}
		return
	}
	for ih := range g.h {
		pr := ih + g.pad
		base := (pr%s)*s*p.region + (pr/s)*p.ws
		dst := planes[base:]
		for iw, xv := range x[ih*g.w : (ih+1)*g.w] {
			dst[p.colIdx[iw]] = xv
		}
	}
}

// fill sets every element of d to v.
func fill(d []float32, v float32) {
	if v == 0 {
		clear(d)
		return
	}
	for i := range d {
		d[i] = v
	}
}

// merge is split's adjoint restricted to the unpadded plane: it reads dx (h×w) back out
// of plane j of the stack.
func (p *dwPlan) merge(dx, planes []float32, j int) {
	g, s := p.g, p.g.stride
	planes = planes[j*p.phaseSize:]
	if s == 1 {
		tapsPadRows(dx, planes[g.pad*p.ws+g.pad:], g.w, g.h, g.w, p.ws, 0)
		return
	}
	if s == 2 {
		for ih0 := range min(2, g.h) {
			e, o := p.rowPhases2(ih0)
			tapsInterleaveRows(dx[ih0*g.w:], planes[e:], planes[o:], g.w, (g.h-ih0+1)/2, 2*g.w, p.ws)
		}
		return
	}
	for ih := range g.h {
		pr := ih + g.pad
		src := planes[(pr%s)*s*p.region+(pr/s)*p.ws:]
		dr := dx[ih*g.w : (ih+1)*g.w]
		for iw := range dr {
			dr[iw] = src[p.colIdx[iw]]
		}
	}
}

// rowPhases2 returns, for stride 2, where input row ih's even and odd columns start in
// the phase regions (of stack plane 0): padded column iw+pad goes to column phase
// (iw+pad)%2 at position (iw+pad)/2, so the evens (iw = 2j) start at phase pad%2,
// position pad/2, and the odds at the other phase, position (pad+1)/2. Row ih+2 starts
// ws further on.
func (p *dwPlan) rowPhases2(ih int) (even, odd int) {
	pad := p.g.pad
	pr := ih + pad
	base := (pr%2)*2*p.region + (pr/2)*p.ws
	e := pad % 2
	return base + e*p.region + pad/2, base + (1-e)*p.region + (pad+1)/2
}

// padPlane writes the h×w plane x into dst (hp×wp) at row top and column left, and v
// everywhere else.
func padPlane(dst, x []float32, h, w, hp, wp, top, left int, v float32) {
	fill(dst[:top*wp+left], v)
	if start := top*wp + left; h > 0 && start+h*wp <= hp*wp {
		// One call: each row and the gap after it (right padding, then the next row's
		// left padding), then the rest of the bottom.
		tapsPadRows(dst[start:], x, w, h, wp, w, v)
		fill(dst[start+h*wp:hp*wp], v)
		return
	}
	for i := range h {
		r := (i+top)*wp + left
		copy(dst[r:r+w], x[i*w:(i+1)*w])
		end := min(r+wp, hp*wp)
		if i == h-1 {
			end = hp * wp
		}
		fill(dst[r+w:end], v)
	}
}

// scratch sizes per task: the phase regions and a stack's outputs at row stride ws,
// each with its slack.
func (p *dwPlan) perTask() int { return p.planesLen + p.outLen }

// stackTasks returns the number of (stack, channel) tasks and a function giving a task's
// channel, first sample and plane count.
func (p *dwPlan) stackTasks() (int, func(t int) (c, n0, kk int)) {
	g := p.g
	stacks := (g.n + p.k - 1) / p.k
	return stacks * g.cin, func(t int) (c, n0, kk int) {
		c, n0 = t%g.cin, (t/g.cin)*p.k
		return c, n0, min(p.k, g.n-n0)
	}
}

// depthwiseForward: y[n,c] = Σ_taps w[c,tap] * shifted x[n,c]; one plane per task.
func (b *Backend) depthwiseForward(y, x, w []float32, g convGeom) {
	p := newDWPlan(g, 1)
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	per := p.perTask()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	b.parallel(g.n*g.cin, g.flops(), func(slot, pl int) {
		c := pl % g.cin
		planes := scratch[slot*per : slot*per+p.planesLen]
		yb := scratch[slot*per+p.planesLen : (slot+1)*per][:p.lv]
		p.split(planes, x[pl*hw:(pl+1)*hw], 0)
		tapsShifted(yb, planes, p.tapOff, w[c*kk:(c+1)*kk])
		tapsPadRows(y[pl*ohw:(pl+1)*ohw], yb, g.ow, g.oh, g.ow, p.ws, 0)
	})
}

// spreadOutput copies an oh×ow plane into dst at row stride ws with zero gap columns.
func (p *dwPlan) spreadOutput(dst, dy []float32) {
	padPlane(dst, dy, p.g.oh, p.g.ow, p.g.oh, p.ws, 0, 0, 0)
}

// spreadStack lays np planes of dy (plane j at dy[j*stride:]) out in dst as a stack:
// plane j's rows at dst[j*phaseSize:], row stride ws, zero gap columns and rows, and
// zeros after the last plane to the end of dst.
func (p *dwPlan) spreadStack(dst, dy []float32, np, stride int) {
	g := p.g
	for j := range np {
		padPlane(dst[j*p.phaseSize:], dy[j*stride:j*stride+g.oh*g.ow], g.oh, g.ow, p.hs, p.ws, 0, 0, 0)
	}
	clear(dst[np*p.phaseSize:])
}

// depthwiseBackwardData: each phase plane of dx[n,c] gathers w[c,tap]*dy[n,c] from the
// taps that read it; one stack of planes of one channel per task.
func (b *Backend) depthwiseBackwardData(dx, dy, w []float32, g convGeom) {
	p := newDWPlan(g, dwStack(g))
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	per := p.planesLen + p.extSize()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	tasks, task := p.stackTasks()
	b.parallel(tasks, g.flops(), func(slot, t int) {
		c, n0, np := task(t)
		planes := scratch[slot*per : slot*per+p.planesLen]
		dyExt := scratch[slot*per+p.planesLen : (slot+1)*per]
		pl0 := n0*g.cin + c
		p.spreadExt(dyExt, dy[pl0*ohw:], np, g.cin*ohw)
		p.gather(planes, dyExt, w[c*kk:(c+1)*kk], np)
		for j := range np {
			pl := pl0 + j*g.cin
			p.merge(dx[pl*hw:(pl+1)*hw], planes, j)
		}
	})
}

// extSize is the length of dy laid out for gather: front zeros, a stack of k planes
// (spreadStack), dwSlack zeros.
func (p *dwPlan) extSize() int { return p.front + p.k*p.phaseSize + dwSlack }

// spreadExt lays np planes of dy (plane j at dy[j*stride:]) out in ext for gather.
func (p *dwPlan) spreadExt(ext, dy []float32, np, stride int) {
	clear(ext[:p.front])
	p.spreadStack(ext[p.front:], dy, np, stride)
}

// gather writes into each phase region the sum over the taps that read it of
// w[tap] * (dy laid out by spreadExt, shifted back by the tap's offset): the adjoint
// of the forward's sum over taps, for a stack of np planes. Each phase is computed to a
// multiple of 8 elements; the extra ones land in unused stack slots, in the next phase,
// which is written after it, or in the slack (planes has planesLen elements).
func (p *dwPlan) gather(planes, ext, w []float32, np int) {
	pv := (np*p.phaseSize + 7) &^ 7
	var wbuf [64]float32
	for ph, ts := range p.phaseTaps {
		ws := wbuf[:0]
		if len(ts) > len(wbuf) {
			ws = make([]float32, 0, len(ts))
		}
		for _, t := range ts {
			ws = append(ws, w[t])
		}
		tapsShifted(planes[ph*p.region:ph*p.region+pv], ext, p.phaseShift[ph], ws)
	}
}

// depthwiseBackwardFilter: dw[c,tap] = Σ_n dot(dy[n,c] at row stride ws with zero gap
// columns, the tap's phase plane of x[n,c]), all taps' dots in one pass
// (taps.ShiftedDots). One channel per task, samples in order, so the sums do not
// depend on the thread count.
func (b *Backend) depthwiseBackwardFilter(dw, x, dy []float32, g convGeom) {
	p := newDWPlan(g, 1)
	hw, ohw, kk := g.h*g.w, g.oh*g.ow, g.kh*g.kw
	per := p.perTask()
	scratch := b.scratch.get(b.threads * per)
	defer b.scratch.put(scratch)
	b.parallel(g.cin, g.flops(), func(slot, c int) {
		planes := scratch[slot*per : slot*per+p.planesLen]
		dyb := scratch[slot*per+p.planesLen : (slot+1)*per]
		// split and spreadOutput leave the slack alone: zero it once.
		clear(planes[p.planesSize:])
		clear(dyb[g.oh*p.ws:])
		var acc [64]float64
		var dbuf [64]float32
		sums, dots := acc[:0], dbuf[:0]
		if kk > len(acc) {
			sums, dots = make([]float64, kk), make([]float32, kk)
		} else {
			sums, dots = acc[:kk], dbuf[:kk]
		}
		for n := range g.n {
			pl := n*g.cin + c
			p.split(planes, x[pl*hw:(pl+1)*hw], 0)
			p.spreadOutput(dyb, dy[pl*ohw:(pl+1)*ohw])
			tapsShiftedDots(dots, dyb[:p.ld], planes, p.tapOff)
			for t, d := range dots {
				sums[t] += float64(d)
			}
		}
		for t, s := range sums {
			dw[c*kk+t] = float32(s)
		}
	})
}
