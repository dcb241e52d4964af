package srchash

import (
	"testing"
	"testing/fstest"
)

func TestSourceFollowsIncludes(t *testing.T) {
	fs := fstest.MapFS{
		"src/a.comp":          {Data: []byte("#version 450\n#include \"common.glsl\"\nvoid main() {}\n")},
		"include/common.glsl": {Data: []byte("// v1\n#include \"inner.glsl\"\n")},
		"include/inner.glsl":  {Data: []byte("// inner v1\n")},
	}
	h1, err := Source(fs, "src/a.comp", "include")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Source(fs, "src/a.comp", "include")
	if again != h1 {
		t.Fatal("hash is not deterministic")
	}
	fs["include/inner.glsl"] = &fstest.MapFile{Data: []byte("// inner v2\n")}
	h2, err := Source(fs, "src/a.comp", "include")
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h1 {
		t.Error("editing a nested include did not change the hash")
	}
	delete(fs, "include/inner.glsl")
	if _, err := Source(fs, "src/a.comp", "include"); err == nil {
		t.Error("a missing include gave no error")
	}
}
