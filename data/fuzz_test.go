package data

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets feed arbitrary bytes to each loader's parser: none may panic, and what
// they accept must satisfy the Dataset invariants. Run one with, e.g.,
//
//	go test ./data -run '^$' -fuzz '^FuzzIDX$' -fuzztime 10s
//
// The seed corpus is fuzzSeeds, committed under testdata/fuzz/<target>/ (rewrite it with
// go test ./data -run TestFuzzCorpus -write-corpus).

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/fuzz from fuzzSeeds")

// fuzzLimit caps decompressed sizes while fuzzing, so a small gzip or deflate bomb cannot
// allocate a gigabyte (deflate expands at most about 1032:1).
const fuzzLimit = 1 << 22

// fuzzSeeds returns the seed inputs of each fuzz target.
func fuzzSeeds(t testing.TB) map[string][][]any {
	img := idxBytes(0x803, []uint32{3, 2, 3}, threePixels)
	lbl := idxBytes(0x801, []uint32{3}, threeLabels)
	gray, err := os.ReadFile(filepath.Join("testdata", "gray.npz"))
	if err != nil {
		t.Fatal(err)
	}
	color, err := os.ReadFile(filepath.Join("testdata", "color.npz"))
	if err != nil {
		t.Fatal(err)
	}
	npy := npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }\n", []byte{1, 2, 3, 4, 5, 6})
	npy8 := npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }\n", make([]byte, 8))
	return map[string][][]any{
		"FuzzIDX": {
			{img, lbl},
			{gz(t, img), gz(t, lbl)},
			{lbl, img},
			{img[:20], lbl[:9]},
		},
		"FuzzCIFAR": {
			{cifarRecords(1, func(int) []byte { return []byte{3} }), false},
			{cifarRecords(1, func(int) []byte { return []byte{7, 42} }), true},
			{[]byte{10, 1, 2, 3}, false},
		},
		"FuzzNPY": {
			{npy},
			{npy8},
			{[]byte("\x93NUMPY\x02\x00\x10\x00\x00\x00{'shape': (0,)}\n")},
		},
		"FuzzNPZ": {
			{gray},
			{color},
			{npzBytes(t, validNPZMembers())},
		},
	}
}

// corpusFile encodes one seed in the "go test fuzz v1" format of testdata/fuzz.
func corpusFile(args []any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		}
	}
	return b.Bytes()
}

// TestFuzzCorpus checks that the committed seed corpus is exactly fuzzSeeds, or rewrites it
// with -write-corpus.
func TestFuzzCorpus(t *testing.T) {
	for target, seeds := range fuzzSeeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		if *writeCorpus {
			os.RemoveAll(dir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for i, args := range seeds {
			path := filepath.Join(dir, fmt.Sprintf("seed%d", i))
			want := corpusFile(args)
			if *writeCorpus {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale; run go test ./data -run TestFuzzCorpus -write-corpus", path)
			}
		}
	}
}

func addSeeds(f *testing.F, target string) {
	saved := maxFileBytes
	maxFileBytes = fuzzLimit
	f.Cleanup(func() { maxFileBytes = saved })
	for _, args := range fuzzSeeds(f)[target] {
		f.Add(args...)
	}
}

func FuzzIDX(f *testing.F) {
	addSeeds(f, "FuzzIDX")
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		img, err := gunzipIfCompressed(images, fuzzLimit)
		if err != nil {
			return
		}
		lbl, err := gunzipIfCompressed(labels, fuzzLimit)
		if err != nil {
			return
		}
		d, err := parseIDX(img, lbl, "images", "labels", "fuzz", 10)
		if err != nil {
			return
		}
		if err := d.check("fuzz"); err != nil {
			t.Fatalf("parseIDX accepted an invalid dataset: %v", err)
		}
	})
}

func FuzzCIFAR(f *testing.F) {
	addSeeds(f, "FuzzCIFAR")
	f.Fuzz(func(t *testing.T, b []byte, hundred bool) {
		format := cifar10Format
		if hundred {
			format = cifar100Format
		}
		d := &Dataset{Name: format.name, C: 3, H: 32, W: 32, Classes: format.classes}
		if err := parseCIFAR(format, b, "fuzz.bin", d); err != nil {
			return
		}
		if err := d.check("fuzz"); err != nil {
			t.Fatalf("parseCIFAR accepted an invalid dataset: %v", err)
		}
	})
}

func FuzzNPY(f *testing.F) {
	addSeeds(f, "FuzzNPY")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseNPY(b, "fuzz.npy")
		if err != nil {
			return
		}
		count := 1
		for _, d := range a.shape {
			count *= d
		}
		if len(a.data) != count*npyItemSize[a.descr] {
			t.Fatalf("parseNPY accepted %d data bytes for %s %v", len(a.data), a.descr, a.shape)
		}
	})
}

func FuzzNPZ(f *testing.F) {
	addSeeds(f, "FuzzNPZ")
	f.Fuzz(func(t *testing.T, b []byte) {
		train, val, test, err := parseNPZBytes(b, "fuzz.npz")
		if err != nil {
			return
		}
		for _, d := range []*Dataset{train, val, test} {
			if err := d.check("fuzz"); err != nil {
				t.Fatalf("parseNPZ accepted an invalid dataset: %v", err)
			}
		}
	})
}
