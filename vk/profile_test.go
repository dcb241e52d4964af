//go:build !novulkan && cgo

package vk

import (
	"os"
	"strings"
	"testing"

	"godarts/tensor"
)

// openProfiled opens a second backend with GODARTS_VK_PROFILE's option, failing under
// CI=true and skipping elsewhere when there is no device or its queue has no timestamps.
func openProfiled(t *testing.T) *Backend {
	t.Helper()
	device(t) // skips or fails when there is no device at all
	b, err := open("vulkan", options{profile: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if b.prof == nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s has no timestamps on its compute queue", b.Name())
		}
		t.Skipf("%s has no timestamps on its compute queue", b.Name())
	}
	return b
}

func rowsByShader(rows []ProfileRow) map[string]ProfileRow {
	m := map[string]ProfileRow{}
	for _, r := range rows {
		m[r.Shader] = r
	}
	return m
}

// TestProfile: with profiling on, every dispatch of a training step and of 250 ReLUs (three
// batches) is timed under its shader's name, the counts equal the dispatches issued, every
// shader has a positive time, shares add up to 1, and the steps wait on the host no more
// than without profiling (timestamps are read when a fence is found signalled anyway).
func TestProfile(t *testing.T) {
	b := openProfiled(t)
	m := newSmallCNN(b, 3)
	m.trainStep().Free() // warm-up: pipelines
	b.Sync()
	before, _ := Stats(b)
	base, _ := Profile(b, false)
	for i := 0; i < 3; i++ {
		m.trainStep().Free()
	}
	x := tensor.FromSlice(b, []float32{1, -2, 3, -4, 5, -6, 7, -8}, 8)
	const relus = 250
	for i := 0; i < relus; i++ {
		tensor.Unary(tensor.ReLUOp{}, x).Free()
	}
	mid, _ := Stats(b)
	if d := mid.HostWaits - before.HostWaits; d != 0 {
		t.Errorf("profiling: %d host waits while recording without a read", d)
	}
	rows, ok := Profile(b, false)
	if !ok {
		t.Fatal("Profile: ok false on a profiling backend")
	}
	after, _ := Stats(b)
	baseBy, by := rowsByShader(base), rowsByShader(rows)
	var calls int64
	var share float64
	for _, r := range rows {
		calls += r.Calls
		share += r.Share
		if r.Calls > 0 && !(r.TotalMs > 0 && r.MeanUs > 0) {
			t.Errorf("%s: %d calls in %g ms (mean %g µs), want a positive time", r.Shader, r.Calls, r.TotalMs, r.MeanUs)
		}
	}
	if calls != after.Dispatches {
		t.Errorf("profile counts %d dispatches, the backend issued %d", calls, after.Dispatches)
	}
	if share < 0.999 || share > 1.001 {
		t.Errorf("shares add up to %g, want 1", share)
	}
	for _, name := range []string{"conv2d", "conv2d_backward_filter", "matmul", "batch_norm_train", "pool2d",
		"pool2d_backward", "cross_entropy", "sgd_step", "elementwise"} {
		if d := by[name].Calls - baseBy[name].Calls; d < 3 {
			t.Errorf("%s: %d calls timed in 3 training steps, want ≥ 3", name, d)
		}
	}
	// Each training step records the ReLU and its backward on the elementwise shader: the
	// 250 ReLUs alone add exactly 250 on top of what the steps record.
	var elemSteps int64
	{
		c := newSmallCNN(b, 4)
		b.Sync()
		p0, _ := Profile(b, false)
		c.trainStep().Free()
		p1, _ := Profile(b, false)
		elemSteps = rowsByShader(p1)["elementwise"].Calls - rowsByShader(p0)["elementwise"].Calls
	}
	if got, want := by["elementwise"].Calls-baseBy["elementwise"].Calls, 3*elemSteps+relus; got != want {
		t.Errorf("elementwise: %d calls timed, want %d (3 steps of %d, then %d ReLUs)", got, want, elemSteps, relus)
	}
	pipes, _ := Profile(b, true)
	var pcalls int64
	for _, r := range pipes {
		pcalls += r.Calls
		if !strings.HasPrefix(r.Spec, "wg ") {
			t.Errorf("%s: spec %q, want it to start with the workgroup size", r.Shader, r.Spec)
		}
	}
	final, _ := Stats(b)
	if len(pipes) < len(rows) || pcalls != final.Dispatches {
		t.Errorf("%d pipelines with %d calls; %d shaders, %d dispatches issued", len(pipes), pcalls, len(rows), final.Dispatches)
	}
	var sb strings.Builder
	WriteProfile(&sb, b)
	if !strings.Contains(sb.String(), "conv2d_backward_filter") || !strings.Contains(sb.String(), "share") {
		t.Errorf("WriteProfile printed:\n%s", sb.String())
	}
	checkValidation(t, b)
}

// TestProfileOff: without the option no query pool exists, no timestamp is recorded,
// Profile says so, and WriteProfile prints nothing.
func TestProfileOff(t *testing.T) {
	b := device(t)
	m := newSmallCNN(b, 5)
	m.trainStep().Free()
	// The shared backend's live-buffer counts must not drop later (TestSteadyState) when
	// the collector finds these.
	defer func() {
		for _, t := range []*tensor.Tensor{m.x, m.labels, m.one, m.w1, m.gamma, m.beta, m.rm, m.rv, m.wfc,
			m.bw1, m.bgamma, m.bbeta, m.bwfc} {
			t.Free()
		}
	}()
	b.Sync()
	if b.prof != nil {
		t.Fatal("the shared test backend profiles without the option")
	}
	for i, s := range b.slots {
		if s.qp != nil || len(s.timed) != 0 {
			t.Errorf("slot %d: query pool %v, %d timed dispatches with profiling off", i, s.qp, len(s.timed))
		}
	}
	if rows, ok := Profile(b, false); ok || rows != nil {
		t.Errorf("Profile = %v, %v with profiling off", rows, ok)
	}
	var sb strings.Builder
	WriteProfile(&sb, b)
	if sb.Len() != 0 {
		t.Errorf("WriteProfile printed %q with profiling off", sb.String())
	}
	checkValidation(t, b)
}

// TestNewProfiler: a queue without timestamps turns profiling off; valid bits below 64 mask
// the tick difference, so a counter that wrapped still gives the right duration.
func TestNewProfiler(t *testing.T) {
	if p := newProfiler(DeviceInfo{Name: "test", TimestampPeriod: 1}); p != nil {
		t.Error("profiler made for a queue with 0 timestamp bits")
	}
	p := newProfiler(DeviceInfo{Name: "test", TimestampPeriod: 2.5, TimestampValidBits: 36})
	if p == nil || p.mask != 1<<36-1 || p.period != 2.5 {
		t.Fatalf("profiler %+v for 36 bits, period 2.5", p)
	}
	start, end := uint64(1<<36-10), uint64(5) // wrapped
	if d := (end - start) & p.mask; d != 15 {
		t.Errorf("wrapped difference %d, want 15", d)
	}
	if p := newProfiler(DeviceInfo{Name: "test", TimestampPeriod: 1, TimestampValidBits: 64}); p == nil || p.mask != ^uint64(0) {
		t.Errorf("64 bits: %+v", p)
	}
	if got := specString([specCount]uint32{64, 1, 1, 0, 3}); got != "wg 64x1x1 [0 3]" {
		t.Errorf("specString = %q", got)
	}
}
