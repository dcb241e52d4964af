package train

import (
	"fmt"
	"sort"

	"godarts/checkpoint"
	"godarts/tensor"
)

// Tensor is one named device tensor of a checkpoint: a weight, a BN buffer, α, or an
// optimiser's state.
type Tensor struct {
	Name string
	T    *tensor.Tensor
}

// SaveTensors downloads the tensors and writes them to path in safetensors format,
// atomically. It waits for the device: call it between epochs.
func SaveTensors(path string, ts []Tensor, meta map[string]string) error {
	entries := make([]checkpoint.Entry, len(ts))
	for i, t := range ts {
		entries[i] = checkpoint.Entry{Name: t.Name, Shape: append([]int(nil), t.T.Shape...), Data: t.T.Read()}
	}
	return checkpoint.Write(path, entries, meta)
}

// LoadTensors reads path and uploads every tensor of ts from it. The file must hold each
// name with the same shape; extra names in the file are an error too, so a checkpoint of
// another network is refused instead of half-loaded.
func LoadTensors(path string, ts []Tensor) (map[string]string, error) {
	f, err := checkpoint.Read(path)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, t := range ts {
		want[t.Name] = true
		e, ok := f.Entries[t.Name]
		if !ok {
			return nil, fmt.Errorf("read %s: tensor %q missing (is this a checkpoint of the same network and flags?)", path, t.Name)
		}
		if !tensor.Shape(e.Shape).Equal(t.T.Shape) {
			return nil, fmt.Errorf("read %s: tensor %q has shape %v, want %v", path, t.Name, e.Shape, t.T.Shape)
		}
	}
	var extra []string
	for n := range f.Entries {
		if !want[n] {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("read %s: unexpected tensor %q (is this a checkpoint of the same network and flags?)", path, extra[0])
	}
	for _, t := range ts {
		t.T.Write(f.Entries[t.Name].Data)
	}
	return f.Metadata, nil
}
