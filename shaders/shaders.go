// Package shaders holds the GLSL compute kernels of the Vulkan backend and their SPIR-V,
// compiled by `make shaders` (go run ./shaders/internal/gen) and embedded here.
package shaders

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed spv/*.spv manifest.json
var files embed.FS

// Manifest records how the committed SPIR-V was built: the compiler, its flags, and per
// shader the hash of the source with its includes and the hash of the output.
type Manifest struct {
	Comment string   `json:"comment"`
	Glslc   string   `json:"glslc"`
	Flags   []string `json:"flags"`
	Shaders []Entry  `json:"shaders"`
}

// Entry is one compiled shader.
type Entry struct {
	Name   string `json:"name"`
	Source string `json:"source_sha256"`
	SPIRV  string `json:"spirv_sha256"`
}

// SPIRV returns the compiled module of the named shader (the name of its source file in
// src/ without ".comp").
func SPIRV(name string) ([]byte, error) {
	b, err := files.ReadFile("spv/" + name + ".spv")
	if err != nil {
		return nil, fmt.Errorf("shader %q: not compiled into this binary (run make shaders)", name)
	}
	if len(b) < 20 || len(b)%4 != 0 || b[0] != 0x03 || b[1] != 0x02 || b[2] != 0x23 || b[3] != 0x07 {
		return nil, fmt.Errorf("shader %q: not SPIR-V (bad magic or length %d)", name, len(b))
	}
	return b, nil
}

// Names lists the embedded shaders.
func Names() []string {
	ents, _ := files.ReadDir("spv")
	var out []string
	for _, e := range ents {
		n := e.Name()
		out = append(out, n[:len(n)-len(".spv")])
	}
	sort.Strings(out)
	return out
}

// ReadManifest returns the embedded manifest.
func ReadManifest() (Manifest, error) {
	var m Manifest
	b, err := files.ReadFile("manifest.json")
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("shaders/manifest.json: %v", err)
	}
	return m, nil
}
