package data

import (
	"os"
	"testing"
)

func BenchmarkOpenFashionMNIST(b *testing.B) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		b.Skipf("Fashion-MNIST not installed (%v)", err)
	}
	for b.Loop() {
		if _, _, err := Open("fashion-mnist", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenEmbedded(b *testing.B) {
	for b.Loop() {
		if _, _, err := Open("embedded", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatcher times one augmented, normalised batch: Fashion-MNIST-sized (batch 64 of
// 1×28×28) and CIFAR-sized (batch 96 of 3×32×32, cutout 16 as DARTS evaluation).
func BenchmarkBatcher(b *testing.B) {
	for _, bc := range []struct {
		name     string
		c, hw, n int
		augment  Augment
	}{
		{"fashion-64", 1, 28, 64, Augment{Pad: 2, Flip: true}},
		{"cifar-96", 3, 32, 96, Augment{Pad: 4, Flip: true, Cutout: 16}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := randomDataset(1000, bc.c, bc.hw, bc.hw, 10, func(i int) int { return i % 10 }, 1)
			mean, std := d.ChannelStats()
			bt, err := NewBatcher(d, BatcherConfig{Batch: bc.n, Shuffle: true, Mean: mean, Std: std, Augment: bc.augment})
			if err != nil {
				b.Fatal(err)
			}
			var batch Batch
			b.SetBytes(int64(bc.n * d.ImageSize()))
			for b.Loop() {
				if !bt.Next(&batch) {
					bt.Next(&batch)
				}
			}
		})
	}
}
