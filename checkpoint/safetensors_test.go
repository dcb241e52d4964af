package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() []Entry {
	return []Entry{
		{Name: "stem.0.weight", Shape: []int{2, 1, 3, 3}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, float32(math.Pi)}},
		{Name: "alphas_normal", Shape: []int{1, 3}, Data: []float32{0.5, -0.25, 1e-7}},
		{Name: "step", Shape: []int{}, Data: []float32{42}},
	}
}

func TestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.safetensors")
	if err := Write(p, sample(), map[string]string{"epoch": "3"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sample() {
		if diff := cmp.Diff(e, f.Entries[e.Name]); diff != "" {
			t.Errorf("%s differs (-want +got):\n%s", e.Name, diff)
		}
	}
	if f.Metadata["epoch"] != "3" {
		t.Errorf("metadata %v", f.Metadata)
	}
}

// TestLayoutFollowsSpec decodes our bytes by the format's rules alone: a little-endian
// u64 header size, a JSON header padded to 8 bytes, then the data at the offsets given.
func TestLayoutFollowsSpec(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.safetensors")
	if err := Write(p, sample(), nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	n := binary.LittleEndian.Uint64(raw)
	if (8+n)%8 != 0 {
		t.Errorf("data starts at %d, not 8-byte aligned", 8+n)
	}
	var h map[string]struct {
		DType   string  `json:"dtype"`
		Shape   []int   `json:"shape"`
		Offsets []int64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	data := raw[8+n:]
	for _, e := range sample() {
		he := h[e.Name]
		if he.DType != "F32" || !cmp.Equal(he.Shape, e.Shape) {
			t.Fatalf("%s header %+v", e.Name, he)
		}
		for i, v := range e.Data {
			got := math.Float32frombits(binary.LittleEndian.Uint32(data[he.Offsets[0]+int64(4*i):]))
			if got != v {
				t.Fatalf("%s[%d] = %v, want %v", e.Name, i, got, v)
			}
		}
	}
}

// TestPythonReadsIt reads our file with an independent reader written in Python from the
// format's description (Debian ships no python3-safetensors; numpy decodes the data).
func TestPythonReadsIt(t *testing.T) {
	if exec.Command("/usr/bin/python3", "-c", "import numpy").Run() != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: /usr/bin/python3 with numpy is required for this check")
		}
		t.Skip("/usr/bin/python3 with numpy not available")
	}
	p := filepath.Join(t.TempDir(), "w.safetensors")
	if err := Write(p, sample(), nil); err != nil {
		t.Fatal(err)
	}
	script := `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n])
d = b[8+n:]
e = h['stem.0.weight']
a = np.frombuffer(d[e['data_offsets'][0]:e['data_offsets'][1]], dtype='<f4').reshape(e['shape'])
print(a.shape, float(a[1,0,2,2]))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, p).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "(2, 1, 3, 3) 3.1415927410125732" {
		t.Fatalf("python read %q", got)
	}
}

func TestBadFiles(t *testing.T) {
	good := filepath.Join(t.TempDir(), "w.safetensors")
	if err := Write(good, sample(), nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	n := binary.LittleEndian.Uint64(raw)
	badDType := strings.Replace(string(raw), `"F32"`, `"F16"`, 1)
	hugeHeader := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint64(hugeHeader, 1<<40)
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"short", raw[:5], "too short"},
		{"header past end", hugeHeader, "exceeds the file"},
		{"truncated data", raw[:len(raw)-4], "do not fit"},
		{"bad json", append(append([]byte(nil), raw[:8]...), []byte(strings.Repeat("x", int(n)))...), "not a JSON object"},
		{"dtype", []byte(badDType), "want F32"},
	}
	for _, c := range cases {
		_, err := Parse("ckpt.safetensors", c.raw)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "ckpt.safetensors") {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", c.name, err)
		}
	}
	if err := Write(filepath.Join(t.TempDir(), "x"), []Entry{{Name: "a", Shape: []int{2}, Data: []float32{1}}}, nil); err == nil {
		t.Error("Write accepted 1 value for shape [2]")
	}
}
