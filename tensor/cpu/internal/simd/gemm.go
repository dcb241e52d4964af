package simd

import (
	"fmt"
	"sync"
	"unsafe"
)

// gemmParams describes one implementation's SGEMM: the register tile of its
// micro-kernel and the cache blocking around it (BLIS/Goto, see
// /work/shared/reference/engine-anchors.md §3).
type gemmParams struct {
	mr, nr int // register tile: micro computes mr×nr of C
	kc     int // depth of a packed panel (the pc loop)
	mc     int // rows of a packed A block (multiple of mr)
	nc     int // columns of a packed B panel (multiple of nr)

	// micro computes the mr×nr tile
	//	C[i*ldc+j] = alpha * Σ_p a[p*mr+i]*b[p*ldb+j] + beta*C[i*ldc+j]
	// over p in [0, kc), where a is a packed strip and b a packed strip
	// (ldb = nr) or B itself. When beta == 0, C is only written, never
	// read, so NaN in C does not survive.
	micro func(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

	// packA8, if set (mr = 8), packs 8 whole rows of a non-transposed A:
	// dst[p*8+i] = a[i*lda+p] for p in [0, kc), kc a multiple of 8.
	packA8 func(dst, a *float32, lda, kc int)

	// packBRow, if set, copies strips·nr values of one row of B from src
	// into strips packed strips: nr values to dst + s·stride.
	packBRow func(dst, src *float32, strips, stride int)
}

// groupStrips is how many B strips a task packs at a time when it packs
// its own: 256 columns, so each row of B is read in 1 KiB runs.
func (g *gemmParams) groupStrips() int { return max(1, 256/g.nr) }

var genericImpl = implementation{
	name: "generic",
	gemm: gemmParams{mr: 4, nr: 4, kc: 256, mc: 64, nc: 1024, micro: microGeneric},
	vec:  genericVectorKernels,
}

// microGeneric is the Go micro-kernel: a 4×4 tile held in 16 locals.
func microGeneric(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	const mr, nr = 4, 4
	as := unsafe.Slice(a, kc*mr)
	bs := unsafe.Slice(b, max(0, (kc-1)*ldb+nr))
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < kc; p++ {
		ap := as[p*mr : p*mr+mr : p*mr+mr]
		bp := bs[p*ldb : p*ldb+nr : p*ldb+nr]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	cs := unsafe.Slice(c, 3*ldc+nr)
	acc := [mr][nr]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for i := range mr {
		row := cs[i*ldc : i*ldc+nr]
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
		} else {
			for j := range row {
				row[j] = alpha*acc[i][j] + beta*row[j]
			}
		}
	}
}

// Sgemm computes, in row-major storage,
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(A) is m×k, op(B) is k×n and C is m×n; op(X) is X, or Xᵀ when
// the matching trans flag is set (then A is stored k×m, B n×k). lda, ldb
// and ldc are the row strides of the stored matrices. When beta == 0, C is
// not read (NaN or garbage in C is overwritten). It runs on the calling
// goroutine only; see SgemmParallel.
//
// Each element of C is computed by operations that depend only on k, the
// implementation, and whether the element lies in a partial edge tile of
// the m×n grid of mr×nr tiles; never on the number of workers. Results
// differ from a float64 product by rounding within k·2⁻²⁴·Σ|terms|.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(current, 1, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmParallel is Sgemm split over up to workers goroutines of the
// package's persistent pool (workers <= 1: the calling goroutine alone).
// Products smaller than ParallelMinFlops run on the calling goroutine
// regardless. The work is split over blocks of rows and columns of C,
// never over k, so the result is bit-identical for any number of workers.
func SgemmParallel(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, workers int) {
	sgemm(current, workers, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// ParallelMinFlops is the size 2*m*n*k below which SgemmParallel stays on
// one goroutine: below it, waking a second core costs about as much as it
// saves. Measured on the 2-core EPYC (best of 3000 calls, 16×n×64): at 1
// and 2 Mflop two workers were no faster than one (10 and 21 µs), at 4
// Mflop 32 µs against 46, at 8 Mflop 54 µs against 86.
const ParallelMinFlops = 1 << 21

func checkMatrix(op, name string, x []float32, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("simd.%s: ld%s = %d, want >= %d (columns of stored %s)", op, name, ld, max(cols, 1), name))
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("simd.%s: len(%s) = %d, want >= %d for a %d×%d matrix with ld %d", op, name, len(x), (rows-1)*ld+cols, rows, cols, ld))
	}
}

func sgemm(im *implementation, workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("simd.Sgemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("Sgemm", "A", a, ar, ac, lda)
	checkMatrix("Sgemm", "B", b, br, bc, ldb)
	checkMatrix("Sgemm", "C", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if raceEnabled {
		if k > 0 {
			raceRead(a[:(ar-1)*lda+ac])
			raceRead(b[:(br-1)*ldb+bc])
		}
		raceWrite(c[:(m-1)*ldc+n])
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(c, m, n, ldc, beta)
		return
	}
	if 2*m*n*k < ParallelMinFlops {
		workers = 1
	}
	workers = max(1, min(workers, maxWorkers()))

	g := &im.gemm
	blocksM := (m + g.mc - 1) / g.mc
	// With one A block, every B strip is used by one task only: the task
	// packs it just before use, into strips that stay in L1, instead of
	// packing a shared panel up front through L2 (this is what skinny
	// DARTS products, small m, need). With no shared panel there is no
	// reason to cut n into panels either, which saves a round of waking
	// workers per panel.
	packBInTask := blocksM == 1
	ncStep := g.nc
	if packBInTask {
		ncStep = n
	}
	st := getGemmState(g, workers, min(k, g.kc), min(n, g.nc), min(m, g.mc))
	defer gemmStates.Put(st)
	st.g = g
	st.transA, st.a, st.lda = transA, a, lda
	st.transB, st.b, st.ldb = transB, b, ldb
	st.c, st.ldc, st.m, st.alpha = c, ldc, m, alpha
	st.blocksM, st.packBInTask = blocksM, packBInTask
	for jc := 0; jc < n; jc += ncStep {
		nc := min(ncStep, n-jc)
		for pc := 0; pc < k; pc += g.kc {
			kc := min(g.kc, k-pc)
			st.jc, st.nc, st.pc, st.kc = jc, nc, pc, kc
			st.beta = beta
			if pc > 0 {
				st.beta = 1
			}
			st.strips = (nc + g.nr - 1) / g.nr
			if !packBInTask {
				runTasks(workers, st.strips, (*packBTasks)(st))
			}
			// Tasks are (A block, range of B strips). Split the strips only
			// when there are too few A blocks for four tasks per worker:
			// tasks are handed out as workers come free, so a worker that
			// is descheduled (the cores are shared) delays the call by one
			// small task, not by half of it.
			st.chunks = 1
			if workers > 1 && blocksM < 4*workers {
				st.chunks = max(1, min(st.strips/2, (4*workers+blocksM-1)/blocksM))
			}
			runTasks(workers, blocksM*st.chunks, st)
		}
	}
	st.a, st.b, st.c = nil, nil, nil
}

// scaleMatrix sets C = beta*C, writing zeros without reading when beta == 0.
func scaleMatrix(c []float32, m, n, ldc int, beta float32) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// gemmState is the scratch and the arguments of one Sgemm call; it is the
// job the worker pool runs, one task per (A block, chunk of B strips).
type gemmState struct {
	g       *gemmParams
	bp      []float32   // packed B panel, kc×nc in nr-wide strips
	bstrip  [][]float32 // per slot: a group of packed B strips, kc×(groupWidth rounded up to nr)
	ap      [][]float32 // per slot: packed A block, mc×kc in mr-tall strips
	edge    [][]float32 // per slot: mr×nr tile for edges of C
	transA  bool
	a       []float32
	lda     int
	transB  bool
	b       []float32
	ldb     int
	c       []float32
	ldc, m  int
	alpha   float32
	beta    float32
	jc, nc  int
	pc, kc  int
	blocksM int
	strips  int
	chunks  int

	packBInTask bool // each task packs its B strips into bstrip
}

var gemmStates = sync.Pool{New: func() any { return new(gemmState) }}

func getGemmState(g *gemmParams, slots, kc, nc, mc int) *gemmState {
	st := gemmStates.Get().(*gemmState)
	ncPad := (nc + g.nr - 1) / g.nr * g.nr
	mcPad := (mc + g.mr - 1) / g.mr * g.mr
	if n := ncPad / g.nr * bStripLen(kc, g.nr); cap(st.bp) < n {
		st.bp = make([]float32, n)
	}
	for len(st.ap) < slots {
		st.ap = append(st.ap, nil)
		st.edge = append(st.edge, nil)
		st.bstrip = append(st.bstrip, nil)
	}
	for s := range slots {
		if cap(st.ap[s]) < kc*mcPad {
			st.ap[s] = make([]float32, kc*mcPad)
		}
		st.ap[s] = st.ap[s][:kc*mcPad]
		if cap(st.edge[s]) < g.mr*g.nr {
			st.edge[s] = make([]float32, g.mr*g.nr)
		}
		st.edge[s] = st.edge[s][:g.mr*g.nr]
		if n := g.groupStrips() * bStripLen(kc, g.nr); cap(st.bstrip[s]) < n {
			st.bstrip[s] = make([]float32, n)
		}
	}
	return st
}

func (st *gemmState) runTask(slot, task int) {
	g := st.g
	block, chunk := task/st.chunks, task%st.chunks
	ic := block * g.mc
	mc := min(g.mc, st.m-ic)
	ap := st.ap[slot]
	packA(ap, g, st.transA, st.a, st.lda, ic, mc, st.pc, st.kc)
	s0 := chunk * st.strips / st.chunks
	s1 := (chunk + 1) * st.strips / st.chunks
	kc := st.kc
	if !st.packBInTask {
		// The A strip (mr×kc) stays in L1 while the packed B panel
		// streams from L2.
		for i := 0; i < mc; i += g.mr {
			for s := s0; s < s1; s++ {
				st.tile(slot, &ap[i*kc], &st.bp[s*bStripLen(kc, g.nr)], g.nr, ic+i, s*g.nr, min(g.mr, mc-i))
			}
		}
		return
	}
	group := g.groupStrips()
	// A whole strip of a non-transposed B used by at most two A strips is
	// read in place (kc rows ldb apart): packing would copy it to read it
	// twice. With more A strips, packing wins: the in-place rows, ldb apart,
	// may share a few L1 sets (ldb a multiple of 1 KiB) and evict each
	// other before the next A strip comes (measured: 64×2048×64 loses 25%).
	direct := !st.transB && mc <= 2*g.mr
	for s := s0; s < s1; s++ {
		j := s * g.nr
		var bs *float32
		ldb := g.nr
		switch {
		case direct && j+g.nr <= st.nc:
			bs, ldb = &st.b[st.pc*st.ldb+st.jc+j], st.ldb
		case direct:
			packB(st.bstrip[slot], g, false, st.b, st.ldb, st.pc, kc, st.jc+j, st.nc-j)
			bs = &st.bstrip[slot][0]
		default:
			g0 := s0 + (s-s0)/group*group
			if s == g0 {
				g1 := min(g0+group, s1)
				packB(st.bstrip[slot], g, st.transB, st.b, st.ldb, st.pc, kc, st.jc+j, min(g1*g.nr, st.nc)-j)
			}
			bs = &st.bstrip[slot][(s-g0)*bStripLen(kc, g.nr)]
		}
		for i := 0; i < mc; i += g.mr {
			st.tile(slot, &ap[i*kc], bs, ldb, ic+i, j, min(g.mr, mc-i))
		}
	}
}

// tile runs the micro-kernel for the tile of C at row i, column jc+j of
// the panel, mr rows tall (mr < g.mr at the bottom edge).
func (st *gemmState) tile(slot int, as, bs *float32, ldb, i, j, mr int) {
	g := st.g
	nr := min(g.nr, st.nc-j)
	coff := i*st.ldc + st.jc + j
	if mr == g.mr && nr == g.nr {
		g.micro(st.kc, as, bs, ldb, &st.c[coff], st.ldc, st.alpha, st.beta)
		return
	}
	// Edge tile: compute the full tile into scratch, copy the part that
	// exists. The scratch is never read (beta 0).
	t := st.edge[slot]
	g.micro(st.kc, as, bs, ldb, &t[0], g.nr, 1, 0)
	for r := range mr {
		row := st.c[coff+r*st.ldc : coff+r*st.ldc+nr]
		tr := t[r*g.nr : r*g.nr+nr]
		if st.beta == 0 {
			for q := range row {
				row[q] = st.alpha * tr[q]
			}
		} else {
			for q := range row {
				row[q] = st.alpha*tr[q] + st.beta*row[q]
			}
		}
	}
}

// packBTasks packs the B panel into gemmState.bp, one strip per task.
type packBTasks gemmState

func (pt *packBTasks) runTask(_, s int) {
	st := (*gemmState)(pt)
	nr := st.g.nr
	j := s * nr
	packB(st.bp[s*bStripLen(st.kc, nr):], st.g, st.transB, st.b, st.ldb, st.pc, st.kc, st.jc+j, min(nr, st.nc-j))
}

// bStripLen is the distance between packed B strips: kc×nr values and 64
// bytes more, so that strips are not a multiple of 4 KiB apart. Packing
// writes one row into every strip in turn; at a multiple of 4 KiB those
// writes all fall in one L1 set (8 ways on Zen 4) and evict each other.
func bStripLen(kc, nr int) int { return kc*nr + 16 }

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as nr-wide strips, each
// strip kc rows of nr values, bStripLen apart, zero-padding the last strip.
func packB(dst []float32, g *gemmParams, transB bool, b []float32, ldb, pc, kc, jc, nc int) {
	nr := g.nr
	sl := bStripLen(kc, nr)
	if !transB {
		// Row by row, so that B is read sequentially: reading strip by
		// strip walks down columns, and misses on every row.
		for p := range kc {
			src := b[(pc+p)*ldb+jc : (pc+p)*ldb+jc+nc]
			j0 := 0
			// Whole strips in one call: copy would call memmove for every
			// 64 or 128 bytes.
			if whole := nc / nr; g.packBRow != nil && whole > 0 {
				_ = dst[(whole-1)*sl+p*nr+nr-1]
				g.packBRow(&dst[p*nr], &src[0], whole, sl)
				j0 = whole * nr
			}
			for ; j0 < nc; j0 += nr {
				w := min(nr, nc-j0)
				d := dst[j0/nr*sl+p*nr : j0/nr*sl+p*nr+nr]
				copy(d, src[j0:j0+w])
				clear(d[w:])
			}
		}
		return
	}
	for j0 := 0; j0 < nc; j0 += nr {
		w := min(nr, nc-j0)
		strip := dst[j0/nr*sl : j0/nr*sl+kc*nr]
		// B stored n×k: op(B)[p, j] = b[j*ldb + p].
		for j := range w {
			src := b[(jc+j0+j)*ldb+pc:]
			src = src[:kc]
			for p, v := range src {
				strip[p*nr+j] = v
			}
		}
		for j := w; j < nr; j++ {
			for p := range kc {
				strip[p*nr+j] = 0
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as mr-tall strips, each
// strip kc columns of mr values, zero-padding the last strip.
func packA(dst []float32, g *gemmParams, transA bool, a []float32, lda, ic, mc, pc, kc int) {
	mr := g.mr
	for i0 := 0; i0 < mc; i0 += mr {
		h := min(mr, mc-i0)
		strip := dst[i0*kc : i0*kc+kc*mr]
		if !transA && h == 8 && g.packA8 != nil && kc >= 8 {
			base := (ic+i0)*lda + pc
			_ = a[base+7*lda+kc-1]
			k8 := kc &^ 7
			g.packA8(&strip[0], &a[base], lda, k8)
			for p := k8; p < kc; p++ {
				d := strip[p*8 : p*8+8]
				for i := range d {
					d[i] = a[base+i*lda+p]
				}
			}
			continue
		}
		if transA {
			// A stored k×m: op(A)[i, p] = a[p*lda + i].
			for p := range kc {
				src := a[(pc+p)*lda+ic+i0:]
				d := strip[p*mr : p*mr+mr]
				copy(d, src[:h])
				clear(d[h:])
			}
			continue
		}
		// Read h rows side by side so that every write is a whole
		// contiguous column of the strip.
		base := (ic+i0)*lda + pc
		_ = a[base+(h-1)*lda+kc-1]
		for p := range kc {
			d := strip[p*mr : p*mr+mr]
			idx := base + p
			for i := range h {
				d[i] = a[idx]
				idx += lda
			}
			clear(d[h:])
		}
	}
}
