package data

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomDataset makes n images of c×h×w random pixels; image i has label labels[i%len].
func randomDataset(n, c, h, w, classes int, labelOf func(i int) int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := &Dataset{Name: "test", N: n, C: c, H: h, W: w, Classes: classes,
		Pixels: make([]uint8, n*c*h*w), Labels: make([]int32, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(rng.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = int32(labelOf(i))
	}
	return d
}

func TestStratifiedQuota(t *testing.T) {
	for _, tc := range []struct {
		counts []int
		n      int
		want   []int
	}{
		{[]int{5, 5}, 4, []int{2, 2}},
		{[]int{6000, 6000, 6000}, 300, []int{100, 100, 100}},
		{[]int{6, 3, 1}, 5, []int{3, 2, 0}}, // 3, 1.5, 0.5: the tie goes to the lower class
		{[]int{1, 1, 1}, 2, []int{1, 1, 0}},
		{[]int{10, 0, 10}, 20, []int{10, 0, 10}},
		{[]int{7, 2, 1}, 10, []int{7, 2, 1}},
	} {
		got := stratifiedQuota(tc.counts, tc.n)
		if !cmp.Equal(got, tc.want) {
			t.Errorf("stratifiedQuota(%v, %d) = %v, want %v", tc.counts, tc.n, got, tc.want)
		}
	}
}

func TestSubset(t *testing.T) {
	// Unbalanced: class 0 has 60% of the images, class 1 30%, class 2 10%.
	d := randomDataset(1000, 1, 3, 3, 3, func(i int) int { return []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}[i%10] }, 1)
	sub, err := d.Subset(100, 42)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{60, 30, 10}, sub.ClassCounts()); diff != "" {
		t.Errorf("class counts (-want +got):\n%s", diff)
	}
	// Every image of the subset is a distinct image of d, with its label, in d's order.
	index := map[string]int{}
	for i := 0; i < d.N; i++ {
		index[string(d.Pixels[i*9:(i+1)*9])] = i
	}
	last := -1
	for j := 0; j < sub.N; j++ {
		i, ok := index[string(sub.Pixels[j*9:(j+1)*9])]
		if !ok || d.Labels[i] != sub.Labels[j] || i <= last {
			t.Fatalf("subset image %d: source %d (found %v) after %d, labels %d vs %d", j, i, ok, last, sub.Labels[j], d.Labels[i])
		}
		last = i
	}
	again, _ := d.Subset(100, 42)
	if !cmp.Equal(sub.Pixels, again.Pixels) {
		t.Error("Subset with the same seed gave a different subset")
	}
	other, _ := d.Subset(100, 43)
	if cmp.Equal(sub.Pixels, other.Pixels) {
		t.Error("Subset with another seed gave the same subset")
	}
	for _, n := range []int{0, -1, 1001} {
		if _, err := d.Subset(n, 1); err == nil {
			t.Errorf("Subset(%d) of 1000: no error", n)
		}
	}
}

func TestSplit(t *testing.T) {
	d := randomDataset(7, 2, 2, 2, 3, func(i int) int { return i % 3 }, 2)
	for _, tc := range []struct {
		fraction float64
		first    int
	}{{0.5, 4}, {0.3, 2}, {0.9, 6}} {
		a, b, err := d.Split(tc.fraction)
		if err != nil {
			t.Fatal(err)
		}
		if a.N != tc.first || b.N != 7-tc.first {
			t.Errorf("Split(%v) of 7: %d + %d, want %d + %d", tc.fraction, a.N, b.N, tc.first, 7-tc.first)
		}
		if !cmp.Equal(a.Pixels, d.Pixels[:a.N*8]) || !cmp.Equal(b.Pixels, d.Pixels[a.N*8:]) || !cmp.Equal(b.Labels, d.Labels[a.N:]) {
			t.Errorf("Split(%v): parts are not the first and last images", tc.fraction)
		}
		if err := a.check("a"); err != nil {
			t.Error(err)
		}
	}
	for _, f := range []float64{0, 1, -0.5, 1.5, math.NaN(), 0.01} {
		if _, _, err := d.Split(f); err == nil {
			t.Errorf("Split(%v) of 7: no error", f)
		}
	}
}

func TestChannelStats(t *testing.T) {
	// Exact case: channel 0 is half 0 and half 255, channel 1 all 51 (0.2).
	d := &Dataset{N: 2, C: 2, H: 1, W: 2, Classes: 1, Labels: []int32{0, 0},
		Pixels: []uint8{0, 255, 51, 51, 255, 0, 51, 51}}
	mean, std := d.ChannelStats()
	if !cmp.Equal(mean, []float32{0.5, 0.2}) || math.Abs(float64(std[0])-0.5) > 1e-7 || std[1] > 1e-4 {
		t.Errorf("ChannelStats = %v, %v, want [0.5 0.2], [0.5 0]", mean, std)
	}
	// Random case against a two-pass float64 computation.
	d = randomDataset(50, 3, 4, 5, 2, func(i int) int { return i % 2 }, 3)
	mean, std = d.ChannelStats()
	for c := 0; c < 3; c++ {
		var vals []float64
		for i := 0; i < d.N; i++ {
			for p := 0; p < 20; p++ {
				vals = append(vals, float64(d.Pixels[(i*3+c)*20+p])/255)
			}
		}
		m := 0.0
		for _, v := range vals {
			m += v
		}
		m /= float64(len(vals))
		ss := 0.0
		for _, v := range vals {
			ss += (v - m) * (v - m)
		}
		s := math.Sqrt(ss / float64(len(vals)))
		if math.Abs(float64(mean[c])-m) > 1e-6 || math.Abs(float64(std[c])-s) > 1e-6 {
			t.Errorf("channel %d: mean %v std %v, want %v %v", c, mean[c], std[c], m, s)
		}
	}
}
