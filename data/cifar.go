package data

import (
	"fmt"
	"os"
)

// CIFAR binary format (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary version"): each
// record is the label byte(s) followed by 3072 pixel bytes, the 1024 red, then 1024 green,
// then 1024 blue values of a 32×32 image in row-major order, which is already CHW.
const (
	cifarSide   = 32
	cifarPixels = 3 * cifarSide * cifarSide
)

// cifarFormat describes one of the two CIFAR binary layouts.
type cifarFormat struct {
	name       string
	labelBytes int // 1 for CIFAR-10; 2 for CIFAR-100 (coarse, then fine)
	labelIndex int // which label byte is the class
	classes    int
}

var (
	cifar10Format  = cifarFormat{name: "cifar10", labelBytes: 1, labelIndex: 0, classes: 10}
	cifar100Format = cifarFormat{name: "cifar100", labelBytes: 2, labelIndex: 1, classes: 100}
)

// ReadCIFAR10 loads CIFAR-10 binary batch files (data_batch_1.bin ... or test_batch.bin) into
// one dataset, in the order given.
func ReadCIFAR10(files ...string) (*Dataset, error) { return readCIFAR(cifar10Format, files) }

// ReadCIFAR100 loads CIFAR-100 binary files (train.bin, test.bin) with the 100 fine labels;
// the coarse label byte of each record is checked and dropped.
func ReadCIFAR100(files ...string) (*Dataset, error) { return readCIFAR(cifar100Format, files) }

func readCIFAR(f cifarFormat, files []string) (*Dataset, error) {
	d := &Dataset{Name: f.name, C: 3, H: cifarSide, W: cifarSide, Classes: f.classes}
	// Size the arrays from the file sizes up front so loading never holds two copies.
	records := 0
	for _, file := range files {
		if st, err := os.Stat(file); err == nil {
			records += int(st.Size()) / (f.labelBytes + cifarPixels)
		}
	}
	d.Pixels = make([]uint8, 0, records*cifarPixels)
	d.Labels = make([]int32, 0, records)
	for _, file := range files {
		b, err := readFile(file)
		if err != nil {
			return nil, err
		}
		if err := parseCIFAR(f, b, file, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// parseCIFAR appends the records in b to d; file names the source for errors.
func parseCIFAR(f cifarFormat, b []byte, file string, d *Dataset) error {
	record := f.labelBytes + cifarPixels
	if len(b) == 0 || len(b)%record != 0 {
		return fmt.Errorf("read %s: %d bytes, want a positive multiple of the %s record size %d", file, len(b), f.name, record)
	}
	for i := 0; i < len(b)/record; i++ {
		r := b[i*record : (i+1)*record]
		if f.labelBytes == 2 && r[0] >= 20 { // CIFAR-100 has 20 superclasses
			return fmt.Errorf("read %s: coarse label %d of record %d out of range, want 0 to 19", file, r[0], i)
		}
		l := r[f.labelIndex]
		if int(l) >= f.classes {
			return fmt.Errorf("read %s: label %d of record %d out of range, want 0 to %d", file, l, i, f.classes-1)
		}
		d.Labels = append(d.Labels, int32(l))
		d.Pixels = append(d.Pixels, r[f.labelBytes:]...)
		d.N++
	}
	return nil
}
