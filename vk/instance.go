//go:build !novulkan && cgo

package vk

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	vulkan "github.com/vulkan-go/vulkan"
)

var (
	loaderOnce sync.Once
	loaderErr  error
)

// initLoader loads libvulkan once per process.
func initLoader() error {
	loaderOnce.Do(func() {
		if !loadLoader() {
			loaderErr = errors.New("no Vulkan loader (libvulkan.so.1 not found): install the Vulkan loader and a driver (Debian: libvulkan1 mesa-vulkan-drivers) or use --device cpu")
			return
		}
		if err := vulkan.Init(); err != nil {
			loaderErr = fmt.Errorf("Vulkan loader found but unusable (%v): reinstall libvulkan1 or use --device cpu", err)
		}
	})
	return loaderErr
}

func vkErr(what string, r vulkan.Result) error {
	if r == vulkan.Success {
		return nil
	}
	return fmt.Errorf("%s: %v", what, vulkan.Error(r))
}

// instance is a Vulkan 1.1 instance with the debug messenger when validation is available.
type instance struct {
	inst vulkan.Instance
	msgr messenger
}

func newInstance() (*instance, error) {
	if err := initLoader(); err != nil {
		return nil, err
	}
	inst, debug, r := createInstance()
	if r != vulkan.Success {
		if r == vulkan.ErrorIncompatibleDriver {
			return nil, errors.New("no Vulkan 1.1 driver found: install a Vulkan driver (Debian: mesa-vulkan-drivers) or use --device cpu")
		}
		return nil, vkErr("create Vulkan instance", r)
	}
	// vulkan-go fetches instance-level entry points only here (engine-anchors.md §1.4).
	if err := vulkan.InitInstance(inst); err != nil {
		vulkan.DestroyInstance(inst, nil)
		return nil, fmt.Errorf("load Vulkan instance functions: %v", err)
	}
	in := &instance{inst: inst}
	if debug {
		in.msgr = installMessenger(inst)
	}
	return in, nil
}

func (in *instance) destroy() {
	if in.msgr != nil {
		destroyMessenger(in.inst, in.msgr)
	}
	vulkan.DestroyInstance(in.inst, nil)
}

// physicalDevices lists the devices in the loader's order with their properties.
func (in *instance) physicalDevices() ([]vulkan.PhysicalDevice, []DeviceInfo, error) {
	var n uint32
	if r := vulkan.EnumeratePhysicalDevices(in.inst, &n, nil); r != vulkan.Success {
		return nil, nil, vkErr("enumerate Vulkan devices", r)
	}
	pds := make([]vulkan.PhysicalDevice, n)
	if n > 0 {
		if r := vulkan.EnumeratePhysicalDevices(in.inst, &n, pds); r != vulkan.Success {
			return nil, nil, vkErr("enumerate Vulkan devices", r)
		}
	}
	infos := make([]DeviceInfo, n)
	for i, pd := range pds {
		p := queryProps(in.inst, pd)
		infos[i] = deviceInfoFrom(i, &p)
	}
	return pds, infos, nil
}

// Devices lists every Vulkan device of this machine.
func Devices() ([]DeviceInfo, error) {
	in, err := newInstance()
	if err != nil {
		return nil, err
	}
	defer in.destroy()
	_, infos, err := in.physicalDevices()
	return infos, err
}

// pickDevice returns the index named by spec ("vulkan" = best type first, "vulkan:N" =
// the N-th device as listed by Devices).
func pickDevice(spec string, infos []DeviceInfo) (int, error) {
	if len(infos) == 0 {
		return 0, errors.New("no Vulkan device found: install a Vulkan driver (Debian: mesa-vulkan-drivers) or use --device cpu")
	}
	switch {
	case spec == "vulkan":
		order := make([]int, len(infos))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			return typeRank(infos[order[a]].Type) < typeRank(infos[order[b]].Type)
		})
		for _, i := range order {
			if infos[i].HasComputeQueue {
				return i, nil
			}
		}
		return 0, errors.New("no Vulkan device has a compute queue: use --device cpu")
	case strings.HasPrefix(spec, "vulkan:"):
		i, err := strconv.Atoi(spec[len("vulkan:"):])
		if err != nil || i < 0 {
			return 0, fmt.Errorf("device %q: want vulkan:N with N a device index (see nas devices)", spec)
		}
		if i >= len(infos) {
			return 0, fmt.Errorf("device %q: only %d Vulkan device(s) (see nas devices)", spec, len(infos))
		}
		if !infos[i].HasComputeQueue {
			return 0, fmt.Errorf("device %q (%s) has no compute queue: pick another (see nas devices)", spec, infos[i].Name)
		}
		return i, nil
	}
	return 0, fmt.Errorf("device %q: want vulkan or vulkan:N", spec)
}
