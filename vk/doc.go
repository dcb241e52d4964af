// Package vk is the Vulkan compute backend of the tensor engine: device choice, pooled
// memory, batched command recording with hazard tracking, and cached pipelines built from
// the SPIR-V of package shaders.
//
// Open("vulkan") takes the best device (discrete, integrated, virtual, then CPU drivers such
// as lavapipe); Open("vulkan:N") the N-th one listed by Devices. The design follows
// ../shared/DESIGN.md and engine-anchors.md §6:
//
//   - Memory: blocks of up to 64 MiB (and never above maxStorageBufferRange), each one
//     VkDeviceMemory with one VkBuffer, sub-allocated first-fit with merging. A freed
//     buffer returns to its block only when the last batch that used it has finished.
//     On unified memory (integrated GPUs, lavapipe) blocks are mapped and the host writes
//     and reads them directly; on discrete GPUs tensors live in device-local memory and
//     uploads and readbacks go through host-visible (preferably host-cached) staging.
//   - Recording: ops are recorded into command buffers from a growing ring and submitted
//     every 100 dispatches without waiting. One global memory barrier is recorded only
//     where a dispatch touches bytes an earlier command wrote (ggml's scheme). The host
//     waits only in Download, Sync, or when 64 batches are in flight.
//   - Bindings: with VK_KHR_push_descriptor every dispatch pushes the exact byte ranges of
//     its tensors (8 storage buffers, one layout for all pipelines); without it, one cached
//     descriptor set per combination of blocks is bound and tensors are located by element
//     offsets in push constants. Shapes are push constants, workgroup sizes and kernel
//     variants specialisation constants; pipelines are cached by (shader, constants).
//   - A C shim reaches what vulkan-go (Vulkan 1.0 headers) lacks: the Vulkan 1.1 property
//     and feature queries, the debug-utils messenger, push descriptors, and one cgo call
//     per recorded dispatch.
//
// Environment: GODARTS_VK_CHECK=1 re-runs every op on the CPU backend and panics naming the
// first op whose result differs; GODARTS_VK_STAGING=1 uses the discrete-GPU memory path on
// any device; GODARTS_VK_PROFILE=1 brackets every dispatch with timestamp queries and sums
// the device time per shader and pipeline (Profile; WriteProfile prints the table that
// `nas bench` and `nas search` show at the end), read when a batch's fence is found
// signalled anyway (no query pool, no extra command when off); VK_INSTANCE_LAYERS=
// VK_LAYER_KHRONOS_validation turns the validation layer on (ValidationMessages counts what
// it reports).
//
// Built with -tags novulkan (or without cgo), Open and Devices return an error and the
// rest of the program stays pure Go.
package vk
