package data

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// idxBytes builds an IDX file by hand: magic, big-endian dims, then payload.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantOneLine fails unless err is a one-line error containing every fragment.
func wantOneLine(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not contain %q", msg, f)
		}
	}
}

// threeImages is 3 images of 2x3: pixel value 10*image + position; labels 2, 0, 9.
var (
	threePixels = []byte{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25}
	threeLabels = []byte{2, 0, 9}
)

func TestReadIDX(t *testing.T) {
	img := idxBytes(0x803, []uint32{3, 2, 3}, threePixels)
	lbl := idxBytes(0x801, []uint32{3}, threeLabels)
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", compress), func(t *testing.T) {
			dir := t.TempDir()
			i, l := img, lbl
			if compress {
				i, l = gz(t, img), gz(t, lbl)
			}
			// Detection is by content, not name: a gzipped file without .gz still reads.
			d, err := ReadIDX(writeFile(t, dir, "img", i), writeFile(t, dir, "lbl", l), "fashion-mnist", 10)
			if err != nil {
				t.Fatal(err)
			}
			want := &Dataset{Name: "fashion-mnist", N: 3, C: 1, H: 2, W: 3, Classes: 10,
				Pixels: threePixels, Labels: []int32{2, 0, 9}}
			if diff := cmp.Diff(want, d); diff != "" {
				t.Errorf("dataset (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadIDXMalformed(t *testing.T) {
	goodImg := idxBytes(0x803, []uint32{3, 2, 3}, threePixels)
	goodLbl := idxBytes(0x801, []uint32{3}, threeLabels)
	for _, tc := range []struct {
		name     string
		img, lbl []byte
		want     []string
	}{
		{"labels magic in image file", idxBytes(0x801, []uint32{3}, threeLabels), goodLbl, []string{"img", "bad IDX magic 0x801, want 0x803"}},
		{"image magic in label file", goodImg, goodImg, []string{"lbl", "bad IDX magic 0x803, want 0x801"}},
		{"short header", goodImg[:10], goodLbl, []string{"img", "10 bytes, want at least a 16-byte"}},
		{"truncated images", goodImg[:len(goodImg)-1], goodLbl, []string{"img", "33 bytes, want 34 for 3 images of 2x3"}},
		{"trailing bytes", append(goodImg[:len(goodImg):len(goodImg)], 7), goodLbl, []string{"img", "35 bytes, want 34"}},
		{"truncated labels", goodImg, goodLbl[:len(goodLbl)-1], []string{"lbl", "10 bytes, want 11 for 3 labels"}},
		{"count mismatch", goodImg, idxBytes(0x801, []uint32{2}, threeLabels[:2]), []string{"lbl", "2 labels, but", "holds 3 images"}},
		{"label out of range", goodImg, idxBytes(0x801, []uint32{3}, []byte{1, 10, 2}), []string{"lbl", "label 10 of image 1 out of range, want 0 to 9"}},
		{"zero side", idxBytes(0x803, []uint32{3, 0, 3}, nil), goodLbl, []string{"img", "0x3, want sides 1 to 4096"}},
		{"huge claimed count", idxBytes(0x803, []uint32{0xffffffff, 4096, 4096}, nil), goodLbl, []string{"img", "16 bytes, want"}},
		{"bad gzip", []byte{0x1f, 0x8b, 1, 2, 3}, goodLbl, []string{"img", "gzip"}},
		{"truncated gzip", gz(t, goodImg)[:20], goodLbl, []string{"img", "gunzip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := ReadIDX(writeFile(t, dir, "img", tc.img), writeFile(t, dir, "lbl", tc.lbl), "x", 10)
			wantOneLine(t, err, tc.want...)
		})
	}
	_, err := ReadIDX("/nonexistent/img.gz", "/nonexistent/lbl.gz", "x", 10)
	wantOneLine(t, err, "/nonexistent/img.gz")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestEncodeIDXRoundTrip(t *testing.T) {
	d := &Dataset{Name: "x", N: 3, C: 1, H: 2, W: 3, Classes: 10, Pixels: threePixels, Labels: []int32{2, 0, 9}}
	img, lbl, err := EncodeIDX(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := idxBytes(0x803, []uint32{3, 2, 3}, threePixels); !bytes.Equal(img, want) {
		t.Errorf("images % x, want % x", img, want)
	}
	if want := idxBytes(0x801, []uint32{3}, threeLabels); !bytes.Equal(lbl, want) {
		t.Errorf("labels % x, want % x", lbl, want)
	}
	if _, _, err := EncodeIDX(&Dataset{Name: "c", C: 3, Classes: 10}); err == nil {
		t.Error("EncodeIDX of a 3-channel dataset: no error")
	}
}

// cifarRecords builds n CIFAR records; image i has pixel p = (i + p) % 256 and label(s) from
// labels (one or two bytes per record).
func cifarRecords(n int, labels func(i int) []byte) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = append(b, labels(i)...)
		for p := 0; p < 3072; p++ {
			b = append(b, byte(i+p))
		}
	}
	return b
}

func TestReadCIFAR(t *testing.T) {
	dir := t.TempDir()
	f1 := writeFile(t, dir, "data_batch_1.bin", cifarRecords(2, func(i int) []byte { return []byte{byte(i + 3)} }))
	f2 := writeFile(t, dir, "data_batch_2.bin", cifarRecords(3, func(i int) []byte { return []byte{byte(9 - i)} }))
	d, err := ReadCIFAR10(f1, f2)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 5 || d.C != 3 || d.H != 32 || d.W != 32 || d.Classes != 10 || d.Name != "cifar10" {
		t.Fatalf("got %s N=%d %dx%dx%d classes %d, want cifar10 N=5 3x32x32 classes 10", d.Name, d.N, d.C, d.H, d.W, d.Classes)
	}
	if diff := cmp.Diff([]int32{3, 4, 9, 8, 7}, d.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	// Image 3 is the second record of file 2: pixel p = (1 + p) % 256; green plane starts at 1024.
	if got, want := d.Pixels[3*3072+1024+5], byte((1+1024+5)%256); got != want {
		t.Errorf("image 3 green pixel 5 = %d, want %d", got, want)
	}

	f100 := writeFile(t, dir, "train.bin", cifarRecords(2, func(i int) []byte { return []byte{19, byte(98 + i)} }))
	d, err = ReadCIFAR100(f100)
	if err != nil {
		t.Fatal(err)
	}
	if d.Classes != 100 || d.N != 2 || !cmp.Equal(d.Labels, []int32{98, 99}) {
		t.Errorf("cifar100: N=%d classes %d labels %v, want N=2 classes 100 labels [98 99]", d.N, d.Classes, d.Labels)
	}
	if d.Pixels[3072] != 1 {
		t.Errorf("cifar100 image 1 pixel 0 = %d, want 1 (label bytes must be skipped)", d.Pixels[3072])
	}
}

func TestReadCIFARMalformed(t *testing.T) {
	one := func(l ...byte) func(int) []byte { return func(int) []byte { return l } }
	for _, tc := range []struct {
		name string
		f    cifarFormat
		b    []byte
		want []string
	}{
		{"empty", cifar10Format, nil, []string{"0 bytes, want a positive multiple of the cifar10 record size 3073"}},
		{"truncated", cifar10Format, cifarRecords(2, one(1))[:3073+100], []string{"3173 bytes", "3073"}},
		{"cifar100 read as cifar10", cifar10Format, cifarRecords(1, one(1, 2)), []string{"3074 bytes", "3073"}},
		{"label out of range", cifar10Format, cifarRecords(3, func(i int) []byte { return []byte{byte(5 * i)} }), []string{"label 10 of record 2 out of range, want 0 to 9"}},
		{"fine label out of range", cifar100Format, cifarRecords(1, one(3, 100)), []string{"label 100 of record 0 out of range, want 0 to 99"}},
		{"coarse label out of range", cifar100Format, cifarRecords(1, one(20, 5)), []string{"coarse label 20 of record 0", "want 0 to 19"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "batch.bin", tc.b)
			_, err := readCIFAR(tc.f, []string{p})
			wantOneLine(t, err, append(tc.want, p)...)
		})
	}
}

// npyBytes builds a version-1 .npy file with the given header dict text.
func npyBytes(header string, data []byte) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	return append(append(b, header...), data...)
}

func TestParseNPY(t *testing.T) {
	a, err := parseNPY(npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }   \n", []byte{1, 2, 3, 4, 5, 6}), "x.npy")
	if err != nil {
		t.Fatal(err)
	}
	if a.descr != "|u1" || !cmp.Equal(a.shape, []int{2, 3}) || !bytes.Equal(a.data, []byte{1, 2, 3, 4, 5, 6}) {
		t.Errorf("got %+v", a)
	}
	// Version 2 has a 4-byte header length; a 1-tuple is written "(3,)".
	h := "{'shape': (3,), 'fortran_order': False, 'descr': '<i8'}\n"
	v2 := append([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(h)))...)
	v2 = append(append(v2, h...), make([]byte, 24)...)
	if a, err = parseNPY(v2, "v2.npy"); err != nil || !cmp.Equal(a.shape, []int{3}) || a.descr != "<i8" {
		t.Errorf("v2: got %+v, %v", a, err)
	}

	hdr := func(descr, fo, shape string) string {
		return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }\n", descr, fo, shape)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00"), "want magic \\x93NUMPY"},
		{"short", []byte("\x93NU"), "want magic"},
		{"version 4", []byte("\x93NUMPY\x04\x00\x00\x00"), "version 4.0, want 1, 2 or 3"},
		{"header past end", append([]byte("\x93NUMPY\x01\x00"), 0xff, 0x00, '{'), "header of 255 bytes"},
		{"header too long", append([]byte("\x93NUMPY\x02\x00"), 0x00, 0x00, 0x01, 0x00), "header of 65536 bytes, want at most 10000"},
		{"not a dict", npyBytes("[1, 2]\n", nil), "want '{'"},
		{"float dtype", npyBytes(hdr("<f4", "False", "(1,)"), make([]byte, 4)), `dtype "<f4"`},
		{"fortran order", npyBytes(hdr("|u1", "True", "(2, 2)"), make([]byte, 4)), "fortran_order true, want False"},
		{"no shape", npyBytes("{'descr': '|u1', 'fortran_order': False}", nil), "no shape tuple"},
		{"shape not ints", npyBytes(hdr("|u1", "False", "(a, 2)"), nil), "want an integer"},
		{"data too short", npyBytes(hdr("|u1", "False", "(2, 3)"), make([]byte, 5)), "shape [2 3] needs more than the file's 5 data bytes"},
		{"data too long", npyBytes(hdr("|u1", "False", "(2, 3)"), make([]byte, 7)), "want"},
		{"huge shape", npyBytes(hdr("<i8", "False", "(1099511627776, 1099511627776)"), make([]byte, 8)), "needs more than the file's 8 data bytes"},
		{"dimension overflow", npyBytes(hdr("|u1", "False", "(99999999999999999999,)"), nil), "too large"},
		{"unterminated string", npyBytes("{'descr: 1}", nil), "unterminated string"},
		{"duplicate key", npyBytes("{'descr': '|u1', 'descr': '|u1'}", nil), "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNPY(tc.b, "f.npy")
			wantOneLine(t, err, "f.npy", tc.want)
		})
	}
}

func TestReadNPZFixtures(t *testing.T) {
	// Written by numpy (testdata/README.md): pixel (i, y, x, c) = (7i + 3y + 5x + 11c) % 256.
	pixel := func(i, y, x, c int) byte { return byte((7*i + 3*y + 5*x + 11*c) % 256) }
	for _, tc := range []struct {
		file             string
		classes, c, h, w int
		n                [3]int
	}{
		{"gray.npz", 3, 1, 4, 5, [3]int{6, 3, 4}},
		{"color.npz", 2, 3, 3, 2, [3]int{5, 2, 3}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			train, val, test, err := ReadNPZ(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for k, d := range []*Dataset{train, val, test} {
				if d.N != tc.n[k] || d.C != tc.c || d.H != tc.h || d.W != tc.w {
					t.Fatalf("split %d: N=%d %dx%dx%d, want N=%d %dx%dx%d", k, d.N, d.C, d.H, d.W, tc.n[k], tc.c, tc.h, tc.w)
				}
				if d.Classes != tc.classes || d.Name != "medmnist:"+strings.TrimSuffix(tc.file, ".npz") {
					t.Errorf("split %d: %s with %d classes, want %d", k, d.Name, d.Classes, tc.classes)
				}
				for i := 0; i < d.N; i++ {
					if got := d.Labels[i]; got != int32(i%tc.classes) {
						t.Errorf("split %d image %d label %d, want %d", k, i, got, i%tc.classes)
					}
					for c := 0; c < d.C; c++ {
						for y := 0; y < d.H; y++ {
							for x := 0; x < d.W; x++ {
								got := d.Pixels[((i*d.C+c)*d.H+y)*d.W+x]
								if want := pixel(i, y, x, c); got != want {
									t.Fatalf("split %d pixel (%d,%d,%d,%d) = %d, want %d", k, i, c, y, x, got, want)
								}
							}
						}
					}
				}
			}
		})
	}
}

// npzBytes zips the given members into an in-memory archive.
func npzBytes(t testing.TB, members map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"train_images.npy", "train_labels.npy", "val_images.npy", "val_labels.npy", "test_images.npy", "test_labels.npy", "extra.npy"} {
		b, ok := members[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validNPZMembers: 2 gray 2x2 images per split, uint8 labels (2, 1).
func validNPZMembers() map[string][]byte {
	m := map[string][]byte{}
	for _, s := range []string{"train", "val", "test"} {
		m[s+"_images.npy"] = npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }", []byte{1, 2, 3, 4, 5, 6, 7, 8})
		m[s+"_labels.npy"] = npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1), }", []byte{0, 1})
	}
	return m
}

func TestReadNPZMalformed(t *testing.T) {
	with := func(name string, b []byte) map[string][]byte {
		m := validNPZMembers()
		if b == nil {
			delete(m, name)
		} else {
			m[name] = b
		}
		return m
	}
	if _, _, _, err := parseNPZBytes(npzBytes(t, validNPZMembers()), "ok.npz"); err != nil {
		t.Fatalf("valid archive: %v", err)
	}
	for _, tc := range []struct {
		name    string
		archive []byte
		file    string
		want    []string
	}{
		{"not a zip", []byte("hello"), "a.npz", []string{"a.npz", "not a .npz (zip) archive"}},
		{"missing member", npzBytes(t, with("val_labels.npy", nil)), "a.npz", []string{"a.npz", "no val_labels.npy in the archive"}},
		{"bad npy in member", npzBytes(t, with("test_images.npy", []byte("garbage-garbage"))), "a.npz", []string{"a.npz:test_images.npy", "magic"}},
		{"int64 images", npzBytes(t, with("train_images.npy", npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)))), "a.npz", []string{"a.npz:train_images.npy", `dtype "<i8", want '|u1'`}},
		{"3D volumes", npzBytes(t, with("train_images.npy", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2, 2), }", make([]byte, 8)))), "a.npz", []string{"train_images.npy", "shape [1 2 2 2], want (N, H, W)"}},
		{"label count mismatch", npzBytes(t, with("train_labels.npy", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 1), }", []byte{0, 1, 1}))), "a.npz", []string{"train_labels.npy", "shape [3 1], want (2,) or (2, 1)"}},
		{"multi-label", npzBytes(t, with("train_labels.npy", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", []byte{0, 1, 1, 0}))), "a.npz", []string{"train_labels.npy", "single-label"}},
		{"negative label", npzBytes(t, with("val_labels.npy", npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", binary.LittleEndian.AppendUint64(make([]byte, 8), 1<<64-1)))), "a.npz", []string{"val_labels.npy", "label -1 of image 1 out of range"}},
		{"label beyond known classes", npzBytes(t, with("test_labels.npy", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1), }", []byte{0, 2}))), "breastmnist.npz", []string{"breastmnist.npz:test_labels.npy", "label 2 of image 1 out of range, want 0 to 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := parseNPZBytes(tc.archive, tc.file)
			wantOneLine(t, err, tc.want...)
		})
	}
}

func TestOpenEmbedded(t *testing.T) {
	train, test, err := Open("embedded", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d        *Dataset
		perClass int
	}{{train, EmbeddedTrain / 10}, {test, EmbeddedTest / 10}} {
		if tc.d.C != 1 || tc.d.H != 28 || tc.d.W != 28 || tc.d.Classes != 10 || tc.d.Name != "embedded" {
			t.Errorf("%s: %dx%dx%d, %d classes, want embedded 1x28x28, 10 classes", tc.d.Name, tc.d.C, tc.d.H, tc.d.W, tc.d.Classes)
		}
		for c, n := range tc.d.ClassCounts() {
			if n != tc.perClass {
				t.Errorf("class %d has %d images, want %d", c, n, tc.perClass)
			}
		}
	}
	// Compressed size bound of issue 3: at most 2 MB.
	entries, err := embeddedFS.ReadDir("embedded")
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, e := range entries {
		info, _ := e.Info()
		total += info.Size()
	}
	if total > 2<<20 {
		t.Errorf("embedded data is %d bytes, want at most 2 MiB", total)
	}
}

// TestEmbeddedMatchesSource checks that the embedded files are what mkembedded makes from the
// installed Fashion-MNIST: the same images, in order, as Subset picks.
func TestEmbeddedMatchesSource(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (%v)", err)
	}
	train, test, err := Open("fashion-mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 60000 || test.N != 10000 || train.H != 28 {
		t.Fatalf("fashion-mnist: %d train, %d test of %dx%d, want 60000, 10000 of 28x28", train.N, test.N, train.H, train.W)
	}
	// Published Fashion-MNIST training statistics, mean 0.2860 and std 0.3530 (e.g. the
	// normalisation constants of common PyTorch recipes), check the decoding independently.
	mean, std := train.ChannelStats()
	if math.Abs(float64(mean[0])-0.2860) > 5e-5 || math.Abs(float64(std[0])-0.3530) > 5e-5 {
		t.Errorf("fashion-mnist train mean %v std %v, want 0.2860 and 0.3530", mean[0], std[0])
	}
	etrain, etest, err := Open("embedded", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		full, emb *Dataset
		n         int
	}{{train, etrain, EmbeddedTrain}, {test, etest, EmbeddedTest}} {
		sub, err := p.full.Subset(p.n, EmbeddedSeed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sub.Pixels, p.emb.Pixels) || !cmp.Equal(sub.Labels, p.emb.Labels) {
			t.Errorf("embedded subset of %d differs from Subset(%d, %d) of the installed data; rerun make embedded-data", p.n, p.n, EmbeddedSeed)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name, dir string
		want      []string
		notExist  bool
	}{
		{"fashion-mnist", empty, []string{"dataset fashion-mnist", "train-images-idx3-ubyte.gz", "dataset-fashion-mnist"}, true},
		{"mnist", empty, []string{"dataset mnist", "https://"}, true},
		{"cifar10", empty, []string{"dataset cifar10", "data_batch_1.bin", "cifar-10-binary.tar.gz"}, true},
		{"cifar100", empty, []string{"dataset cifar100", "train.bin", "cifar-100-binary.tar.gz"}, true},
		{"medmnist:pathmnist.npz", empty, []string{"dataset medmnist", "pathmnist.npz", "zenodo"}, true},
		{"medmnist:", empty, []string{"want medmnist:<file.npz>"}, false},
		{"imagenet", empty, []string{`unknown dataset "imagenet"`, "fashion-mnist"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Open(tc.name, tc.dir)
			wantOneLine(t, err, tc.want...)
			if got := errors.Is(err, fs.ErrNotExist); got != tc.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tc.notExist)
			}
		})
	}
}

func TestOpenFromDir(t *testing.T) {
	dir := t.TempDir()
	// mnist: raw (not gzipped) files are found too.
	writeFile(t, dir, "train-images-idx3-ubyte", idxBytes(0x803, []uint32{3, 2, 3}, threePixels))
	writeFile(t, dir, "train-labels-idx1-ubyte", idxBytes(0x801, []uint32{3}, threeLabels))
	writeFile(t, dir, "t10k-images-idx3-ubyte.gz", gz(t, idxBytes(0x803, []uint32{1, 2, 3}, threePixels[:6])))
	writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", gz(t, idxBytes(0x801, []uint32{1}, threeLabels[:1])))
	train, test, err := Open("mnist", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 3 || test.N != 1 || train.Name != "mnist" {
		t.Errorf("mnist: %s %d train, %d test, want mnist 3 and 1", train.Name, train.N, test.N)
	}
	// cifar10 in the subdirectory its archive unpacks to.
	sub := filepath.Join(dir, "cifar-10-batches-bin")
	os.Mkdir(sub, 0o755)
	for i := 1; i <= 5; i++ {
		writeFile(t, sub, fmt.Sprintf("data_batch_%d.bin", i), cifarRecords(i, func(int) []byte { return []byte{byte(i)} }))
	}
	writeFile(t, sub, "test_batch.bin", cifarRecords(2, func(int) []byte { return []byte{0} }))
	train, test, err = Open("cifar10", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 15 || test.N != 2 || train.Labels[14] != 5 {
		t.Errorf("cifar10: %d train (last label %d), %d test, want 15 (5) and 2", train.N, train.Labels[14], test.N)
	}
	// medmnist relative to dir.
	b, err := os.ReadFile(filepath.Join("testdata", "gray.npz"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "gray.npz", b)
	train, test, err = Open("medmnist:gray.npz", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 6 || test.N != 4 {
		t.Errorf("medmnist: %d train, %d test, want 6 and 4", train.N, test.N)
	}
}

func TestImage(t *testing.T) {
	d := &Dataset{N: 3, C: 1, H: 2, W: 3, Classes: 10, Pixels: threePixels, Labels: []int32{2, 0, 9}}
	got := make([]float32, 6)
	d.Image(2, got)
	for j, p := range threePixels[12:] {
		if got[j] != float32(p)/255 {
			t.Errorf("Image(2)[%d] = %v, want %v", j, got[j], float32(p)/255)
		}
	}
	_, _, _, err := ReadNPZ("/nonexistent/x.npz")
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a .npz") {
		t.Errorf("ReadNPZ of a missing file: %v, want a not-exist error", err)
	}
}
