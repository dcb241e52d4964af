package shaders

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"godarts/shaders/internal/srchash"
)

// TestManifestFresh fails when a source or include changed and `make shaders` was not run,
// or when a committed .spv does not match the manifest. It needs no glslc.
func TestManifestFresh(t *testing.T) {
	m, err := ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Comment, "Code generated") {
		t.Errorf("manifest comment %q does not mark it generated", m.Comment)
	}
	srcs, _ := filepath.Glob("src/*.comp")
	var names []string
	for _, s := range srcs {
		names = append(names, strings.TrimSuffix(filepath.Base(s), ".comp"))
	}
	sort.Strings(names)
	var inManifest []string
	for _, e := range m.Shaders {
		inManifest = append(inManifest, e.Name)
	}
	if strings.Join(names, ",") != strings.Join(inManifest, ",") {
		t.Fatalf("sources %v but manifest lists %v: run make shaders", names, inManifest)
	}
	if strings.Join(Names(), ",") != strings.Join(names, ",") {
		t.Fatalf("embedded SPIR-V %v but sources %v: run make shaders", Names(), names)
	}
	fsys := os.DirFS(".")
	for _, e := range m.Shaders {
		h, err := srchash.Source(fsys, "src/"+e.Name+".comp", "include")
		if err != nil {
			t.Fatal(err)
		}
		if h != e.Source {
			t.Errorf("%s.comp (or an include) changed since it was compiled: run make shaders", e.Name)
		}
		code, err := SPIRV(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if srchash.Bytes(code) != e.SPIRV {
			t.Errorf("spv/%s.spv does not match the manifest: run make shaders", e.Name)
		}
	}
}

func TestSPIRVUnknown(t *testing.T) {
	if _, err := SPIRV("no_such_shader"); err == nil {
		t.Fatal("SPIRV of an unknown shader returned no error")
	}
}
