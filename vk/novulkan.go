//go:build novulkan || !cgo

package vk

import (
	"errors"

	"godarts/tensor"
)

var errNoVulkan = errors.New("built without Vulkan (-tags novulkan): rebuild with cgo and without the tag, or use --device cpu")

// Open reports that this binary has no Vulkan support.
func Open(spec string) (tensor.Backend, error) { return nil, errNoVulkan }

// Devices reports that this binary has no Vulkan support.
func Devices() ([]DeviceInfo, error) { return nil, errNoVulkan }

// Stats reports no counters: there is no Vulkan backend in this build.
func Stats(tensor.Backend) (Counters, bool) { return Counters{}, false }

// ValidationMessages reports none: there is no Vulkan backend in this build.
func ValidationMessages(tensor.Backend) (int, string) { return 0, "" }

// Profile reports no profile: there is no Vulkan backend in this build.
func Profile(tensor.Backend, bool) ([]ProfileRow, bool) { return nil, false }
