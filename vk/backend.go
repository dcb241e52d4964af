//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/tensor"
)

// Backend is the Vulkan implementation of tensor.Backend. Every method takes one lock:
// command pools, descriptor pools and queues need external synchronisation.
type Backend struct {
	mu   sync.Mutex
	name string
	info DeviceInfo
	inst *instance

	pd     vulkan.PhysicalDevice
	dev    vulkan.Device
	queue  vulkan.Queue
	family uint32

	uma         bool // tensors live in host-visible memory the host may write directly
	devPool     *pool
	stagePool   *pool // == devPool on unified memory
	blocks      []*block
	maxBinding  uint64
	offsetAlign uint64 // minStorageBufferOffsetAlignment

	// Deferred frees: allocations waiting for their last batch, and those dropped by the
	// garbage collector (appended on the cleanup goroutine under freeMu).
	pending      []*alloc
	pendingBytes uint64
	freeMu       sync.Mutex
	dropped      []*alloc
	allocSinceGC uint64      // bytes allocated since paceGC last started a collection
	gcIdle       atomic.Bool // no paced collection running

	rec       recorder
	cmdPool   vulkan.CommandPool
	slots     []*slot
	cur       *slot
	inBatch   int
	serial    uint64 // the batch being recorded
	completed uint64 // every batch ≤ completed has finished
	boundPipe vulkan.Pipeline
	boundSet  vulkan.DescriptorSet
	written   []rng
	read      []rng

	pushDesc  bool // bindings are push descriptors with exact ranges
	dsl       vulkan.DescriptorSetLayout
	layout    vulkan.PipelineLayout
	descPools []vulkan.DescriptorPool
	setsLeft  int
	sets      map[setKey]vulkan.DescriptorSet
	modules   map[string]vulkan.ShaderModule
	pipes     map[pipeKey]vulkan.Pipeline

	wg1     uint32 // 1-d workgroup size
	wgGEMM  [2]uint32
	tileGEM [2]uint32 // per-thread tile TM, TN
	// splitTarget is the number of workgroups a GEMM should reach by splitting K.
	splitTarget int

	stats Counters
	msgs0 uint64 // validation messages seen before this backend opened

	shadow tensor.Backend // GODARTS_VK_CHECK=1: a CPU backend that checks every op
	prof   *profiler      // GODARTS_VK_PROFILE=1: GPU time per shader; nil when off
}

// Open opens the Vulkan device named by spec: "vulkan" takes the best device (discrete,
// integrated, virtual, then CPU), "vulkan:N" the N-th device listed by Devices.
//
// Environment switches: GODARTS_VK_CHECK=1 checks every op against the CPU backend (slow);
// GODARTS_VK_STAGING=1 uses the discrete-GPU memory path (staging copies) on any device;
// GODARTS_VK_PROFILE=1 times every dispatch on the device (Profile, WriteProfile).
func Open(spec string) (tensor.Backend, error) {
	b, err := open(spec, options{
		forceStaging: os.Getenv("GODARTS_VK_STAGING") == "1",
		shadow:       os.Getenv("GODARTS_VK_CHECK") == "1",
		profile:      os.Getenv("GODARTS_VK_PROFILE") == "1",
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

type options struct {
	forceStaging bool // device-local memory and staging copies even on unified memory
	shadow       bool // check every op against the CPU backend
	profile      bool // time every dispatch with timestamp queries

	noPushDescriptors bool // cached descriptor sets even where push descriptors exist
	splitTarget       int  // if > 0, overrides the workgroup count split-K GEMMs aim for
}

func open(spec string, opt options) (*Backend, error) {
	in, err := newInstance()
	if err != nil {
		return nil, err
	}
	pds, infos, err := in.physicalDevices()
	if err != nil {
		in.destroy()
		return nil, err
	}
	idx, err := pickDevice(spec, infos)
	if err != nil {
		in.destroy()
		return nil, err
	}
	b := &Backend{
		inst:    in,
		pd:      pds[idx],
		info:    infos[idx],
		serial:  1,
		sets:    map[setKey]vulkan.DescriptorSet{},
		modules: map[string]vulkan.ShaderModule{},
		pipes:   map[pipeKey]vulkan.Pipeline{},
	}
	b.gcIdle.Store(true)
	b.msgs0, _ = validationMessages()
	b.name = fmt.Sprintf("vulkan:%d %s", idx, b.info.Name)
	if err := b.init(opt.forceStaging, opt.noPushDescriptors); err != nil {
		in.destroy()
		return nil, fmt.Errorf("vulkan:%d (%s): %w", idx, b.info.Name, err)
	}
	if opt.splitTarget > 0 {
		b.splitTarget = opt.splitTarget
	}
	if opt.shadow {
		b.shadow = newShadow()
	}
	if opt.profile {
		b.prof = newProfiler(b.info)
	}
	return b, nil
}

func (b *Backend) init(forceStaging, noPush bool) error {
	info := &b.info
	if info.MaxPushConstants < pushWords*4 {
		return fmt.Errorf("device offers %d bytes of push constants, want %d: use another device or --device cpu", info.MaxPushConstants, pushWords*4)
	}
	if info.MaxStorageBuffersPerStage < maxBindings {
		return fmt.Errorf("device binds %d storage buffers per stage, want %d: use another device or --device cpu", info.MaxStorageBuffersPerStage, maxBindings)
	}
	b.family = uint32(info.ComputeQueueFamily)
	// Push descriptors (VK_KHR_push_descriptor) bind each tensor's exact range per
	// dispatch; without them one cached descriptor set per combination of blocks is bound.
	b.pushDesc = info.PushDescriptor && !noPush
	dev, r := createDevice(b.inst.inst, b.pd, b.family, b.pushDesc)
	if r != vulkan.Success {
		return vkErr("create logical device", r)
	}
	b.dev = dev
	var queue vulkan.Queue
	vulkan.GetDeviceQueue(b.dev, b.family, 0, &queue)
	b.queue = queue

	b.maxBinding = info.MaxStorageBufferRange
	if info.MaxMemoryAllocation != 0 && info.MaxMemoryAllocation < b.maxBinding {
		b.maxBinding = info.MaxMemoryAllocation
	}
	b.maxBinding = b.maxBinding / allocAlign * allocAlign
	b.offsetAlign = uint64(max(4, info.MinStorageBufferOffsetAlignment))
	if allocAlign%b.offsetAlign != 0 {
		return fmt.Errorf("minStorageBufferOffsetAlignment %d does not divide %d", b.offsetAlign, allocAlign)
	}
	blockSize := min(uint64(maxBlockSize), b.maxBinding)

	// Memory policy (engine-anchors.md §6.3): unified memory is mapped and written directly;
	// a discrete GPU keeps tensors in device-local memory and stages through host memory.
	const umaFlags = memDeviceLocal | memHostVisible | memHostCoherent
	if t, ok := findMemoryType(info, ^uint32(0), umaFlags, memHostCached); ok && info.Type != "discrete" && !forceStaging {
		b.uma = true
		b.devPool = &pool{backend: b, name: "unified", typeIndex: t, host: true, blockSize: blockSize}
		b.stagePool = b.devPool
	} else {
		dt, ok := findMemoryType(info, ^uint32(0), memDeviceLocal, 0)
		if !ok {
			return fmt.Errorf("no device-local memory type")
		}
		st, ok := findMemoryType(info, ^uint32(0), memHostVisible|memHostCoherent, memHostCached)
		if !ok {
			return fmt.Errorf("no host-visible coherent memory type for staging")
		}
		b.devPool = &pool{backend: b, name: "device", typeIndex: dt, blockSize: blockSize}
		b.stagePool = &pool{backend: b, name: "staging", typeIndex: st, host: true, blockSize: min(blockSize, 16<<20)}
	}

	// A pool may take 3/4 of its heap before it waits for pending frees instead of growing.
	for _, p := range []*pool{b.devPool, b.stagePool} {
		p.budget = info.Heaps[info.MemoryTypes[p.typeIndex].Heap].Size / 4 * 3
	}

	cpi := vulkan.CommandPoolCreateInfo{
		SType:            vulkan.StructureTypeCommandPoolCreateInfo,
		Flags:            vulkan.CommandPoolCreateFlags(vulkan.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: b.family,
	}
	var cmdPool vulkan.CommandPool
	if r := vulkan.CreateCommandPool(b.dev, &cpi, nil, &cmdPool); r != vulkan.Success {
		return vkErr("create command pool", r)
	}
	b.cmdPool = cmdPool
	if err := b.createLayouts(); err != nil {
		return err
	}
	if !b.rec.init(b.inst.inst, b.dev, b.layout) {
		return fmt.Errorf("device lacks core command entry points")
	}
	// Block 0 is bound where an op leaves a binding unused. It holds no tensor, so
	// synchronisation validation (which assumes a shader touches every binding it
	// declares) sees no hazard through it.
	dummy := &pool{backend: b, name: "unused bindings", typeIndex: b.devPool.typeIndex, host: b.devPool.host}
	if _, err := b.newBlock(dummy, allocAlign); err != nil {
		return fmt.Errorf("%v: the device has too little memory; use --device cpu", err)
	}
	b.chooseWorkgroups()
	return nil
}

// chooseWorkgroups clamps the default workgroup sizes to the device's limits
// (engine-anchors.md §6.5): 256 threads for 1-d kernels, 16×16 for GEMM tiles.
func (b *Backend) chooseWorkgroups() {
	want1, wantG, tile := uint32(256), uint32(16), uint32(64)
	if b.info.Type == "cpu" {
		// CPU drivers (lavapipe) run a workgroup's invocations as coroutines in SIMD
		// batches; every barrier switches all of them, so smaller groups are much faster.
		want1, wantG, tile = 64, 8, 32
	}
	// Enough workgroups to fill a large GPU (about 100 compute units, two groups each);
	// a CPU driver (lavapipe: one workgroup at a time per thread, a thread per core) wants
	// one per core, so a long weight-gradient reduction does not run on one core alone.
	b.splitTarget = 256
	if b.info.Type == "cpu" {
		b.splitTarget = runtime.NumCPU()
	}
	lim := min(b.info.MaxWorkgroupInvocations, b.info.MaxWorkgroupSize[0])
	wg := want1
	for int(wg) > lim && wg > 1 {
		wg /= 2
	}
	b.wg1 = wg
	x, y := wantG, wantG
	for int(x*y) > b.info.MaxWorkgroupInvocations || int(x) > b.info.MaxWorkgroupSize[0] || int(y) > b.info.MaxWorkgroupSize[1] {
		if y >= x {
			y /= 2
		} else {
			x /= 2
		}
	}
	b.wgGEMM = [2]uint32{x, y}
	// A tile of tile×tile outputs (two tiles of BK = 16 rows in shared memory).
	b.tileGEM = [2]uint32{tile / y, tile / x}
	if int(2*16*tile*4) > b.info.MaxSharedMemory {
		b.tileGEM = [2]uint32{1, 1}
	}
}

// Name says which device this is, e.g. "vulkan:0 llvmpipe (LLVM 15.0.6, 256 bits)".
func (b *Backend) Name() string { return b.name }

// Info returns the device's properties.
func (b *Backend) Info() DeviceInfo { return b.info }

// UnifiedMemory reports whether tensors live in host-visible memory (no staging).
func (b *Backend) UnifiedMemory() bool { return b.uma }

// Stats returns the counters of a Vulkan backend; ok is false for another backend.
func Stats(tb tensor.Backend) (c Counters, ok bool) {
	b, ok := tb.(*Backend)
	if !ok {
		return Counters{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c = b.stats
	c.PendingFreeBytes = int64(b.pendingBytes)
	return c, true
}

// ValidationMessages returns how many Vulkan validation messages arrived since b opened
// (only with VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation) and the last one.
func ValidationMessages(tb tensor.Backend) (int, string) {
	b, ok := tb.(*Backend)
	if !ok {
		return 0, ""
	}
	n, last := validationMessages()
	return int(n - b.msgs0), last
}

// Close waits for the device and releases every Vulkan object. b must not be used after.
func (b *Backend) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dev == nil {
		return
	}
	b.waitAll()
	vulkan.DeviceWaitIdle(b.dev)
	for _, p := range b.pipes {
		vulkan.DestroyPipeline(b.dev, p, nil)
	}
	for _, m := range b.modules {
		vulkan.DestroyShaderModule(b.dev, m, nil)
	}
	for _, p := range b.descPools {
		vulkan.DestroyDescriptorPool(b.dev, p, nil)
	}
	vulkan.DestroyPipelineLayout(b.dev, b.layout, nil)
	vulkan.DestroyDescriptorSetLayout(b.dev, b.dsl, nil)
	for _, s := range b.slots {
		vulkan.DestroyFence(b.dev, s.fence, nil)
		if s.qp != nil {
			b.rec.destroyQueryPool(s.qp)
		}
	}
	vulkan.DestroyCommandPool(b.dev, b.cmdPool, nil)
	for _, blk := range b.blocks {
		vulkan.DestroyBuffer(b.dev, blk.buf, nil)
		vulkan.FreeMemory(b.dev, blk.mem, nil)
	}
	vulkan.DestroyDevice(b.dev, nil)
	b.dev = nil
	b.inst.destroy()
}

// tempAlloc takes a staging allocation used by the batch being recorded and frees it at
// once: it returns to the pool when that batch has finished.
func (b *Backend) tempAlloc(n int) *alloc {
	a, err := b.allocFrom(b.stagePool, n)
	if err != nil {
		panic(&tensor.DeviceError{Backend: b.name, Msg: "staging: " + err.Error() + "; use --device cpu"})
	}
	b.stats.LiveBuffers++
	b.stats.LiveBytes += int64(a.size)
	return a
}

func (b *Backend) recordFill(a *alloc) {
	cb := b.cmd()
	r := rng{a.blk.id, a.off, a.off + a.size}
	bar := b.hazard(nil, []rng{r})
	b.rec.fill(cb, bar, a.blk.buf, a.off, a.size)
	a.lastUse = b.serial
}

// Upload copies src into dst at element off, ordered with the ops recorded around it.
func (b *Backend) Upload(dst tensor.Buffer, off int, src []float32) {
	buf := b.own(dst, "Upload")
	a := buf.a
	if off < 0 || off+len(src) > a.n {
		panic(fmt.Sprintf("vk Upload: %d values at offset %d into a buffer of %d", len(src), off, a.n))
	}
	if len(src) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.BytesUp += int64(4 * len(src))
	if a.blk.mapped != nil && a.lastUse > b.completed {
		b.pollFences()
	}
	if a.blk.mapped != nil && a.lastUse <= b.completed {
		// No work in flight or recorded touches a: write it in place.
		copy(a.hostSlice(off, len(src)), src)
		return
	}
	st := b.tempAlloc(len(src))
	copy(st.hostSlice(0, len(src)), src)
	cb := b.cmd()
	dr := rng{a.blk.id, a.off + uint64(off)*4, a.off + uint64(off+len(src))*4}
	sr := rng{st.blk.id, st.off, st.off + st.size}
	bar := b.hazard([]rng{sr}, []rng{dr})
	b.rec.copy(cb, bar, st.blk.buf, st.off, a.blk.buf, dr.lo, uint64(4*len(src)))
	a.lastUse, st.lastUse = b.serial, b.serial
	b.release(st)
	b.stats.StagedUploads++
	b.countRecorded()
}

// Download copies len(dst) elements of src from element off, after the work recorded
// before it that touches src has finished.
func (b *Backend) Download(dst []float32, src tensor.Buffer, off int) {
	buf := b.own(src, "Download")
	a := buf.a
	if off < 0 || off+len(dst) > a.n {
		panic(fmt.Sprintf("vk Download: %d values at offset %d from a buffer of %d", len(dst), off, a.n))
	}
	if len(dst) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.BytesDown += int64(4 * len(dst))
	if a.blk.mapped != nil {
		b.waitSerial(a.lastUse)
		copy(dst, a.hostSlice(off, len(dst)))
		return
	}
	st := b.tempAlloc(len(dst))
	cb := b.cmd()
	sr := rng{a.blk.id, a.off + uint64(off)*4, a.off + uint64(off+len(dst))*4}
	dr := rng{st.blk.id, st.off, st.off + st.size}
	bar := b.hazard([]rng{sr}, []rng{dr})
	b.rec.copy(cb, bar, a.blk.buf, sr.lo, st.blk.buf, st.off, uint64(4*len(dst)))
	a.lastUse, st.lastUse = b.serial, b.serial
	b.waitSerial(b.serial)
	copy(dst, st.hostSlice(0, len(dst)))
	b.release(st)
}

// countRecorded submits the batch once it holds flushEvery commands.
func (b *Backend) countRecorded() {
	b.inBatch++
	if b.inBatch >= flushEvery {
		b.flush()
	}
}
