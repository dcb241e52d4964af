// Package checkpoint saves and loads named float32 tensors in the safetensors format
// (https://huggingface.co/docs/safetensors), so Python's safetensors package can read our
// weights and we can read theirs.
package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"godarts/internal/atomicfile"
)

// Entry is one named tensor on the host.
type Entry struct {
	Name  string
	Shape []int
	Data  []float32
}

type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// maxHeader bounds the JSON header we accept (the format's reference reader uses 100 MB).
const maxHeader = 100 << 20

// Write stores entries (in the given order) and string metadata at path, atomically.
func Write(path string, entries []Entry, meta map[string]string) error {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var off int64
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Name] || e.Name == "__metadata__" || e.Name == "" {
			return fmt.Errorf("write %s: tensor name %q is empty, reserved or repeated", path, e.Name)
		}
		seen[e.Name] = true
		n := 1
		for _, d := range e.Shape {
			n *= d
		}
		if n != len(e.Data) {
			return fmt.Errorf("write %s: tensor %q has %d values for shape %v", path, e.Name, len(e.Data), e.Shape)
		}
		shape := e.Shape
		if shape == nil {
			shape = []int{}
		}
		header[e.Name] = headerEntry{DType: "F32", Shape: shape, DataOffsets: [2]int64{off, off + int64(4*n)}}
		off += int64(4 * n)
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for len(hj)%8 != 0 { // the format pads the header with spaces to 8-byte alignment
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8+len(hj)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	copy(buf[8:], hj)
	p := 8 + len(hj)
	for _, e := range entries {
		for _, v := range e.Data {
			binary.LittleEndian.PutUint32(buf[p:], math.Float32bits(v))
			p += 4
		}
	}
	return atomicfile.WriteFile(path, buf)
}

// File is a loaded safetensors file.
type File struct {
	Entries  map[string]Entry
	Metadata map[string]string
}

// Names returns the tensor names in sorted order.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Entries))
	for n := range f.Entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Read loads a safetensors file holding F32 tensors, checking every offset and size.
func Read(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	return Parse(path, raw)
}

// Parse decodes the bytes of a safetensors file; name is used in error messages.
func Parse(name string, raw []byte) (*File, error) {
	if len(raw) < 8 {
		return nil, fmt.Errorf("read %s: file of %d bytes is too short for a safetensors header", name, len(raw))
	}
	hlen := binary.LittleEndian.Uint64(raw)
	if hlen > maxHeader || hlen > uint64(len(raw)-8) {
		return nil, fmt.Errorf("read %s: header length %d exceeds the file (%d bytes)", name, hlen, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+hlen], &header); err != nil {
		return nil, fmt.Errorf("read %s: header is not a JSON object: %v", name, err)
	}
	data := raw[8+hlen:]
	f := &File{Entries: map[string]Entry{}, Metadata: map[string]string{}}
	for k, v := range header {
		if k == "__metadata__" {
			if err := json.Unmarshal(v, &f.Metadata); err != nil {
				return nil, fmt.Errorf("read %s: __metadata__ must map strings to strings: %v", name, err)
			}
			continue
		}
		var h headerEntry
		if err := json.Unmarshal(v, &h); err != nil {
			return nil, fmt.Errorf("read %s: tensor %q: bad header entry: %v", name, k, err)
		}
		if h.DType != "F32" {
			return nil, fmt.Errorf("read %s: tensor %q has dtype %s, want F32", name, k, h.DType)
		}
		n := int64(1)
		for _, d := range h.Shape {
			if d < 0 || d > math.MaxInt32 {
				return nil, fmt.Errorf("read %s: tensor %q has bad shape %v", name, k, h.Shape)
			}
			n *= int64(d)
		}
		b, e := h.DataOffsets[0], h.DataOffsets[1]
		if b < 0 || e < b || e > int64(len(data)) || e-b != 4*n {
			return nil, fmt.Errorf("read %s: tensor %q: data_offsets [%d,%d] do not fit shape %v in %d data bytes", name, k, b, e, h.Shape, len(data))
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[b+4*int64(i):]))
		}
		f.Entries[k] = Entry{Name: k, Shape: h.Shape, Data: vals}
	}
	return f, nil
}
