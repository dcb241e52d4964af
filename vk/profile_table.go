package vk

import (
	"fmt"
	"io"
	"sort"

	"godarts/tensor"
)

// A ProfileRow is the GPU time of one shader (or one pipeline: Spec set) under
// GODARTS_VK_PROFILE=1.
type ProfileRow struct {
	Shader  string  `json:"shader"`
	Spec    string  `json:"spec,omitempty"` // workgroup size and constants, per pipeline
	Calls   int64   `json:"calls"`          // dispatches timed
	TotalMs float64 `json:"total_ms"`
	MeanUs  float64 `json:"mean_us"`
	Share   float64 `json:"share"` // of the GPU time of all timed dispatches, 0..1
}

// finishRows fills the means and shares and sorts by time, most first.
func finishRows(rows []ProfileRow, totalMs float64) []ProfileRow {
	for i := range rows {
		r := &rows[i]
		if r.Calls > 0 {
			r.MeanUs = r.TotalMs * 1e3 / float64(r.Calls)
		}
		if totalMs > 0 {
			r.Share = r.TotalMs / totalMs
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].TotalMs != rows[j].TotalMs {
			return rows[i].TotalMs > rows[j].TotalMs
		}
		return rows[i].Shader+rows[i].Spec < rows[j].Shader+rows[j].Spec
	})
	return rows
}

// pipelineRows is how many pipelines WriteProfile lists after the shaders.
const pipelineRows = 12

// WriteProfile prints the GPU time per shader, then the costliest pipelines, when tb is a
// Vulkan backend profiling (GODARTS_VK_PROFILE=1); otherwise it prints nothing.
func WriteProfile(w io.Writer, tb tensor.Backend) {
	rows, ok := Profile(tb, false)
	if !ok {
		return
	}
	var calls int64
	var ms float64
	for _, r := range rows {
		calls += r.Calls
		ms += r.TotalMs
	}
	fmt.Fprintf(w, "GPU time per shader (GODARTS_VK_PROFILE): %d dispatches, %.1f ms\n", calls, ms)
	fmt.Fprintf(w, "  %-34s %8s %11s %11s %6s\n", "shader", "calls", "total ms", "mean µs", "share")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-34s %8d %11.2f %11.1f %5.1f%%\n", r.Shader, r.Calls, r.TotalMs, r.MeanUs, 100*r.Share)
	}
	pipes, _ := Profile(tb, true)
	if len(pipes) > pipelineRows {
		pipes = pipes[:pipelineRows]
	}
	fmt.Fprintf(w, "costliest pipelines:\n")
	for _, r := range pipes {
		fmt.Fprintf(w, "  %-34s %-24s %8d %11.2f %11.1f %5.1f%%\n", r.Shader, r.Spec, r.Calls, r.TotalMs, r.MeanUs, 100*r.Share)
	}
}
