//go:build !novulkan && cgo

package vk

import (
	"math"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/tensor"
)

// flushEvery is how many dispatches a command buffer takes before it is submitted without
// waiting, so the device starts while the host records on (ggml's max_nodes_per_submit,
// engine-anchors.md §1.1).
const flushEvery = 100

// maxInFlight caps the command buffers submitted and not yet known finished; past it the
// host waits for the oldest (counted in HostWaits).
const maxInFlight = 64

// maxHazardRanges bounds the range lists; past it a barrier is cheaper than the scans.
const maxHazardRanges = 256

// A slot is one command buffer with its fence. serial is the batch it holds while in flight.
type slot struct {
	cb       vulkan.CommandBuffer
	fence    vulkan.Fence
	serial   uint64
	inFlight bool

	qp    vulkan.QueryPool // profiling only: two timestamps per dispatch
	timed []int32          // profiling only: the profiler entry of each timed dispatch
}

// rng is a byte range of one block, for hazard tracking.
type rng struct {
	blk    int
	lo, hi uint64
}

func (r rng) overlaps(o rng) bool { return r.blk == o.blk && r.lo < o.hi && o.lo < r.hi }

// cmd returns the command buffer being recorded, starting one when none is.
func (b *Backend) cmd() vulkan.CommandBuffer {
	if b.cur != nil {
		return b.cur.cb
	}
	var s *slot
	for _, c := range b.slots {
		if !c.inFlight {
			s = c
			break
		}
	}
	if s == nil {
		b.pollFences()
		for _, c := range b.slots {
			if !c.inFlight {
				s = c
				break
			}
		}
	}
	if s == nil && len(b.slots) < maxInFlight {
		s = b.newSlot()
	}
	if s == nil {
		// Throttle: wait for the oldest batch.
		oldest := b.slots[0]
		for _, c := range b.slots {
			if c.serial < oldest.serial {
				oldest = c
			}
		}
		b.waitSerial(oldest.serial)
		s = oldest
	}
	vulkan.ResetCommandBuffer(s.cb, 0)
	if r := b.rec.begin(s.cb); r != vulkan.Success {
		b.deviceFailed("begin command buffer", r)
	}
	if b.prof != nil {
		b.profBeginBatch(s)
	}
	b.cur = s
	b.boundPipe = nil
	b.boundSet = nil
	b.inBatch = 0
	return s.cb
}

func (b *Backend) newSlot() *slot {
	ai := vulkan.CommandBufferAllocateInfo{
		SType:              vulkan.StructureTypeCommandBufferAllocateInfo,
		CommandPool:        b.cmdPool,
		Level:              vulkan.CommandBufferLevelPrimary,
		CommandBufferCount: 1,
	}
	cbs := make([]vulkan.CommandBuffer, 1)
	if r := vulkan.AllocateCommandBuffers(b.dev, &ai, cbs); r != vulkan.Success {
		b.deviceFailed("allocate command buffer", r)
	}
	fi := vulkan.FenceCreateInfo{SType: vulkan.StructureTypeFenceCreateInfo}
	var f vulkan.Fence
	if r := vulkan.CreateFence(b.dev, &fi, nil, &f); r != vulkan.Success {
		b.deviceFailed("create fence", r)
	}
	s := &slot{cb: cbs[0], fence: f}
	b.slots = append(b.slots, s)
	b.stats.CommandBuffers++
	return s
}

// hazard reports whether an access reading rd and writing wr must wait for earlier work in
// flight or in this batch, and records the ranges. It returns true when a barrier is due,
// after which the lists restart with these ranges.
func (b *Backend) hazard(rd, wr []rng) bool {
	need := false
	for _, r := range rd {
		for _, w := range b.written {
			if r.overlaps(w) {
				need = true
				break
			}
		}
	}
	for _, r := range wr {
		if need {
			break
		}
		for _, w := range b.written {
			if r.overlaps(w) {
				need = true
				break
			}
		}
		for _, w := range b.read {
			if r.overlaps(w) {
				need = true
				break
			}
		}
	}
	if need || len(b.written)+len(b.read) > maxHazardRanges {
		need = true
		b.written = b.written[:0]
		b.read = b.read[:0]
		b.stats.Barriers++
	}
	b.read = append(b.read, rd...)
	b.written = append(b.written, wr...)
	return need
}

// flush submits the batch being recorded without waiting.
func (b *Backend) flush() {
	s := b.cur
	if s == nil {
		return
	}
	// Make every write visible to the host once the fence signals (engine-anchors.md §6.4).
	b.rec.barrier(s.cb, true)
	if r := vulkan.EndCommandBuffer(s.cb); r != vulkan.Success {
		b.deviceFailed("end command buffer", r)
	}
	if r := b.rec.submit(b.queue, s.cb, s.fence); r != vulkan.Success {
		b.deviceFailed("submit", r)
	}
	s.serial = b.serial
	s.inFlight = true
	b.serial++
	b.cur = nil
	b.stats.Submits++
}

// pollFences marks finished batches complete without waiting.
func (b *Backend) pollFences() {
	for _, s := range b.slots {
		if s.inFlight && vulkan.GetFenceStatus(b.dev, s.fence) == vulkan.Success {
			b.retire(s)
		}
	}
}

func (b *Backend) retire(s *slot) {
	s.inFlight = false
	b.profCollect(s)
	vulkan.ResetFences(b.dev, 1, []vulkan.Fence{s.fence})
	// Batches finish in submission order on one queue, but fences are polled in slot
	// order; completed is the highest serial below which nothing is still in flight.
	low := b.serial
	for _, o := range b.slots {
		if o.inFlight && o.serial < low {
			low = o.serial
		}
	}
	b.completed = low - 1
}

// waitSerial flushes if needed and waits until batch serial has finished.
func (b *Backend) waitSerial(serial uint64) {
	if serial <= b.completed {
		return
	}
	if b.cur != nil && serial >= b.serial {
		b.flush()
	}
	// A fence signals after every batch submitted before it on the queue has finished
	// too (Vulkan spec, vkQueueSubmit fence signal scope): one wait on the latest batch
	// at or before serial retires all of them.
	var last *slot
	for _, s := range b.slots {
		if s.inFlight && s.serial <= serial && (last == nil || s.serial > last.serial) {
			last = s
		}
	}
	if last == nil {
		return
	}
	r := vulkan.WaitForFences(b.dev, 1, []vulkan.Fence{last.fence}, vulkan.True, math.MaxUint64)
	if r != vulkan.Success {
		b.deviceFailed("wait for the device", r)
	}
	b.stats.HostWaits++
	for _, s := range b.slots {
		if s.inFlight && s.serial <= last.serial {
			b.retire(s)
		}
	}
}

// waitAll submits what is recorded and waits for everything.
func (b *Backend) waitAll() {
	b.flush()
	b.waitSerial(b.serial - 1)
}

func (b *Backend) deviceFailed(what string, r vulkan.Result) {
	msg := what + ": " + vulkan.Error(r).Error()
	switch r {
	case vulkan.ErrorOutOfDeviceMemory, vulkan.ErrorOutOfHostMemory:
		msg += "; use smaller batches or --device cpu"
	case vulkan.ErrorDeviceLost:
		msg += " (device lost; a driver timeout or a faulty kernel); rerun with --device cpu to compare"
	}
	panic(&tensor.DeviceError{Backend: b.name, Msg: msg})
}

// Sync waits until every recorded op has finished.
func (b *Backend) Sync() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waitAll()
	b.reclaim(false)
}
