package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"godarts/tensor"
	"godarts/tensor/cpu"
	"godarts/vk"
)

// openDevice turns --device and --threads into a backend: cpu, vulkan, vulkan:N, or auto
// (Vulkan when a device exists, otherwise the CPU with a one-line notice).
func openDevice(spec string, threads int, stderr io.Writer) (tensor.Backend, string, error) {
	if threads < 0 {
		return nil, "", usagef("--threads %d: want ≥ 0 (0 = all %d cores)", threads, runtime.NumCPU())
	}
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	cpuDesc := fmt.Sprintf("cpu (%d threads)", threads)
	switch {
	case spec == "cpu":
		return cpu.New(threads), cpuDesc, nil
	case spec == "vulkan" || strings.HasPrefix(spec, "vulkan:"):
		b, err := vk.Open(spec)
		if err != nil {
			return nil, "", fmt.Errorf("--device %s: %v", spec, err)
		}
		return b, b.Name(), nil
	case spec == "auto":
		// A CPU-type Vulkan device (Mesa lavapipe) is many times slower than our own CPU
		// backend, so auto takes only real GPUs.
		devs, err := vk.Devices()
		gpu := -1
		for _, d := range devs {
			if d.Type != "cpu" && gpu < 0 {
				gpu = d.Index
			}
		}
		if err != nil || gpu < 0 {
			why := "only CPU-type Vulkan devices"
			if err != nil {
				why = err.Error()
			}
			fmt.Fprintf(stderr, "nas: no Vulkan GPU (%s); using the CPU backend\n", why)
			return cpu.New(threads), cpuDesc, nil
		}
		b, err := vk.Open(fmt.Sprintf("vulkan:%d", gpu))
		if err != nil {
			fmt.Fprintf(stderr, "nas: Vulkan GPU %d failed to open (%v); using the CPU backend\n", gpu, err)
			return cpu.New(threads), cpuDesc, nil
		}
		return b, b.Name(), nil
	}
	return nil, "", usagef("--device %q: want cpu, vulkan, vulkan:N or auto", spec)
}
