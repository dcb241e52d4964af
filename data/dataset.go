// Package data loads image classification datasets (IDX, CIFAR binary, MedMNIST .npz and an
// embedded Fashion-MNIST subset) and serves them as shuffled, normalised, augmented batches.
package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Dataset is a set of labelled images held as raw 8-bit pixels, NCHW: pixel (n, c, y, x) is
// Pixels[((n*C+c)*H+y)*W+x]. Bytes rather than float32 keep CIFAR-10's 50k training images at
// 150 MB instead of 600 MB; the Batcher converts to float32 one batch at a time.
type Dataset struct {
	Name       string  // dataset name, e.g. "fashion-mnist", "cifar10", "medmnist:pathmnist"
	N, C, H, W int     // images, channels, height, width
	Classes    int     // labels lie in [0, Classes)
	Pixels     []uint8 // N*C*H*W values, NCHW
	Labels     []int32 // N values
}

// ImageSize is the number of pixels of one image, C*H*W.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// Image writes image i into dst (len C*H*W) as float32 in [0, 1], NCHW order.
func (d *Dataset) Image(i int, dst []float32) {
	size := d.ImageSize()
	for j, p := range d.Pixels[i*size : (i+1)*size] {
		dst[j] = float32(p) / 255
	}
}

// ClassCounts returns how many images carry each label.
func (d *Dataset) ClassCounts() []int {
	counts := make([]int, d.Classes)
	for _, l := range d.Labels {
		counts[l]++
	}
	return counts
}

// Split cuts d by index: the first round(fraction*N) images form first, the rest second.
// DARTS searches with fraction 0.5: first trains the weights, second the architecture
// (reference/nas-algorithms.md §1, train_portion). Both share d's storage.
func (d *Dataset) Split(fraction float64) (first, second *Dataset, err error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("split %s: fraction %v, want a number in (0, 1)", d.Name, fraction)
	}
	k := int(math.Round(fraction * float64(d.N)))
	if k == 0 || k == d.N {
		return nil, nil, fmt.Errorf("split %s: fraction %v of %d images leaves one part empty", d.Name, fraction, d.N)
	}
	return d.slice(0, k), d.slice(k, d.N), nil
}

// slice returns images [lo, hi) of d sharing its storage; the full slice expressions stop an
// append to one part from writing into the other.
func (d *Dataset) slice(lo, hi int) *Dataset {
	size := d.ImageSize()
	s := *d
	s.N = hi - lo
	s.Pixels = d.Pixels[lo*size : hi*size : hi*size]
	s.Labels = d.Labels[lo:hi:hi]
	return &s
}

// Subset returns n images of d drawn without replacement, stratified: each class gets its
// share of n in proportion to its share of d (largest remainder, ties to the lower class), so
// a balanced dataset gives n/Classes per class. Within a class the images are chosen by a
// seeded shuffle; the subset keeps d's order. The same (d, n, seed) always gives the same
// subset.
func (d *Dataset) Subset(n int, seed uint64) (*Dataset, error) {
	if n <= 0 || n > d.N {
		return nil, fmt.Errorf("subset of %s: %d images asked for, want 1 to %d", d.Name, n, d.N)
	}
	byClass := make([][]int, d.Classes)
	for i, l := range d.Labels {
		byClass[l] = append(byClass[l], i)
	}
	quota := stratifiedQuota(d.ClassCounts(), n)
	rng := rand.New(rand.NewPCG(seed, 0x5ab5e7)) // second word: fixed stream id for subsets
	var chosen []int
	for c, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		chosen = append(chosen, idx[:quota[c]]...)
	}
	sort.Ints(chosen)
	return d.gather(chosen), nil
}

// stratifiedQuota splits n over classes in proportion to counts by the largest remainder
// method; quota[c] never exceeds counts[c].
func stratifiedQuota(counts []int, n int) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	quota := make([]int, len(counts))
	rem := make([]int, len(counts)) // remainder numerators, n*count mod total
	given := 0
	for c, k := range counts {
		quota[c] = n * k / total
		rem[c] = n * k % total
		given += quota[c]
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return rem[order[i]] > rem[order[j]] })
	for _, c := range order[:n-given] {
		quota[c]++
	}
	return quota
}

// gather copies the images at idx into a new dataset.
func (d *Dataset) gather(idx []int) *Dataset {
	size := d.ImageSize()
	s := *d
	s.N = len(idx)
	s.Pixels = make([]uint8, len(idx)*size)
	s.Labels = make([]int32, len(idx))
	for j, i := range idx {
		copy(s.Pixels[j*size:(j+1)*size], d.Pixels[i*size:(i+1)*size])
		s.Labels[j] = d.Labels[i]
	}
	return &s
}

// ChannelStats returns the per-channel mean and standard deviation of d's pixels scaled to
// [0, 1], over all images and positions (population std, as the DARTS CIFAR constants were
// computed; reference/nas-algorithms.md §1.5). Sums run in float64.
func (d *Dataset) ChannelStats() (mean, std []float32) {
	mean = make([]float32, d.C)
	std = make([]float32, d.C)
	plane := d.H * d.W
	for c := 0; c < d.C; c++ {
		// Integer sums of bytes are exact; 2^63 / 255^2 leaves room for 10^14 pixels.
		var sum, sq uint64
		for n := 0; n < d.N; n++ {
			off := (n*d.C + c) * plane
			for _, p := range d.Pixels[off : off+plane] {
				sum += uint64(p)
				sq += uint64(p) * uint64(p)
			}
		}
		count := float64(d.N * plane)
		m := float64(sum) / count / 255
		v := float64(sq)/count/(255*255) - m*m
		mean[c] = float32(m)
		std[c] = float32(math.Sqrt(math.Max(v, 0)))
	}
	return mean, std
}

// check verifies the invariants a loader promises; file names the source for the error.
func (d *Dataset) check(file string) error {
	if d.N*d.ImageSize() != len(d.Pixels) || d.N != len(d.Labels) {
		return fmt.Errorf("read %s: %d pixels and %d labels for %d images of %dx%dx%d", file, len(d.Pixels), len(d.Labels), d.N, d.C, d.H, d.W)
	}
	for i, l := range d.Labels {
		if l < 0 || int(l) >= d.Classes {
			return fmt.Errorf("read %s: label %d of image %d out of range, want 0 to %d", file, l, i, d.Classes-1)
		}
	}
	return nil
}
