package data

import (
	"encoding/binary"
	"fmt"
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte) and the number
// of dimensions (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS FOR THE MNIST DATABASE").
const (
	idxImagesMagic = 0x00000803 // ubyte, 3 dimensions: N, rows, columns
	idxLabelsMagic = 0x00000801 // ubyte, 1 dimension: N
)

// maxIDXSide bounds the rows and columns an IDX header may claim; MNIST-like sets are 28.
const maxIDXSide = 4096

// ReadIDX loads an image file (magic 0x803) and a label file (magic 0x801) in IDX format,
// each gzipped or raw, as one-channel images with labels in [0, classes).
func ReadIDX(imagesPath, labelsPath, name string, classes int) (*Dataset, error) {
	img, err := readFile(imagesPath)
	if err != nil {
		return nil, err
	}
	lbl, err := readFile(labelsPath)
	if err != nil {
		return nil, err
	}
	return parseIDX(img, lbl, imagesPath, labelsPath, name, classes)
}

// parseIDX decodes decompressed IDX images and labels; the file names are for errors only.
// The dataset's pixels alias img.
func parseIDX(img, lbl []byte, imagesFile, labelsFile, name string, classes int) (*Dataset, error) {
	n, h, w, err := idxImagesHeader(img, imagesFile)
	if err != nil {
		return nil, err
	}
	nl, err := idxLabelsHeader(lbl, labelsFile)
	if err != nil {
		return nil, err
	}
	if n != nl {
		return nil, fmt.Errorf("read %s: %d labels, but %s holds %d images", labelsFile, nl, imagesFile, n)
	}
	d := &Dataset{Name: name, N: n, C: 1, H: h, W: w, Classes: classes,
		Pixels: img[16:], Labels: make([]int32, n)}
	for i, l := range lbl[8:] {
		if int(l) >= classes {
			return nil, fmt.Errorf("read %s: label %d of image %d out of range, want 0 to %d", labelsFile, l, i, classes-1)
		}
		d.Labels[i] = int32(l)
	}
	return d, nil
}

func idxImagesHeader(b []byte, file string) (n, h, w int, err error) {
	if len(b) >= 4 && binary.BigEndian.Uint32(b) != idxImagesMagic {
		return 0, 0, 0, fmt.Errorf("read %s: bad IDX magic %#x, want %#x (unsigned byte images, 3 dimensions)", file, binary.BigEndian.Uint32(b), idxImagesMagic)
	}
	if len(b) < 16 {
		return 0, 0, 0, fmt.Errorf("read %s: %d bytes, want at least a 16-byte IDX image header", file, len(b))
	}
	n64 := uint64(binary.BigEndian.Uint32(b[4:]))
	h64 := uint64(binary.BigEndian.Uint32(b[8:]))
	w64 := uint64(binary.BigEndian.Uint32(b[12:]))
	if h64 == 0 || w64 == 0 || h64 > maxIDXSide || w64 > maxIDXSide {
		return 0, 0, 0, fmt.Errorf("read %s: IDX images of %dx%d, want sides 1 to %d", file, h64, w64, maxIDXSide)
	}
	// n64*h64*w64 < 2^32 * 2^24: no overflow in uint64.
	if want := 16 + n64*h64*w64; uint64(len(b)) != want {
		return 0, 0, 0, fmt.Errorf("read %s: %d bytes, want %d for %d images of %dx%d", file, len(b), want, n64, h64, w64)
	}
	return int(n64), int(h64), int(w64), nil
}

func idxLabelsHeader(b []byte, file string) (n int, err error) {
	if len(b) >= 4 && binary.BigEndian.Uint32(b) != idxLabelsMagic {
		return 0, fmt.Errorf("read %s: bad IDX magic %#x, want %#x (unsigned byte labels, 1 dimension)", file, binary.BigEndian.Uint32(b), idxLabelsMagic)
	}
	if len(b) < 8 {
		return 0, fmt.Errorf("read %s: %d bytes, want at least an 8-byte IDX label header", file, len(b))
	}
	n64 := uint64(binary.BigEndian.Uint32(b[4:]))
	if want := 8 + n64; uint64(len(b)) != want {
		return 0, fmt.Errorf("read %s: %d bytes, want %d for %d labels", file, len(b), want, n64)
	}
	return int(n64), nil
}

// EncodeIDX returns d as the contents of an IDX image file and an IDX label file,
// uncompressed. d must have one channel and labels below 256.
func EncodeIDX(d *Dataset) (images, labels []byte, err error) {
	if d.C != 1 || d.Classes > 256 {
		return nil, nil, fmt.Errorf("encode %s as IDX: %d channels and %d classes, want 1 channel and at most 256 classes", d.Name, d.C, d.Classes)
	}
	images = make([]byte, 16, 16+len(d.Pixels))
	binary.BigEndian.PutUint32(images, idxImagesMagic)
	binary.BigEndian.PutUint32(images[4:], uint32(d.N))
	binary.BigEndian.PutUint32(images[8:], uint32(d.H))
	binary.BigEndian.PutUint32(images[12:], uint32(d.W))
	images = append(images, d.Pixels...)
	labels = make([]byte, 8, 8+d.N)
	binary.BigEndian.PutUint32(labels, idxLabelsMagic)
	binary.BigEndian.PutUint32(labels[4:], uint32(d.N))
	for _, l := range d.Labels {
		labels = append(labels, byte(l))
	}
	return images, labels, nil
}
