//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/tensor"
)

var (
	testOnce sync.Once
	testDev  *Backend
	testErr  error
)

// device returns the shared test backend, skipping when there is no Vulkan device unless
// CI=true, where a missing device fails the test.
func device(t testing.TB) *Backend {
	t.Helper()
	testOnce.Do(func() { testDev, testErr = open("vulkan", options{}) })
	if testErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no Vulkan device: %v", testErr)
		}
		t.Skipf("no Vulkan device: %v", testErr)
	}
	return testDev
}

// checkValidation fails t when the validation layer reported anything (only active with
// VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation).
func checkValidation(t testing.TB, b *Backend) {
	t.Helper()
	if n, last := ValidationMessages(b); n > 0 {
		t.Errorf("%d Vulkan validation message(s); last: %s", n, last)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testDev != nil {
		testDev.Close()
		if n, last := ValidationMessages(testDev); n > 0 && code == 0 {
			os.Stderr.WriteString("Vulkan validation messages during the tests; last: " + last + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

func TestSmoke(t *testing.T) {
	b := device(t)
	t.Log(b.Name(), "uma", b.uma)
	x := tensor.FromSlice(b, []float32{1, -2, 3, -4}, 4)
	y := tensor.Unary(tensor.ReLUOp{}, x)
	if got := fmt.Sprint(y.Read()); got != "[1 0 3 0]" {
		t.Fatalf("relu = %s, want [1 0 3 0]", got)
	}
	checkValidation(t, b)
}

// TestValidationCaptured checks that the debug messenger sees validation errors: it makes
// one on purpose (a fence create-info with a wrong sType) when the layer is on.
func TestValidationCaptured(t *testing.T) {
	b := device(t)
	if !strings.Contains(os.Getenv("VK_INSTANCE_LAYERS"), "VK_LAYER_KHRONOS_validation") {
		t.Skip("VK_INSTANCE_LAYERS does not enable VK_LAYER_KHRONOS_validation")
	}
	before, _ := validationMessages()
	fi := vulkan.FenceCreateInfo{SType: vulkan.StructureTypeSemaphoreCreateInfo}
	var fence vulkan.Fence
	if r := vulkan.CreateFence(b.dev, &fi, nil, &fence); r == vulkan.Success {
		vulkan.DestroyFence(b.dev, fence, nil)
	}
	after, last := validationMessages()
	if after == before {
		t.Fatal("a wrong sType produced no validation message: the messenger is not installed")
	}
	if !strings.Contains(last, "sType") {
		t.Errorf("last message %q does not mention sType", last)
	}
	b.msgs0 += after - before // the error made on purpose is not a failure
}

// syncValidation reports whether the validation layer checks synchronisation.
func syncValidation() bool {
	return strings.Contains(os.Getenv("VK_LAYER_ENABLES"), "SYNCHRONIZATION")
}
