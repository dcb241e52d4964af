package data

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Augment is the host-side training augmentation, applied in the order of the DARTS
// reference code (train_search.py / utils._data_transforms_cifar10): random crop with zero
// padding, horizontal flip, normalisation, then cutout. The zero value does nothing.
type Augment struct {
	// Pad is the random-crop padding: the image is padded with Pad black pixels on every side
	// and an H×W window is cut at a uniform offset. DARTS uses 4 for 32×32 CIFAR.
	Pad int
	// Flip mirrors the image left-right with probability 1/2.
	Flip bool
	// Cutout is the side of a square zeroed after normalisation, centred uniformly over the
	// image and clipped to it; 0 turns it off. DARTS evaluation uses 16 on CIFAR
	// (reference/nas-algorithms.md §1.6).
	Cutout int
}

// DefaultAugment is the training augmentation we use for a dataset by default:
//   - CIFAR-10/100: crop pad 4 and flip, as DARTS.
//   - Fashion-MNIST (and the embedded subset): crop pad 2, the 28-pixel analogue of 4/32,
//     and flip, since clothes are nearly mirror-symmetric and a mirrored shoe is still a shoe.
//   - MNIST: crop pad 2, no flip: a mirrored digit is a different glyph (2, 3, 7, ...).
//   - MedMNIST: crop pad 2, no flip: anatomy has a left and a right.
//
// Cutout is off everywhere; the caller turns it on for final training.
func DefaultAugment(name string) Augment {
	switch {
	case strings.HasPrefix(name, "cifar"):
		return Augment{Pad: 4, Flip: true}
	case name == "fashion-mnist" || name == "embedded":
		return Augment{Pad: 2, Flip: true}
	default:
		return Augment{Pad: 2}
	}
}

// BatcherConfig sets up a Batcher.
type BatcherConfig struct {
	Batch    int       // images per batch, at least 1
	Shuffle  bool      // visit the images in a fresh seeded order each epoch; else in order
	DropLast bool      // skip the last batch of an epoch when it is short
	Seed     uint64    // seeds the shuffle and the augmentation
	Mean     []float32 // per-channel mean subtracted after scaling to [0, 1] (len C)
	Std      []float32 // per-channel std divided by (len C, each > 0)
	Augment  Augment
}

// Batch is one host batch: X holds N images NCHW (N×C×H×W float32, normalised and
// augmented), Y their labels. Its slices are reused by the next call to Next.
type Batch struct {
	X          []float32
	Y          []int32
	N, C, H, W int
}

// BatcherState is where a Batcher stands: the next batch is batch Pos of epoch Epoch. Each
// epoch's order and augmentation derive from (Seed, Epoch) alone, so restoring a state
// replays exactly the batches that followed it. It marshals to JSON as is.
type BatcherState struct {
	Epoch int    `json:"epoch"`
	Pos   int    `json:"pos"` // batches of the epoch already served
	Seed  uint64 `json:"seed"`
}

// Batcher serves a dataset as a deterministic sequence of batches, epoch after epoch. It is
// not safe for concurrent use; a trainer that wants the next batch prepared during a step
// can call Next from one goroutine of its own.
type Batcher struct {
	d     *Dataset
	cfg   BatcherConfig
	state BatcherState
	perm  []int32 // order of the current epoch; permEpoch says which epoch it belongs to
	// permEpoch is the epoch perm was drawn for, -1 for none yet.
	permEpoch int
	pcg       *rand.PCG // reseeded per image for augmentation
	rng       *rand.Rand
	// norm maps each byte value to its normalised float, per channel: (p/255 - mean) / std
	// worked out in float64 and rounded once.
	norm [][256]float32
}

// NewBatcher returns a Batcher over d at epoch 0, position 0.
func NewBatcher(d *Dataset, cfg BatcherConfig) (*Batcher, error) {
	if cfg.Batch < 1 {
		return nil, fmt.Errorf("batcher for %s: batch size %d, want at least 1", d.Name, cfg.Batch)
	}
	if len(cfg.Mean) != d.C || len(cfg.Std) != d.C {
		return nil, fmt.Errorf("batcher for %s: %d means and %d stds, want %d (one per channel)", d.Name, len(cfg.Mean), len(cfg.Std), d.C)
	}
	if cfg.Augment.Pad < 0 || cfg.Augment.Cutout < 0 {
		return nil, fmt.Errorf("batcher for %s: crop padding %d and cutout %d, want both at least 0", d.Name, cfg.Augment.Pad, cfg.Augment.Cutout)
	}
	b := &Batcher{d: d, cfg: cfg, state: BatcherState{Seed: cfg.Seed}, permEpoch: -1,
		norm: make([][256]float32, d.C)}
	for c := range d.C {
		if !(cfg.Std[c] > 0) {
			return nil, fmt.Errorf("batcher for %s: std %v of channel %d, want > 0", d.Name, cfg.Std[c], c)
		}
		for p := range 256 {
			b.norm[c][p] = float32((float64(p)/255 - float64(cfg.Mean[c])) / float64(cfg.Std[c]))
		}
	}
	b.pcg = rand.NewPCG(0, 0)
	b.rng = rand.New(b.pcg)
	return b, nil
}

// BatchesPerEpoch is the number of batches Next serves in one epoch.
func (b *Batcher) BatchesPerEpoch() int {
	if b.cfg.DropLast {
		return b.d.N / b.cfg.Batch
	}
	return (b.d.N + b.cfg.Batch - 1) / b.cfg.Batch
}

// State returns where the Batcher stands, to save with a checkpoint.
func (b *Batcher) State() BatcherState { return b.state }

// Restore moves the Batcher to a saved state, after which Next serves exactly the batches
// that followed it when it was saved. The state's seed replaces the config's.
func (b *Batcher) Restore(s BatcherState) error {
	if s.Epoch < 0 || s.Pos < 0 || s.Pos > b.BatchesPerEpoch() {
		return fmt.Errorf("batcher for %s: state epoch %d position %d, want epoch >= 0 and position 0 to %d", b.d.Name, s.Epoch, s.Pos, b.BatchesPerEpoch())
	}
	b.state = s
	b.permEpoch = -1
	return nil
}

// Next fills dst with the next batch of the current epoch and returns true, or returns false
// at the end of the epoch and moves to the start of the next one. The usual loop is
//
//	for b.Next(&batch) { step(batch) }
//
// once per epoch.
func (b *Batcher) Next(dst *Batch) bool {
	s := &b.state
	if s.Pos >= b.BatchesPerEpoch() {
		s.Epoch++
		s.Pos = 0
		return false
	}
	if b.permEpoch != s.Epoch {
		b.drawPerm()
	}
	d := b.d
	lo := s.Pos * b.cfg.Batch
	hi := min(lo+b.cfg.Batch, d.N)
	n, size := hi-lo, d.ImageSize()
	dst.N, dst.C, dst.H, dst.W = n, d.C, d.H, d.W
	dst.X = grow(dst.X, n*size)
	dst.Y = grow(dst.Y, n)
	for j, i := range b.perm[lo:hi] {
		b.image(int(i), dst.X[j*size:(j+1)*size])
		dst.Y[j] = d.Labels[i]
	}
	s.Pos++
	return true
}

// drawPerm sets perm to the visiting order of the current epoch.
func (b *Batcher) drawPerm() {
	if b.perm == nil {
		b.perm = make([]int32, b.d.N)
	}
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	if b.cfg.Shuffle {
		b.pcg.Seed(b.state.Seed, uint64(b.state.Epoch))
		b.rng.Shuffle(len(b.perm), func(i, j int) { b.perm[i], b.perm[j] = b.perm[j], b.perm[i] })
	}
	b.permEpoch = b.state.Epoch
}

// image writes image i, augmented and normalised, into dst (len C*H*W). Its random choices
// depend only on (Seed, Epoch, i).
func (b *Batcher) image(i int, dst []float32) {
	d, a := b.d, b.cfg.Augment
	size, plane := d.ImageSize(), d.H*d.W
	src := d.Pixels[i*size : (i+1)*size]
	if a.Pad > 0 || a.Flip || a.Cutout > 0 {
		// Stream 1<<63|epoch keeps augmentation draws apart from the shuffle's stream epoch.
		b.pcg.Seed(b.state.Seed^uint64(i)*0x9e3779b97f4a7c15, 1<<63|uint64(b.state.Epoch))
	}
	dy, dx := 0, 0 // crop offset into the image, in [-Pad, Pad]
	if a.Pad > 0 {
		dy = b.rng.IntN(2*a.Pad+1) - a.Pad
		dx = b.rng.IntN(2*a.Pad+1) - a.Pad
	}
	flip := a.Flip && b.rng.IntN(2) == 1
	for c := 0; c < d.C; c++ {
		in, out := src[c*plane:(c+1)*plane], dst[c*plane:(c+1)*plane]
		norm := &b.norm[c]
		for y := 0; y < d.H; y++ {
			sy := y + dy
			for x := 0; x < d.W; x++ {
				sx := x + dx
				if flip {
					// Flip after the crop: output column x shows cropped column W-1-x.
					sx = d.W - 1 - x + dx
				}
				var p uint8 // padding is black, as torchvision's RandomCrop(padding=...)
				if sy >= 0 && sy < d.H && sx >= 0 && sx < d.W {
					p = in[sy*d.W+sx]
				}
				out[y*d.W+x] = norm[p]
			}
		}
	}
	if a.Cutout > 0 {
		// DARTS utils.Cutout: centre uniform over the image, square clipped to it.
		cy, cx := b.rng.IntN(d.H), b.rng.IntN(d.W)
		y0, y1 := max(cy-a.Cutout/2, 0), min(cy+a.Cutout/2, d.H)
		x0, x1 := max(cx-a.Cutout/2, 0), min(cx+a.Cutout/2, d.W)
		for c := 0; c < d.C; c++ {
			for y := y0; y < y1; y++ {
				clear(dst[c*plane+y*d.W+x0 : c*plane+y*d.W+x1])
			}
		}
	}
}

// grow returns s resized to n, reusing its array when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
