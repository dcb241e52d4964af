//go:build !novulkan && cgo

package vk

import (
	"fmt"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/shaders"
)

// maxBindings is the number of storage buffers in the one descriptor layout every pipeline
// shares (ggml's universal layout, engine-anchors.md §1.1). Ops with more tensors are split.
const maxBindings = 8

// pushWords is the size of the push-constant block in 32-bit words: 8 element offsets,
// one per binding, then 24 op parameters. 128 bytes is the guaranteed minimum
// maxPushConstantsSize.
const pushWords = 32

// specCount is the number of specialisation constants a pipeline key holds: the workgroup
// size (ids 0-2) and up to 5 op-specific constants (ids 3-7).
const specCount = 8

type pipeKey struct {
	shader string
	spec   [specCount]uint32
}

// setKey names the blocks bound to the bindings of a descriptor set.
type setKey [maxBindings]int32

// descriptorSetsPerPool is the capacity of each descriptor pool.
const descriptorSetsPerPool = 256

func (b *Backend) createLayouts() error {
	dsl, layout, r := createLayouts(b.inst.inst, b.dev, b.pushDesc)
	if r != vulkan.Success {
		return vkErr("create pipeline layout", r)
	}
	b.dsl, b.layout = dsl, layout
	return nil
}

// pipeline returns the cached pipeline for (shader, spec), building it on first use.
func (b *Backend) pipeline(name string, spec [specCount]uint32) vulkan.Pipeline {
	key := pipeKey{name, spec}
	if p, ok := b.pipes[key]; ok {
		return p
	}
	mod, ok := b.modules[name]
	if !ok {
		code, err := shaders.SPIRV(name)
		if err != nil {
			panic(fmt.Sprintf("vk: %v", err))
		}
		m, r := b.rec.createModule(code)
		if r != vulkan.Success {
			b.deviceFailed("create shader module "+name, r)
		}
		mod = m
		b.modules[name] = mod
	}
	pipe, r := b.rec.createPipeline(mod, spec[:])
	if r != vulkan.Success {
		b.deviceFailed("create pipeline "+name, r)
	}
	b.pipes[key] = pipe
	b.stats.Pipelines++
	return pipe
}

// descriptorSet returns the cached set binding the given blocks, writing a new one on first
// use. Tensors are addressed by element offsets, so one set serves every tensor of the same
// blocks and the steady state allocates nothing.
func (b *Backend) descriptorSet(key setKey) vulkan.DescriptorSet {
	if s, ok := b.sets[key]; ok {
		return s
	}
	if b.setsLeft == 0 {
		dpi := vulkan.DescriptorPoolCreateInfo{
			SType:         vulkan.StructureTypeDescriptorPoolCreateInfo,
			MaxSets:       descriptorSetsPerPool,
			PoolSizeCount: 1,
			PPoolSizes: []vulkan.DescriptorPoolSize{{
				Type:            vulkan.DescriptorTypeStorageBuffer,
				DescriptorCount: descriptorSetsPerPool * maxBindings,
			}},
		}
		var pool vulkan.DescriptorPool
		if r := vulkan.CreateDescriptorPool(b.dev, &dpi, nil, &pool); r != vulkan.Success {
			b.deviceFailed("create descriptor pool", r)
		}
		b.descPools = append(b.descPools, pool)
		b.setsLeft = descriptorSetsPerPool
		b.stats.DescriptorPools++
	}
	ai := vulkan.DescriptorSetAllocateInfo{
		SType:              vulkan.StructureTypeDescriptorSetAllocateInfo,
		DescriptorPool:     b.descPools[len(b.descPools)-1],
		DescriptorSetCount: 1,
		PSetLayouts:        []vulkan.DescriptorSetLayout{b.dsl},
	}
	var set vulkan.DescriptorSet
	if r := vulkan.AllocateDescriptorSets(b.dev, &ai, &set); r != vulkan.Success {
		b.deviceFailed("allocate descriptor set", r)
	}
	b.setsLeft--
	var bufs [maxBindings]vulkan.Buffer
	var ranges [maxBindings]uint64
	for i, id := range key {
		bufs[i], ranges[i] = b.blocks[id].buf, b.blocks[id].size
	}
	b.rec.writeSet(set, &bufs, &ranges)
	b.sets[key] = set
	b.stats.DescriptorSets++
	return set
}
