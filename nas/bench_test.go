package nas

import (
	"testing"

	"godarts/tensor/cpu"
)

func BenchmarkSearch1Small(b *testing.B) {
	dev := cpu.New(0)
	for i := 0; i < b.N; i++ {
		if _, err := Bench(dev, BenchConfigs["small"], "search1", 1, 2); err != nil {
			b.Fatal(err)
		}
	}
}
