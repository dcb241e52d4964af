package data

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
)

// medmnistClasses gives the class count of each 2D single-label MedMNIST dataset (MedMNIST v2,
// Yang et al. 2023, Table 1; medmnist/info.py). ChestMNIST is multi-label and not listed.
var medmnistClasses = map[string]int{
	"pathmnist": 9, "dermamnist": 7, "octmnist": 4, "pneumoniamnist": 2, "retinamnist": 5,
	"breastmnist": 2, "bloodmnist": 8, "tissuemnist": 8, "organamnist": 11, "organcmnist": 11,
	"organsmnist": 11,
}

// maxNPYSide bounds image sides in a .npz; MedMNIST+ goes up to 224.
const maxNPYSide = 1024

// ReadNPZ loads a MedMNIST .npz archive (np.savez of train_images, train_labels, val_images,
// val_labels, test_images, test_labels). Images are uint8 (N, H, W) or (N, H, W, C) with C 1
// or 3, returned as NCHW; labels are (N,) or (N, 1) integers. Known MedMNIST file names
// (pathmnist.npz, pathmnist_64.npz, ...) fix the class count; for others it is one more than
// the largest label.
func ReadNPZ(path string) (train, val, test *Dataset, err error) {
	zr, err := zip.OpenReader(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil, err // *PathError names the file
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read %s: not a .npz (zip) archive: %v", path, err)
	}
	defer zr.Close()
	return parseNPZ(&zr.Reader, path)
}

// parseNPZBytes decodes an .npz archive held in memory; file names it for errors.
func parseNPZBytes(b []byte, file string) (train, val, test *Dataset, err error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read %s: not a .npz (zip) archive: %v", file, err)
	}
	return parseNPZ(zr, file)
}

var sizeSuffix = regexp.MustCompile(`_[0-9]+$`)

func parseNPZ(zr *zip.Reader, file string) (train, val, test *Dataset, err error) {
	base := strings.TrimSuffix(filepath.Base(file), ".npz")
	name := "medmnist:" + base
	classes, known := medmnistClasses[sizeSuffix.ReplaceAllString(strings.ToLower(base), "")]
	parts := make([]*Dataset, 3)
	maxLabel := int32(0)
	for i, split := range []string{"train", "val", "test"} {
		d, err := readNPZSplit(zr, file, split)
		if err != nil {
			return nil, nil, nil, err
		}
		d.Name = name
		for _, l := range d.Labels {
			maxLabel = max(maxLabel, l)
		}
		parts[i] = d
	}
	if !known {
		classes = int(maxLabel) + 1
	}
	for i, split := range []string{"train", "val", "test"} {
		parts[i].Classes = classes
		if err := parts[i].check(file + ":" + split + "_labels.npy"); err != nil {
			return nil, nil, nil, err
		}
	}
	return parts[0], parts[1], parts[2], nil
}

// readNPZSplit reads <split>_images.npy and <split>_labels.npy from the archive.
func readNPZSplit(zr *zip.Reader, file, split string) (*Dataset, error) {
	imgFile, lblFile := file+":"+split+"_images.npy", file+":"+split+"_labels.npy"
	img, err := readNPZEntry(zr, file, split+"_images.npy")
	if err != nil {
		return nil, err
	}
	lbl, err := readNPZEntry(zr, file, split+"_labels.npy")
	if err != nil {
		return nil, err
	}
	if img.descr != "|u1" {
		return nil, fmt.Errorf("read %s: dtype %q, want '|u1' (uint8 images)", imgFile, img.descr)
	}
	s := img.shape
	d := &Dataset{}
	switch {
	case len(s) == 3:
		d.N, d.C, d.H, d.W = s[0], 1, s[1], s[2]
	case len(s) == 4 && (s[3] == 1 || s[3] == 3):
		d.N, d.C, d.H, d.W = s[0], s[3], s[1], s[2]
	default:
		return nil, fmt.Errorf("read %s: images of shape %v, want (N, H, W) or (N, H, W, C) with C 1 or 3", imgFile, s)
	}
	if d.H < 1 || d.W < 1 || d.H > maxNPYSide || d.W > maxNPYSide {
		return nil, fmt.Errorf("read %s: images of %dx%d, want sides 1 to %d", imgFile, d.H, d.W, maxNPYSide)
	}
	d.Pixels = hwcToCHW(img.data, d.N, d.C, d.H*d.W)
	if !(len(lbl.shape) == 1 || len(lbl.shape) == 2 && lbl.shape[1] == 1) || lbl.shape[0] != d.N {
		return nil, fmt.Errorf("read %s: labels of shape %v, want (%d,) or (%d, 1) (single-label, one per image)", lblFile, lbl.shape, d.N, d.N)
	}
	d.Labels = make([]int32, d.N)
	item := npyItemSize[lbl.descr]
	for i := range d.Labels {
		v := littleEndianInt(lbl.data[i*item : (i+1)*item])
		if v < 0 || v > 1<<20 {
			return nil, fmt.Errorf("read %s: label %d of image %d out of range, want 0 to 1048576", lblFile, v, i)
		}
		d.Labels[i] = int32(v)
	}
	return d, nil
}

// readNPZEntry reads and decodes one .npy member of the archive.
func readNPZEntry(zr *zip.Reader, file, entry string) (npyArray, error) {
	f, err := zr.Open(entry)
	if err != nil {
		return npyArray{}, fmt.Errorf("read %s: no %s in the archive, want train/val/test _images.npy and _labels.npy", file, entry)
	}
	defer f.Close()
	b, err := readAllCapped(f, maxFileBytes)
	if err != nil {
		return npyArray{}, fmt.Errorf("read %s:%s: %v", file, entry, err)
	}
	return parseNPY(b, file+":"+entry)
}

// hwcToCHW reorders n images of c interleaved channels into planes; with one channel it
// returns src itself.
func hwcToCHW(src []byte, n, c, plane int) []byte {
	if c == 1 {
		return src
	}
	dst := make([]byte, len(src))
	for i := 0; i < n; i++ {
		img, out := src[i*c*plane:(i+1)*c*plane], dst[i*c*plane:(i+1)*c*plane]
		for p := 0; p < plane; p++ {
			for ch := 0; ch < c; ch++ {
				out[ch*plane+p] = img[p*c+ch]
			}
		}
	}
	return dst
}

// littleEndianInt decodes a signed little-endian integer of 1 (unsigned), 4 or 8 bytes.
func littleEndianInt(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(b[0])
	case 4:
		return int64(int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24))
	}
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return int64(u)
}
