package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"

	"godarts/vk"
)

func init() {
	register(command{name: "devices", summary: "list the compute devices (CPU and Vulkan)", run: runDevices})
}

// devicesReport is what `nas devices --json` prints.
type devicesReport struct {
	CPU         cpuDevice       `json:"cpu"`
	Vulkan      []vk.DeviceInfo `json:"vulkan"`
	VulkanError string          `json:"vulkan_error,omitempty"`
}

type cpuDevice struct {
	Spec    string `json:"spec"`
	Threads int    `json:"threads"`
	Arch    string `json:"arch"`
}

func runDevices(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("devices", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rep := devicesReport{CPU: cpuDevice{Spec: "cpu", Threads: runtime.NumCPU(), Arch: runtime.GOARCH}}
	devs, err := vk.Devices()
	if err != nil {
		// No Vulkan is not a failure of this command: the CPU is still listed.
		rep.VulkanError = err.Error()
	}
	rep.Vulkan = devs
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "cpu: %d threads, %s (--device cpu)\n", rep.CPU.Threads, rep.CPU.Arch)
	if rep.VulkanError != "" {
		fmt.Fprintf(stdout, "vulkan: %s\n", rep.VulkanError)
	}
	for _, d := range devs {
		fmt.Fprintf(stdout, "vulkan:%d: %s (%s), driver %s %s, Vulkan %s\n", d.Index, d.Name, d.Type, d.Driver, d.DriverInfo, d.APIVersion)
		for i, h := range d.Heaps {
			loc := "host"
			if h.DeviceLocal {
				loc = "device-local"
			}
			var types []string
			for j, t := range d.MemoryTypes {
				if t.Heap == i {
					types = append(types, fmt.Sprintf("type %d %s", j, t.FlagNames()))
				}
			}
			fmt.Fprintf(stdout, "  heap %d: %d MiB %s; %s\n", i, h.Size>>20, loc, strings.Join(types, ", "))
		}
		fmt.Fprintf(stdout, "  subgroup %d, workgroup ≤ %d invocations %v, groups ≤ %v, shared memory %d KiB\n",
			d.SubgroupSize, d.MaxWorkgroupInvocations, d.MaxWorkgroupSize, d.MaxWorkgroupCount, d.MaxSharedMemory>>10)
		fmt.Fprintf(stdout, "  storage binding ≤ %d MiB, push constants %d B, offset alignment %d, 16-bit storage %v, float16 %v, push descriptors %v\n",
			d.MaxStorageBufferRange>>20, d.MaxPushConstants, d.MinStorageBufferOffsetAlignment, d.Storage16Bit, d.Float16, d.PushDescriptor)
		if !d.HasComputeQueue {
			fmt.Fprintf(stdout, "  no compute queue: not usable\n")
		}
	}
	return nil
}
