package data

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// maxFileBytes caps how much one dataset file may hold once decompressed. The largest file
// we read is CIFAR-100's train.bin (50000 × 3074 B ≈ 154 MB); TissueMNIST's 28×28 images are
// 185 MB. The cap stops a gzip bomb or a lying header from taking the machine's memory.
// A variable so the fuzz targets can lower it.
var maxFileBytes int64 = 1 << 30

// readFile returns the contents of path, gunzipped when it starts with the gzip magic
// (whatever its name), or an error naming path.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	defer f.Close()
	b, err := readAllCapped(f, maxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %v", path, err)
	}
	b, err = gunzipIfCompressed(b, maxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %v", path, err)
	}
	return b, nil
}

// gunzipIfCompressed decompresses b if it begins with the gzip magic 1f 8b, reading at most
// limit bytes of output; otherwise it returns b unchanged.
func gunzipIfCompressed(b []byte, limit int64) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("bad gzip header: %v", err)
	}
	out, err := readAllCapped(zr, limit)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %v", err)
	}
	return out, nil
}

// readAllCapped reads r to the end, failing if it holds more than limit bytes. Memory grows
// with the bytes actually read, never with a size some header claims.
func readAllCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("more than %d bytes", limit)
	}
	return b, nil
}
