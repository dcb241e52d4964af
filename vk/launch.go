//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"math"

	"godarts/tensor"
)

// A kernel is one dispatch: a shader with its specialisation constants, the tensors bound to
// bindings 0.. (nil binds nothing), which bindings it writes, its parameters and its grid.
type kernel struct {
	shader string
	spec   [specCount]uint32
	bind   []*tensor.Tensor
	writes uint32 // bit i: binding i is written
	params []uint32
	groups [3]uint32
}

// f packs a float parameter for the push constants.
func f(x float32) uint32 { return math.Float32bits(x) }

func u(x int) uint32 { return uint32(x) }

func flag(bs ...bool) uint32 {
	var v uint32
	for i, b := range bs {
		if b {
			v |= 1 << i
		}
	}
	return v
}

// span returns the byte range a tensor view touches inside its block.
func (b *Backend) span(t *tensor.Tensor) (*alloc, rng) {
	a := b.own(t.Buf, "Run").a
	lo := a.off + uint64(t.Off)*4
	n := 1
	if t.Numel() > 0 {
		for i, d := range t.Shape {
			n += (d - 1) * t.Strides[i]
		}
	} else {
		n = 0
	}
	return a, rng{a.blk.id, lo, lo + uint64(n)*4}
}

// launch records k: the hazard check (one global barrier when k touches what an earlier
// command wrote), then the whole dispatch in one cgo call.
func (b *Backend) launch(k kernel) {
	if len(k.bind) > maxBindings || len(k.params) > pushWords-maxBindings {
		panic(fmt.Sprintf("vk %s: %d bindings, %d params", k.shader, len(k.bind), len(k.params)))
	}
	for _, g := range k.groups {
		if g == 0 {
			return // nothing to do
		}
	}
	if int(k.groups[0]) > b.info.MaxWorkgroupCount[0] || int(k.groups[1]) > b.info.MaxWorkgroupCount[1] ||
		int(k.groups[2]) > b.info.MaxWorkgroupCount[2] {
		panic(fmt.Sprintf("vk %s: grid %v exceeds the device's %v", k.shader, k.groups, b.info.MaxWorkgroupCount))
	}
	var pc [pushWords]uint32
	var key setKey
	var pb pushBindings
	var rd, wr [maxBindings]rng
	nr, nw := 0, 0
	allocs := [maxBindings]*alloc{}
	for i := range pb.bufs {
		pb.bufs[i], pb.ranges[i] = b.blocks[0].buf, allocAlign
	}
	for i, t := range k.bind {
		if t == nil {
			continue
		}
		a, r := b.span(t)
		allocs[i] = a
		key[i] = int32(a.blk.id)
		if b.pushDesc {
			// Bind from the aligned start below the tensor; the rest of the way is the
			// element offset. The tracked range is the bound range.
			r.lo -= r.lo % b.offsetAlign
			r.hi = max(r.hi, r.lo+4)
			pb.bufs[i], pb.offs[i], pb.ranges[i] = a.blk.buf, r.lo, r.hi-r.lo
			pc[i] = uint32((a.off + uint64(t.Off)*4 - r.lo) / 4)
		} else {
			pc[i] = a.elemOff() + uint32(t.Off)
		}
		rd[nr] = r
		nr++
		if k.writes&(1<<i) != 0 {
			wr[nw] = r
			nw++
		}
	}
	copy(pc[maxBindings:], k.params)
	pipe := b.pipeline(k.shader, k.spec)
	if b.pushDesc {
		cb := b.cmd()
		bar := b.hazard(rd[:nr], wr[:nw])
		qp, q := b.profQuery(pipeKey{k.shader, k.spec})
		b.rec.dispatchPush(cb, bar, pipe, pipe != b.boundPipe, &pb, &pc, k.groups[0], k.groups[1], k.groups[2], qp, q)
		b.boundPipe = pipe
	} else {
		set := b.descriptorSet(key)
		cb := b.cmd()
		bar := b.hazard(rd[:nr], wr[:nw])
		qp, q := b.profQuery(pipeKey{k.shader, k.spec})
		b.rec.dispatch(cb, bar, pipe, pipe != b.boundPipe, set, set != b.boundSet, &pc, k.groups[0], k.groups[1], k.groups[2], qp, q)
		b.boundPipe, b.boundSet = pipe, set
	}
	for _, a := range allocs {
		if a != nil {
			a.lastUse = b.serial
		}
	}
	b.stats.Dispatches++
	b.countRecorded()
}

// grid1 spreads n workgroups over x and y so neither passes the device's limit; shaders
// rebuild the flat group index as y*numGroups.x + x.
func (b *Backend) grid1(n int) [3]uint32 {
	if n <= 0 {
		return [3]uint32{0, 1, 1}
	}
	maxX := b.info.MaxWorkgroupCount[0]
	if n <= maxX {
		return [3]uint32{uint32(n), 1, 1}
	}
	gy := (n + maxX - 1) / maxX
	gx := (n + gy - 1) / gy
	return [3]uint32{uint32(gx), uint32(gy), 1}
}

// elems is the grid of a 1-d kernel over n elements.
func (b *Backend) elems(n int) [3]uint32 { return b.grid1((n + int(b.wg1) - 1) / int(b.wg1)) }

func (b *Backend) spec1(extra ...uint32) [specCount]uint32 {
	s := [specCount]uint32{b.wg1, 1, 1}
	copy(s[3:], extra)
	return s
}
