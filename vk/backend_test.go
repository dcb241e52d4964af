//go:build !novulkan && cgo

package vk

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"godarts/tensor"
)

func fill(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func allEqual(t *testing.T, what string, got []float32, want float32) {
	t.Helper()
	for i, g := range got {
		if g != want {
			t.Fatalf("%s[%d] = %g, want %g", what, i, g, want)
		}
	}
}

// TestUploadOrdered: an upload into a buffer that recorded work still reads is staged and
// lands between the ops recorded before and after it.
func TestUploadOrdered(t *testing.T) {
	for _, staging := range []bool{false, true} {
		b, err := open("vulkan", options{forceStaging: staging})
		if err != nil {
			device(t)
			t.Fatal(err)
		}
		x := tensor.FromSlice(b, fill(1000, 1), 1000)
		y1 := tensor.Scale(2, x)
		before, _ := Stats(b)
		x.Write(fill(1000, 3))
		y2 := tensor.Scale(2, x)
		after, _ := Stats(b)
		if after.StagedUploads != before.StagedUploads+1 {
			t.Errorf("staging=%v: upload into a buffer in use was not staged", staging)
		}
		allEqual(t, "y1", y1.Read(), 2)
		allEqual(t, "y2", y2.Read(), 6)
		allEqual(t, "x", x.Read(), 3)
		checkValidation(t, b)
		b.Close()
	}
}

// TestFreeDeferred: memory freed while recorded work reads it is not handed out again
// (and overwritten) before that work has finished.
func TestFreeDeferred(t *testing.T) {
	b := device(t)
	b.Sync()
	x := tensor.FromSlice(b, fill(4096, 5), 4096)
	y := tensor.Scale(1, x) // recorded, not submitted
	x.Free()
	st, _ := Stats(b)
	if st.PendingFreeBytes == 0 {
		t.Error("a buffer freed under recorded work was released at once")
	}
	z := tensor.FromSlice(b, fill(4096, -7), 4096) // must not land on x's memory yet
	allEqual(t, "y", y.Read(), 5)
	allEqual(t, "z", z.Read(), -7)
	b.Sync()
	if st, _ := Stats(b); st.PendingFreeBytes != 0 {
		t.Errorf("%d bytes still pending after Sync", st.PendingFreeBytes)
	}
	y.Free()
	z.Free()
}

// TestLargeGrid: more workgroups than maxComputeWorkGroupCount[0] are split over y.
func TestLargeGrid(t *testing.T) {
	b := device(t)
	n := (b.info.MaxWorkgroupCount[0]+3)*int(b.wg1) + 5
	g := b.elems(n)
	if g[1] < 2 || int(g[0]) > b.info.MaxWorkgroupCount[0] || int(g[0]*g[1])*int(b.wg1) < n {
		t.Fatalf("grid %v for %d elements of workgroup %d", g, n, b.wg1)
	}
	x := tensor.Full(b, 1.5, n)
	tensor.ScaleInto(x, 2)
	got := make([]float32, 1000)
	b.Download(got, x.Buf, n-len(got))
	allEqual(t, "tail", got, 3)
	x.Free()
	checkValidation(t, b)
}

func TestAllocTooLarge(t *testing.T) {
	b := device(t)
	defer func() {
		r := recover()
		var de *tensor.DeviceError
		if err, ok := r.(error); !ok || !errors.As(err, &de) {
			t.Fatalf("Alloc beyond the binding limit: recovered %v, want *tensor.DeviceError", r)
		}
		if !strings.Contains(de.Msg, "exceeds") {
			t.Errorf("message %q does not say what is wrong", de.Msg)
		}
	}()
	b.Alloc(int(b.maxBinding/4) + 1)
}

func TestPickDevice(t *testing.T) {
	infos := []DeviceInfo{
		{Index: 0, Name: "llvmpipe", Type: "cpu", HasComputeQueue: true},
		{Index: 1, Name: "igpu", Type: "integrated", HasComputeQueue: true},
		{Index: 2, Name: "dgpu", Type: "discrete", HasComputeQueue: true},
		{Index: 3, Name: "nocompute", Type: "discrete"},
	}
	tests := []struct {
		spec    string
		infos   []DeviceInfo
		want    int
		wantErr string
	}{
		{"vulkan", infos, 2, ""},
		{"vulkan", infos[:2], 1, ""},
		{"vulkan", infos[:1], 0, ""},
		{"vulkan:1", infos, 1, ""},
		{"vulkan:7", infos, 0, "only 4"},
		{"vulkan:x", infos, 0, "want vulkan:N"},
		{"vulkan:3", infos, 0, "no compute queue"},
		{"vulkan", nil, 0, "no Vulkan device"},
		{"cuda", infos, 0, "want vulkan or vulkan:N"},
	}
	for _, tc := range tests {
		got, err := pickDevice(tc.spec, tc.infos)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("pickDevice(%q) error %v, want one containing %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("pickDevice(%q) = %d, %v; want %d", tc.spec, got, err, tc.want)
		}
	}
}

// TestShadow: GODARTS_VK_CHECK mode passes correct ops and names the op whose Vulkan
// result differs from the CPU's.
func TestShadow(t *testing.T) {
	device(t)
	b, err := open("vulkan", options{shadow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	g := tensor.NewRNG(3)
	x, w := rnd(b, g, 2, 3, 6, 6), rnd(b, g, 4, 3, 3, 3)
	y := tensor.Conv2D(x, w, tensor.Conv2DParams{Stride: 1, Pad: 1, Dilation: 1, Groups: 1})
	tensor.ConcatChannels(y, x)

	// A CPU mirror that saw other input data stands in for a wrong Vulkan kernel.
	out := tensor.New(b, 2, 3, 6, 6)
	mirrors := b.shadowInputs([]*tensor.Tensor{out}, []*tensor.Tensor{x})
	mirrors[1].Write(fill(x.Numel(), 9))
	b.Run(tensor.ReLUOp{}, []*tensor.Tensor{out}, []*tensor.Tensor{x})
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if !strings.Contains(msg, "GODARTS_VK_CHECK: op relu") {
			t.Fatalf("recovered %v, want a panic naming relu", r)
		}
	}()
	b.shadowCheck(tensor.ReLUOp{}, []*tensor.Tensor{out}, []*tensor.Tensor{x}, mirrors)
}

// TestNoDriver: with no Vulkan driver installed Open and Devices return one line saying
// what to do. The loader reads VK_ICD_FILENAMES once per process, so a child process runs
// the check.
func TestNoDriver(t *testing.T) {
	if os.Getenv("GODARTS_VK_NODRIVER_CHILD") == "1" {
		_, err := Open("vulkan")
		_, derr := Devices()
		if err == nil || derr == nil {
			fmt.Println("CHILD: no error without a driver")
			os.Exit(1)
		}
		fmt.Println("CHILD:", err)
		os.Exit(0)
	}
	device(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoDriver$")
	cmd.Env = append(os.Environ(), "GODARTS_VK_NODRIVER_CHILD=1", "VK_ICD_FILENAMES=/nonexistent/icd.json",
		"VK_DRIVER_FILES=/nonexistent/icd.json")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "CHILD: ") {
			line = strings.TrimPrefix(l, "CHILD: ")
		}
	}
	if !strings.Contains(line, "no Vulkan") || !strings.Contains(line, "--device cpu") {
		t.Errorf("error %q does not say what is missing and what to do", line)
	}
}

// TestDroppedBuffersReused: buffers dropped without Free are collected before the pool
// grows, so a loop that never frees (and lets the device finish) stays within a few blocks.
func TestDroppedBuffersReused(t *testing.T) {
	b := device(t)
	before, _ := Stats(b)
	const n = 2 << 20 // 8 MiB each; 48 of them would need 6 blocks of 64 MiB
	for i := 0; i < 48; i++ {
		x := tensor.New(b, n)
		tensor.FillInto(x, float32(i))
		b.Sync()
	}
	b.Sync()
	after, _ := Stats(b)
	if grown := after.Blocks - before.Blocks; grown > 2 {
		t.Errorf("48 dropped 8 MiB buffers grew the pool by %d blocks", grown)
	}
}
