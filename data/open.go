package data

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Names lists the dataset names Open accepts; "medmnist:<file.npz>" names a MedMNIST archive.
var Names = []string{"embedded", "fashion-mnist", "mnist", "cifar10", "cifar100", "medmnist:<file.npz>"}

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs the data.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// The embedded default: a stratified subset of Fashion-MNIST, 3000 training and 500 test
// images (300 and 50 per class), as gzipped IDX files made by internal/tools/mkembedded.
//
// The directory also holds a README, so the package builds before the data is generated.
//
//go:embed embedded
var embeddedFS embed.FS

// Embedded subset sizes and seed, shared with internal/tools/mkembedded.
const (
	EmbeddedTrain = 3000
	EmbeddedTest  = 500
	EmbeddedSeed  = 1
)

// source says where a dataset's files come from, for the error when they are missing.
var source = map[string]string{
	"fashion-mnist": "install Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or download https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion",
	"mnist":         "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from https://ossci-datasets.s3.amazonaws.com/mnist/",
	"cifar10":       "download and unpack https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
	"cifar100":      "download and unpack https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
	"medmnist":      "download the .npz from https://zenodo.org/records/10519652 (MedMNIST v2)",
}

// Open loads the training and test sets of the dataset called name, from dir or, when dir is
// empty, from its default place: FashionMNISTDir for fashion-mnist, the current directory for
// the others. cifar10 and cifar100 also look in the subdirectory their archive unpacks to
// (cifar-10-batches-bin, cifar-100-binary). For "medmnist:<file.npz>" a relative file is taken
// relative to dir; the archive's validation split is not returned (use ReadNPZ for it).
// A missing dataset gives an error, wrapping fs.ErrNotExist, that says where to get it.
func Open(name, dir string) (train, test *Dataset, err error) {
	switch {
	case name == "embedded":
		return openEmbedded()
	case name == "fashion-mnist" || name == "mnist":
		if dir == "" && name == "fashion-mnist" {
			dir = FashionMNISTDir
		}
		return openIDX(name, dir)
	case name == "cifar10":
		dir, err = findDir(name, dir, "cifar-10-batches-bin", "data_batch_1.bin")
		if err != nil {
			return nil, nil, err
		}
		var batches []string
		for i := 1; i <= 5; i++ {
			batches = append(batches, filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", i)))
		}
		if train, err = ReadCIFAR10(batches...); err != nil {
			return nil, nil, missing(name, err)
		}
		test, err = ReadCIFAR10(filepath.Join(dir, "test_batch.bin"))
		return train, test, missing(name, err)
	case name == "cifar100":
		dir, err = findDir(name, dir, "cifar-100-binary", "train.bin")
		if err != nil {
			return nil, nil, err
		}
		if train, err = ReadCIFAR100(filepath.Join(dir, "train.bin")); err != nil {
			return nil, nil, missing(name, err)
		}
		test, err = ReadCIFAR100(filepath.Join(dir, "test.bin"))
		return train, test, missing(name, err)
	case strings.HasPrefix(name, "medmnist:"):
		file := strings.TrimPrefix(name, "medmnist:")
		if file == "" {
			return nil, nil, fmt.Errorf("dataset %q: want medmnist:<file.npz>", name)
		}
		if !filepath.IsAbs(file) && dir != "" {
			file = filepath.Join(dir, file)
		}
		if _, err := os.Stat(file); err != nil {
			return nil, nil, missing("medmnist", err)
		}
		train, _, test, err = ReadNPZ(file)
		return train, test, err
	}
	return nil, nil, fmt.Errorf("unknown dataset %q, want one of %s", name, strings.Join(Names, ", "))
}

// openIDX reads the four MNIST-style files from dir, each gzipped or not.
func openIDX(name, dir string) (train, test *Dataset, err error) {
	find := func(base string) (string, error) {
		p := filepath.Join(dir, base)
		for _, f := range []string{p + ".gz", p} {
			if _, err := os.Stat(f); err == nil {
				return f, nil
			}
		}
		return "", missing(name, &fs.PathError{Op: "open", Path: p + ".gz", Err: fs.ErrNotExist})
	}
	var files [4]string
	for i, base := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if files[i], err = find(base); err != nil {
			return nil, nil, err
		}
	}
	if train, err = ReadIDX(files[0], files[1], name, 10); err != nil {
		return nil, nil, err
	}
	if test, err = ReadIDX(files[2], files[3], name, 10); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// findDir returns dir, or its subdirectory sub, whichever holds probe.
func findDir(name, dir, sub, probe string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, sub)} {
		if _, err := os.Stat(filepath.Join(d, probe)); err == nil {
			return d, nil
		}
	}
	return "", missing(name, &fs.PathError{Op: "open", Path: filepath.Join(dir, probe), Err: fs.ErrNotExist})
}

// missing adds to a file-not-found error where the dataset can be had; other errors pass.
func missing(name string, err error) error {
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return fmt.Errorf("dataset %s: %w; %s", name, err, source[name])
}

// openEmbedded decodes the embedded Fashion-MNIST subset.
func openEmbedded() (train, test *Dataset, err error) {
	read := func(base string) ([]byte, error) {
		b, err := embeddedFS.ReadFile("embedded/" + base)
		if err != nil {
			return nil, fmt.Errorf("embedded dataset: %v (run make embedded-data)", err)
		}
		return gunzipIfCompressed(b, maxFileBytes)
	}
	var parts [4][]byte
	bases := [4]string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}
	for i, base := range bases {
		if parts[i], err = read(base); err != nil {
			return nil, nil, err
		}
	}
	if train, err = parseIDX(parts[0], parts[1], "embedded:"+bases[0], "embedded:"+bases[1], "embedded", 10); err != nil {
		return nil, nil, err
	}
	if test, err = parseIDX(parts[2], parts[3], "embedded:"+bases[2], "embedded:"+bases[3], "embedded", 10); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
