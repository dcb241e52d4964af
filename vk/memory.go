//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"runtime"
	"sort"
	"unsafe"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/tensor"
)

// allocAlign is the alignment of every sub-allocation in bytes: a multiple of any
// minStorageBufferOffsetAlignment and nonCoherentAtomSize seen in practice (≤ 256).
const allocAlign = 256

// maxBlockSize caps the memory blocks: large enough that a DARTS step fits in a handful,
// small enough to stay under lavapipe's 128 MiB binding limit (engine-anchors.md §6.3).
const maxBlockSize = 64 << 20

// A block is one VkDeviceMemory with one VkBuffer over all of it, bound whole to the
// shaders; tensors are sub-ranges addressed by element offsets in push constants.
type block struct {
	id     int
	pool   *pool
	mem    vulkan.DeviceMemory
	buf    vulkan.Buffer
	size   uint64
	mapped unsafe.Pointer // nil unless host visible
	free   []span         // sorted by offset, merged
}

type span struct{ off, size uint64 }

// A pool hands out sub-ranges of blocks of one memory type.
type pool struct {
	backend   *Backend
	name      string
	typeIndex uint32
	host      bool // host visible, mapped persistently
	blockSize uint64
	blocks    []*block
	bytes     uint64 // in all blocks
	budget    uint64 // the pool waits for pending frees instead of growing past this
}

// alloc is one sub-allocation. lastUse is the serial of the last batch that touched it; it
// may be reused only once that batch has completed.
type alloc struct {
	blk     *block
	off     uint64 // bytes from the block's start
	size    uint64 // bytes reserved (aligned)
	n       int    // float32 elements
	lastUse uint64
	freed   bool
}

// elemOff is the element offset of the allocation inside its block's buffer.
func (a *alloc) elemOff() uint32 { return uint32(a.off / 4) }

// hostSlice returns the mapped floats [off, off+n) of a host-visible allocation.
func (a *alloc) hostSlice(off, n int) []float32 {
	p := unsafe.Add(a.blk.mapped, a.off+uint64(off)*4)
	return unsafe.Slice((*float32)(p), n)
}

// buffer is the tensor.Buffer of this backend.
type buffer struct {
	a       *alloc
	cleanup runtime.Cleanup
}

func (b *buffer) Len() int { return b.a.n }

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// findMemoryType returns the first memory type with all of want (and, if possible, all of
// prefer) among those the buffer may use.
func findMemoryType(info *DeviceInfo, bits uint32, want, prefer uint32) (uint32, bool) {
	best, found := uint32(0), false
	for i, t := range info.MemoryTypes {
		if bits&(1<<i) == 0 || t.Flags&want != want {
			continue
		}
		if t.Flags&prefer == prefer {
			return uint32(i), true
		}
		if !found {
			best, found = uint32(i), true
		}
	}
	return best, found
}

// newBlock allocates a block of size bytes from p. It returns an error when the device is
// out of memory.
func (b *Backend) newBlock(p *pool, size uint64) (*block, error) {
	bci := vulkan.BufferCreateInfo{
		SType: vulkan.StructureTypeBufferCreateInfo,
		Size:  vulkan.DeviceSize(size),
		Usage: vulkan.BufferUsageFlags(vulkan.BufferUsageStorageBufferBit | vulkan.BufferUsageTransferSrcBit |
			vulkan.BufferUsageTransferDstBit),
		SharingMode: vulkan.SharingModeExclusive,
	}
	var buf vulkan.Buffer
	if r := vulkan.CreateBuffer(b.dev, &bci, nil, &buf); r != vulkan.Success {
		return nil, vkErr("create buffer", r)
	}
	var req vulkan.MemoryRequirements
	vulkan.GetBufferMemoryRequirements(b.dev, buf, &req)
	req.Deref()
	if req.MemoryTypeBits&(1<<p.typeIndex) == 0 {
		vulkan.DestroyBuffer(b.dev, buf, nil)
		return nil, fmt.Errorf("memory type %d cannot hold storage buffers", p.typeIndex)
	}
	mai := vulkan.MemoryAllocateInfo{
		SType:           vulkan.StructureTypeMemoryAllocateInfo,
		AllocationSize:  req.Size,
		MemoryTypeIndex: p.typeIndex,
	}
	var mem vulkan.DeviceMemory
	if r := vulkan.AllocateMemory(b.dev, &mai, nil, &mem); r != vulkan.Success {
		vulkan.DestroyBuffer(b.dev, buf, nil)
		return nil, vkErr(fmt.Sprintf("allocate %d MiB of device memory", size>>20), r)
	}
	if r := vulkan.BindBufferMemory(b.dev, buf, mem, 0); r != vulkan.Success {
		vulkan.FreeMemory(b.dev, mem, nil)
		vulkan.DestroyBuffer(b.dev, buf, nil)
		return nil, vkErr("bind buffer memory", r)
	}
	blk := &block{id: len(b.blocks), pool: p, mem: mem, buf: buf, size: size, free: []span{{0, size}}}
	if p.host {
		var ptr unsafe.Pointer
		if r := vulkan.MapMemory(b.dev, mem, 0, vulkan.DeviceSize(vulkan.WholeSize), 0, &ptr); r != vulkan.Success {
			vulkan.FreeMemory(b.dev, mem, nil)
			vulkan.DestroyBuffer(b.dev, buf, nil)
			return nil, vkErr("map device memory", r)
		}
		blk.mapped = ptr
	}
	b.blocks = append(b.blocks, blk)
	p.blocks = append(p.blocks, blk)
	p.bytes += size
	b.stats.Blocks++
	b.stats.BlockBytes += int64(size)
	return blk, nil
}

// take carves size bytes from the block's free list (first fit) or reports failure.
func (blk *block) take(size uint64) (uint64, bool) {
	for i, s := range blk.free {
		if s.size < size {
			continue
		}
		off := s.off
		if s.size == size {
			blk.free = append(blk.free[:i], blk.free[i+1:]...)
		} else {
			blk.free[i] = span{s.off + size, s.size - size}
		}
		return off, true
	}
	return 0, false
}

// give returns a range to the free list, merging it with its neighbours.
func (blk *block) give(off, size uint64) {
	i := sort.Search(len(blk.free), func(i int) bool { return blk.free[i].off > off })
	blk.free = append(blk.free, span{})
	copy(blk.free[i+1:], blk.free[i:])
	blk.free[i] = span{off, size}
	if i+1 < len(blk.free) && off+size == blk.free[i+1].off {
		blk.free[i].size += blk.free[i+1].size
		blk.free = append(blk.free[:i+1], blk.free[i+2:]...)
	}
	if i > 0 && blk.free[i-1].off+blk.free[i-1].size == off {
		blk.free[i-1].size += blk.free[i].size
		blk.free = append(blk.free[:i], blk.free[i+1:]...)
	}
}

// allocBytes returns a sub-allocation of at least n elements from p. A device out of
// memory first gets every pending free back (waiting for the device), then fails.
func (b *Backend) allocFrom(p *pool, n int) (*alloc, error) {
	size := alignUp(uint64(max(n, 1))*4, allocAlign)
	if size > b.maxBinding {
		return nil, fmt.Errorf("tensor of %d elements (%d MiB) exceeds the device's largest storage binding (%d MiB)",
			n, size>>20, b.maxBinding>>20)
	}
	b.reclaim(false)
	if a := p.take(size, n); a != nil {
		return a, nil
	}
	if len(p.blocks) > 0 {
		// Before growing, collect buffers the program dropped without Free: the Go heap
		// does not feel device memory, so the collector may not have run for a while.
		b.collectDropped()
		if a := p.take(size, n); a != nil {
			return a, nil
		}
	}
	bs := p.blockSize
	if size > bs/2 {
		bs = size // a dedicated block
	}
	if p.bytes+bs > p.budget && b.pendingBytes > 0 {
		// Past the pool's share of the heap: wait for the frees in flight rather than grow.
		b.waitAll()
		b.reclaim(true)
		if a := p.take(size, n); a != nil {
			return a, nil
		}
	}
	blk, err := b.newBlock(p, bs)
	if err != nil && b.pendingBytes > 0 {
		// Out of device memory: wait for the frees still in flight and try again.
		b.waitAll()
		b.reclaim(true)
		if a := p.take(size, n); a != nil {
			return a, nil
		}
		blk, err = b.newBlock(p, bs)
	}
	if err != nil {
		return nil, err
	}
	off, _ := blk.take(size)
	return &alloc{blk: blk, off: off, size: size, n: n}, nil
}

// take returns a sub-allocation from the first block with room, or nil.
func (p *pool) take(size uint64, n int) *alloc {
	for _, blk := range p.blocks {
		if off, ok := blk.take(size); ok {
			return &alloc{blk: blk, off: off, size: size, n: n}
		}
	}
	return nil
}

// paceGC starts a garbage collection in the background once the buffers allocated since
// the last one add up to the live bytes (at least 64 MiB), as GOGC=100 would if device
// memory were Go heap: programs that drop tensors without Free then get their memory back
// before the pool must grow.
func (b *Backend) paceGC(size uint64) {
	b.allocSinceGC += size
	if b.allocSinceGC < max(64<<20, uint64(b.stats.LiveBytes)) || !b.gcIdle.CompareAndSwap(true, false) {
		return
	}
	b.allocSinceGC = 0
	go func() {
		runtime.GC()
		b.gcIdle.Store(true)
	}()
}

// collectDropped runs the garbage collector and lets the cleanup goroutine hand over the
// buffers that became unreachable, then reclaims what the device has finished with.
func (b *Backend) collectDropped() {
	runtime.GC()
	for i := 0; i < 4; i++ {
		runtime.Gosched()
	}
	b.reclaim(true)
}

// release puts a freed allocation back once the device is done with it.
func (b *Backend) release(a *alloc) {
	if a.freed {
		return
	}
	a.freed = true
	b.stats.LiveBuffers--
	b.stats.LiveBytes -= int64(a.size)
	if a.lastUse <= b.completed {
		a.blk.give(a.off, a.size)
		return
	}
	b.pending = append(b.pending, a)
	b.pendingBytes += a.size
}

// reclaim returns the pending frees whose work has completed, polling the fences first.
func (b *Backend) reclaim(poll bool) {
	b.freeMu.Lock()
	dropped := b.dropped
	b.dropped = nil
	b.freeMu.Unlock()
	for _, a := range dropped {
		b.release(a)
	}
	if len(b.pending) == 0 {
		return
	}
	if poll || b.pending[0].lastUse > b.completed {
		b.pollFences()
	}
	keep := b.pending[:0]
	for _, a := range b.pending {
		if a.lastUse <= b.completed {
			a.blk.give(a.off, a.size)
			b.pendingBytes -= a.size
		} else {
			keep = append(keep, a)
		}
	}
	clear(b.pending[len(keep):])
	b.pending = keep
}

// Alloc returns a zeroed buffer of n elements; it panics with *tensor.DeviceError when the
// device cannot provide it.
func (b *Backend) Alloc(n int) tensor.Buffer {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, err := b.allocFrom(b.devPool, n)
	if err != nil {
		panic(&tensor.DeviceError{Backend: b.name, Msg: err.Error() +
			"; use smaller batches or fewer channels, or --device cpu"})
	}
	b.stats.LiveBuffers++
	b.stats.LiveBytes += int64(a.size)
	b.paceGC(a.size)
	if a.blk.mapped != nil {
		clear(a.hostSlice(0, n))
	} else {
		b.recordFill(a)
	}
	buf := &buffer{a: a}
	buf.cleanup = runtime.AddCleanup(buf, b.dropUnreachable, a)
	return buf
}

// dropUnreachable runs on the cleanup goroutine when a buffer was never freed; the
// allocation is released at the next Alloc or Free.
func (b *Backend) dropUnreachable(a *alloc) {
	b.freeMu.Lock()
	b.dropped = append(b.dropped, a)
	b.freeMu.Unlock()
}

// Free gives buf back; it is reused only after the work that touches it has finished.
func (b *Backend) Free(tb tensor.Buffer) {
	buf := b.own(tb, "Free")
	b.mu.Lock()
	defer b.mu.Unlock()
	buf.cleanup.Stop()
	b.release(buf.a)
	b.reclaim(false)
}

func (b *Backend) own(tb tensor.Buffer, op string) *buffer {
	buf, ok := tb.(*buffer)
	if !ok || buf.a.blk.pool == nil || buf.a.blk.pool.backend != b {
		panic(fmt.Sprintf("vk %s: buffer %T does not belong to backend %s", op, tb, b.name))
	}
	if buf.a.freed {
		panic(fmt.Sprintf("vk %s: buffer of %d elements used after Free", op, buf.a.n))
	}
	return buf
}
