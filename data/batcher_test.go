package data

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func identityNorm(c int) ([]float32, []float32) {
	mean, std := make([]float32, c), make([]float32, c)
	for i := range std {
		std[i] = 1
	}
	return mean, std
}

func newTestBatcher(t *testing.T, d *Dataset, cfg BatcherConfig) *Batcher {
	t.Helper()
	if cfg.Mean == nil {
		cfg.Mean, cfg.Std = identityNorm(d.C)
	}
	b, err := NewBatcher(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// epochBatches collects the batches of one epoch as deep copies.
func epochBatches(b *Batcher) []Batch {
	var out []Batch
	var batch Batch
	for b.Next(&batch) {
		out = append(out, Batch{X: slices.Clone(batch.X), Y: slices.Clone(batch.Y), N: batch.N, C: batch.C, H: batch.H, W: batch.W})
	}
	return out
}

// labelAsImage makes a dataset whose image i is all pixels i%256 and label i, so a batch says
// which images it holds.
func labelAsImage(n int) *Dataset {
	d := &Dataset{Name: "ids", N: n, C: 1, H: 2, W: 2, Classes: n, Pixels: make([]uint8, n*4), Labels: make([]int32, n)}
	for i := 0; i < n; i++ {
		for p := 0; p < 4; p++ {
			d.Pixels[i*4+p] = uint8(i)
		}
		d.Labels[i] = int32(i)
	}
	return d
}

func TestBatcherEpochs(t *testing.T) {
	d := labelAsImage(10)
	for _, tc := range []struct {
		shuffle, dropLast bool
		sizes             []int
	}{
		{false, false, []int{4, 4, 2}},
		{false, true, []int{4, 4}},
		{true, false, []int{4, 4, 2}},
		{true, true, []int{4, 4}},
	} {
		t.Run(fmt.Sprintf("shuffle=%v,dropLast=%v", tc.shuffle, tc.dropLast), func(t *testing.T) {
			b := newTestBatcher(t, d, BatcherConfig{Batch: 4, Shuffle: tc.shuffle, DropLast: tc.dropLast, Seed: 9})
			if b.BatchesPerEpoch() != len(tc.sizes) {
				t.Errorf("BatchesPerEpoch = %d, want %d", b.BatchesPerEpoch(), len(tc.sizes))
			}
			var orders [][]int32
			for epoch := 0; epoch < 3; epoch++ {
				var order []int32
				var sizes []int
				for _, batch := range epochBatches(b) {
					sizes = append(sizes, batch.N)
					if len(batch.X) != batch.N*4 || len(batch.Y) != batch.N || batch.C != 1 || batch.H != 2 || batch.W != 2 {
						t.Fatalf("batch of N=%d has %d values, %d labels, shape %dx%dx%d", batch.N, len(batch.X), len(batch.Y), batch.C, batch.H, batch.W)
					}
					for j, y := range batch.Y {
						if batch.X[j*4] != float32(y)/255 {
							t.Fatalf("image with label %d holds %v, want %v", y, batch.X[j*4], float32(y)/255)
						}
					}
					order = append(order, batch.Y...)
				}
				if !cmp.Equal(sizes, tc.sizes) {
					t.Errorf("epoch %d batch sizes %v, want %v", epoch, sizes, tc.sizes)
				}
				seen := map[int32]bool{}
				for _, y := range order {
					if seen[y] {
						t.Errorf("epoch %d serves image %d twice", epoch, y)
					}
					seen[y] = true
				}
				if !tc.shuffle && !cmp.Equal(order, d.Labels[:len(order)]) {
					t.Errorf("unshuffled epoch %d order %v, want in order", epoch, order)
				}
				if st := b.State(); st.Epoch != epoch+1 || st.Pos != 0 {
					t.Errorf("after epoch %d state %+v, want epoch %d pos 0", epoch, st, epoch+1)
				}
				orders = append(orders, order)
			}
			if tc.shuffle && cmp.Equal(orders[0], orders[1]) && cmp.Equal(orders[1], orders[2]) {
				t.Errorf("shuffled epochs all have order %v", orders[0])
			}
		})
	}
}

// augmentedConfig turns every augmentation on, with d's own normalisation.
func augmentedConfig(d *Dataset, seed uint64) BatcherConfig {
	mean, std := d.ChannelStats()
	return BatcherConfig{Batch: 5, Shuffle: true, Seed: seed, Mean: mean, Std: std,
		Augment: Augment{Pad: 2, Flip: true, Cutout: 3}}
}

func TestBatcherDeterministic(t *testing.T) {
	d := randomDataset(23, 3, 8, 8, 4, func(i int) int { return i % 4 }, 5)
	a := newTestBatcher(t, d, augmentedConfig(d, 11))
	b := newTestBatcher(t, d, augmentedConfig(d, 11))
	c := newTestBatcher(t, d, augmentedConfig(d, 12))
	for epoch := 0; epoch < 2; epoch++ {
		ea, eb, ec := epochBatches(a), epochBatches(b), epochBatches(c)
		if diff := cmp.Diff(ea, eb); diff != "" {
			t.Fatalf("epoch %d: two batchers with one seed differ (-a +b):\n%s", epoch, diff)
		}
		if cmp.Equal(ea, ec) {
			t.Errorf("epoch %d: seeds 11 and 12 give the same batches", epoch)
		}
	}
	// The order and each image's augmentation depend on (seed, epoch, image), not on the
	// batch size: batches of 5 and of 7 concatenate to the same epoch.
	cfg := augmentedConfig(d, 11)
	cfg.Batch = 7
	e5 := epochBatches(newTestBatcher(t, d, augmentedConfig(d, 11)))
	e7 := epochBatches(newTestBatcher(t, d, cfg))
	var x5, x7 []float32
	for _, b := range e5 {
		x5 = append(x5, b.X...)
	}
	for _, b := range e7 {
		x7 = append(x7, b.X...)
	}
	if !cmp.Equal(x5, x7) {
		t.Error("batch sizes 5 and 7 give different epochs")
	}
}

func TestBatcherResume(t *testing.T) {
	d := randomDataset(23, 3, 8, 8, 4, func(i int) int { return i % 4 }, 5)
	// A reference run of 3 epochs, flattened to one stream of batches.
	ref := newTestBatcher(t, d, augmentedConfig(d, 3))
	var all []Batch
	for epoch := 0; epoch < 3; epoch++ {
		all = append(all, epochBatches(ref)...)
	}
	perEpoch := ref.BatchesPerEpoch() // 5
	for _, stop := range []int{0, 2, perEpoch, perEpoch + 3, 2*perEpoch + 4} {
		t.Run(fmt.Sprintf("after %d batches", stop), func(t *testing.T) {
			// Run a fresh batcher to the stopping point and save its state through JSON.
			first := newTestBatcher(t, d, augmentedConfig(d, 3))
			var batch Batch
			for served := 0; served < stop; {
				if first.Next(&batch) {
					served++
				}
			}
			saved, err := json.Marshal(first.State())
			if err != nil {
				t.Fatal(err)
			}
			var st BatcherState
			if err := json.Unmarshal(saved, &st); err != nil {
				t.Fatal(err)
			}
			// A new batcher, with another seed in its config: the state's seed wins.
			resumed := newTestBatcher(t, d, augmentedConfig(d, 99))
			if err := resumed.Restore(st); err != nil {
				t.Fatal(err)
			}
			var rest []Batch
			for len(rest) < len(all)-stop {
				rest = append(rest, epochBatches(resumed)...)
			}
			if diff := cmp.Diff(all[stop:], rest); diff != "" {
				t.Errorf("resumed batches differ (-want +got):\n%s", diff)
			}
		})
	}
	b := newTestBatcher(t, d, augmentedConfig(d, 3))
	for _, st := range []BatcherState{{Epoch: -1}, {Pos: -1}, {Pos: perEpoch + 1}} {
		if err := b.Restore(st); err == nil {
			t.Errorf("Restore(%+v): no error", st)
		}
	}
}

func TestBatcherNormalises(t *testing.T) {
	d := randomDataset(6, 3, 4, 4, 2, func(i int) int { return i % 2 }, 8)
	mean, std := []float32{0.1, 0.5, 0.9}, []float32{0.2, 0.25, 0.5}
	b := newTestBatcher(t, d, BatcherConfig{Batch: 6, Mean: mean, Std: std})
	batch := epochBatches(b)[0]
	for i, p := range d.Pixels {
		c := i / 16 % 3
		want := (float64(p)/255 - float64(mean[c])) / float64(std[c])
		if math.Abs(float64(batch.X[i])-want) > 1e-5 {
			t.Fatalf("value %d (channel %d, pixel %d) = %v, want %v", i, c, p, batch.X[i], want)
		}
	}
	// Normalising with the training set's own statistics gives mean 0, std 1 per channel.
	m, s := d.ChannelStats()
	batch = epochBatches(newTestBatcher(t, d, BatcherConfig{Batch: 6, Mean: m, Std: s}))[0]
	for c := 0; c < 3; c++ {
		var sum, sq float64
		for i := 0; i < 6; i++ {
			for _, v := range batch.X[(i*3+c)*16 : (i*3+c+1)*16] {
				sum += float64(v)
				sq += float64(v) * float64(v)
			}
		}
		if mu, v := sum/96, sq/96-sum*sum/96/96; math.Abs(mu) > 1e-5 || math.Abs(v-1) > 1e-4 {
			t.Errorf("channel %d normalised mean %v variance %v, want 0 and 1", c, mu, v)
		}
	}
	for _, cfg := range []BatcherConfig{
		{Batch: 0, Mean: mean, Std: std},
		{Batch: 1, Mean: mean[:1], Std: std},
		{Batch: 1, Mean: mean, Std: []float32{1, 0, 1}},
		{Batch: 1, Mean: mean, Std: std, Augment: Augment{Pad: -1}},
	} {
		if _, err := NewBatcher(d, cfg); err == nil {
			t.Errorf("NewBatcher(%+v): no error", cfg)
		}
	}
}

// augmentedImages returns every image the batcher serves over the given epochs, unshuffled.
func augmentedImages(t *testing.T, d *Dataset, a Augment, epochs int) [][]float32 {
	b := newTestBatcher(t, d, BatcherConfig{Batch: d.N, Seed: 4, Augment: a})
	var out [][]float32
	for e := 0; e < epochs; e++ {
		batch := epochBatches(b)[0]
		size := d.ImageSize()
		for i := 0; i < d.N; i++ {
			out = append(out, batch.X[i*size:(i+1)*size])
		}
	}
	return out
}

// transformed returns image img (C×H×W, values v/255) shifted by (dy, dx) with zero fill and
// optionally mirrored, as a crop then flip should make it.
func transformed(img []uint8, c, h, w, dy, dx int, flip bool) []float32 {
	out := make([]float32, c*h*w)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				cx := x
				if flip {
					cx = w - 1 - x
				}
				sy, sx := y+dy, cx+dx
				if sy >= 0 && sy < h && sx >= 0 && sx < w {
					out[(ch*h+y)*w+x] = float32(img[(ch*h+sy)*w+sx]) / 255
				}
			}
		}
	}
	return out
}

func TestAugmentCropAndFlip(t *testing.T) {
	d := randomDataset(40, 2, 5, 6, 2, func(i int) int { return i % 2 }, 6)
	const pad = 2
	for _, flipOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("flip=%v", flipOn), func(t *testing.T) {
			imgs := augmentedImages(t, d, Augment{Pad: pad, Flip: flipOn}, 2)
			offsets, flips := map[[2]int]bool{}, map[bool]int{}
			for k, got := range imgs {
				i := k % d.N
				src := d.Pixels[i*60 : (i+1)*60]
				found := false
				for dy := -pad; dy <= pad && !found; dy++ {
					for dx := -pad; dx <= pad && !found; dx++ {
						for _, f := range []bool{false, true} {
							if (f && !flipOn) || !cmp.Equal(got, transformed(src, 2, 5, 6, dy, dx, f)) {
								continue
							}
							found = true
							offsets[[2]int{dy, dx}] = true
							flips[f]++
							break
						}
					}
				}
				if !found {
					t.Fatalf("served image %d is no crop (pad %d)%s of image %d", k, pad, map[bool]string{true: " or mirrored crop"}[flipOn], i)
				}
			}
			// 80 draws over 25 offsets: all but a handful appear; at least half, certainly.
			if len(offsets) < 13 {
				t.Errorf("only %d of 25 crop offsets used in 80 images", len(offsets))
			}
			if flipOn && (flips[true] < 20 || flips[false] < 20) {
				t.Errorf("flip used %d of 80 times, want about half", flips[true])
			}
		})
	}
}

func TestAugmentCutout(t *testing.T) {
	// All pixels 255 with mean 0, std 1: every value is 1 except where cutout zeroes it.
	const h, w, length = 7, 9, 4
	d := &Dataset{Name: "white", N: 50, C: 2, H: h, W: w, Classes: 1, Pixels: make([]uint8, 50*2*h*w), Labels: make([]int32, 50)}
	for i := range d.Pixels {
		d.Pixels[i] = 255
	}
	full := 0
	var edges [4]bool // some square reaches the top, bottom, left, right edge
	for k, img := range augmentedImages(t, d, Augment{Cutout: length}, 1) {
		// The zeros of channel 0 form one rectangle of sides at most length; channel 1 matches.
		y0, y1, x0, x1 := h, -1, w, -1
		zeros := 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if img[y*w+x] == 0 {
					zeros++
					y0, y1, x0, x1 = min(y0, y), max(y1, y), min(x0, x), max(x1, x)
				} else if img[y*w+x] != 1 {
					t.Fatalf("image %d value %v, want 0 or 1", k, img[y*w+x])
				}
			}
		}
		if zeros == 0 || zeros != (y1-y0+1)*(x1-x0+1) || y1-y0+1 > length || x1-x0+1 > length {
			t.Fatalf("image %d: %d zeros in rows %d-%d, cols %d-%d: not a rectangle within %dx%d", k, zeros, y0, y1, x0, x1, length, length)
		}
		// The rectangle is DARTS's clipped square for some centre (cy, cx) on the image.
		fits := func(lo, hi, n int) bool {
			for c := 0; c < n; c++ {
				if lo == max(c-length/2, 0) && hi+1 == min(c+length/2, n) {
					return true
				}
			}
			return false
		}
		if !fits(y0, y1, h) || !fits(x0, x1, w) {
			t.Fatalf("image %d: zeros in rows %d-%d, cols %d-%d: no centre gives this square", k, y0, y1, x0, x1)
		}
		edges[0] = edges[0] || y0 == 0
		edges[1] = edges[1] || y1 == h-1
		edges[2] = edges[2] || x0 == 0
		edges[3] = edges[3] || x1 == w-1
		if !cmp.Equal(img[:h*w], img[h*w:]) {
			t.Fatalf("image %d: cutout differs between channels", k)
		}
		if zeros == length*length {
			full++
		}
	}
	// A centre at least length/2 inside on both axes keeps the full square: 3*5 of 63 centres.
	if edges != [4]bool{true, true, true, true} {
		t.Errorf("cutout squares reach the top, bottom, left, right edges: %v, want all", edges)
	}
	if full == 0 {
		t.Error("no image got an unclipped cutout square in 50")
	}
}

func TestDefaultAugment(t *testing.T) {
	for name, want := range map[string]Augment{
		"cifar10":              {Pad: 4, Flip: true},
		"cifar100":             {Pad: 4, Flip: true},
		"fashion-mnist":        {Pad: 2, Flip: true},
		"embedded":             {Pad: 2, Flip: true},
		"mnist":                {Pad: 2},
		"medmnist:organamnist": {Pad: 2},
	} {
		if got := DefaultAugment(name); got != want {
			t.Errorf("DefaultAugment(%q) = %+v, want %+v", name, got, want)
		}
	}
}
