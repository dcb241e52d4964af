package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDevicesJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"devices", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep devicesReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if rep.CPU.Threads < 1 || rep.CPU.Spec != "cpu" {
		t.Errorf("cpu entry %+v", rep.CPU)
	}
	if len(rep.Vulkan) == 0 && rep.VulkanError == "" {
		t.Error("no Vulkan device and no error saying why")
	}
	for _, d := range rep.Vulkan {
		if d.Name == "" || len(d.Heaps) == 0 || d.MaxWorkgroupInvocations < 128 {
			t.Errorf("device %d incomplete: %+v", d.Index, d)
		}
	}
}

func TestDevicesText(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"devices"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "cpu: ") {
		t.Errorf("output does not start with the CPU: %q", out.String())
	}
	if code := run([]string{"devices", "extra"}, &out, &errb); code != 2 {
		t.Errorf("stray argument: exit %d, want 2", code)
	}
}
