package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"godarts/data"
)

// TestReproducible regenerates the embedded subset and compares it byte for byte with the
// committed files, which also shows that two runs give the same bytes.
func TestReproducible(t *testing.T) {
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (%v)", err)
	}
	out := t.TempDir()
	if err := run(data.FashionMNISTDir, out); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(files) != 4 {
		t.Fatalf("wrote %d files, want 4: %v", len(files), files)
	}
	for _, f := range files {
		got, _ := os.ReadFile(f)
		want, err := os.ReadFile(filepath.Join("..", "..", "..", "data", "embedded", filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed data/embedded copy; run make embedded-data", filepath.Base(f))
		}
	}
}

func TestMissingSource(t *testing.T) {
	err := run(t.TempDir(), t.TempDir())
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("dataset-fashion-mnist")) {
		t.Errorf("run with an empty source: error %v, want one naming the Debian package", err)
	}
}
