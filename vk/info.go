package vk

import (
	"fmt"
	"strings"
)

// DeviceInfo describes one Vulkan physical device, read once through the Vulkan 1.1 queries.
type DeviceInfo struct {
	Index         int    `json:"index"`
	Name          string `json:"name"`
	Type          string `json:"type"` // discrete, integrated, virtual, cpu, other
	Driver        string `json:"driver"`
	DriverInfo    string `json:"driver_info"`
	APIVersion    string `json:"api_version"`
	DriverVersion uint32 `json:"driver_version"`
	VendorID      uint32 `json:"vendor_id"`
	DeviceID      uint32 `json:"device_id"`

	Heaps       []MemoryHeap `json:"heaps"`
	MemoryTypes []MemoryType `json:"memory_types"`

	SubgroupSize                    int     `json:"subgroup_size"`
	SubgroupOps                     uint32  `json:"subgroup_ops"`
	MaxWorkgroupInvocations         int     `json:"max_workgroup_invocations"`
	MaxWorkgroupSize                [3]int  `json:"max_workgroup_size"`
	MaxWorkgroupCount               [3]int  `json:"max_workgroup_count"`
	MaxSharedMemory                 int     `json:"max_shared_memory"`
	MaxStorageBufferRange           uint64  `json:"max_storage_buffer_range"`
	MaxPushConstants                int     `json:"max_push_constants"`
	MinStorageBufferOffsetAlignment int     `json:"min_storage_buffer_offset_alignment"`
	MaxMemoryAllocation             uint64  `json:"max_memory_allocation"`
	MaxStorageBuffersPerStage       int     `json:"max_storage_buffers_per_stage"`
	Storage16Bit                    bool    `json:"storage_16bit"`
	Float16                         bool    `json:"float16"`
	PushDescriptor                  bool    `json:"push_descriptor"`
	HasComputeQueue                 bool    `json:"has_compute_queue"`
	ComputeQueueFamily              int     `json:"compute_queue_family"`
	TimestampPeriod                 float32 `json:"timestamp_period"`     // nanoseconds per timestamp tick
	TimestampValidBits              int     `json:"timestamp_valid_bits"` // of the compute queue; 0: no timestamps
}

// MemoryHeap is one memory heap of a device.
type MemoryHeap struct {
	Size        uint64 `json:"size"`
	DeviceLocal bool   `json:"device_local"`
}

// MemoryType is one memory type: its heap and VkMemoryPropertyFlags.
type MemoryType struct {
	Heap  int    `json:"heap"`
	Flags uint32 `json:"flags"`
}

// Vulkan memory property bits (VkMemoryPropertyFlagBits).
const (
	memDeviceLocal  = 0x1
	memHostVisible  = 0x2
	memHostCoherent = 0x4
	memHostCached   = 0x8
)

// FlagNames spells a memory type's flags, e.g. "device-local|host-visible".
func (m MemoryType) FlagNames() string {
	var s []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{{memDeviceLocal, "device-local"}, {memHostVisible, "host-visible"}, {memHostCoherent, "host-coherent"}, {memHostCached, "host-cached"}} {
		if m.Flags&f.bit != 0 {
			s = append(s, f.name)
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "|")
}

// typeRank orders device types for the default choice: discrete first, CPU last.
func typeRank(t string) int {
	switch t {
	case "discrete":
		return 0
	case "integrated":
		return 1
	case "virtual":
		return 2
	case "cpu":
		return 3
	}
	return 4
}

func deviceTypeName(t uint32) string {
	// VkPhysicalDeviceType values.
	switch t {
	case 1:
		return "integrated"
	case 2:
		return "discrete"
	case 3:
		return "virtual"
	case 4:
		return "cpu"
	}
	return "other"
}

func versionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>22&0x7f, v>>12&0x3ff, v&0xfff)
}

// Counters are the backend's running totals, for tests and `nas bench --json`.
type Counters struct {
	Submits          int64 `json:"submits"`
	HostWaits        int64 `json:"host_waits"` // waits on a fence: Download, Sync, throttling
	Dispatches       int64 `json:"dispatches"`
	Barriers         int64 `json:"barriers"`
	BytesUp          int64 `json:"bytes_up"`
	BytesDown        int64 `json:"bytes_down"`
	StagedUploads    int64 `json:"staged_uploads"` // uploads recorded as copies (buffer in use, or discrete GPU)
	Pipelines        int64 `json:"pipelines"`      // pipelines created
	DescriptorPools  int64 `json:"descriptor_pools"`
	DescriptorSets   int64 `json:"descriptor_sets"`
	CommandBuffers   int64 `json:"command_buffers"`
	Blocks           int64 `json:"blocks"`       // device memory blocks allocated
	BlockBytes       int64 `json:"block_bytes"`  // bytes in those blocks
	LiveBuffers      int64 `json:"live_buffers"` // buffers allocated and not yet freed
	LiveBytes        int64 `json:"live_bytes"`
	PendingFreeBytes int64 `json:"pending_free_bytes"` // freed, waiting for the device to finish with them
}
