package vk

import "testing"

func TestGemmTile(t *testing.T) {
	gpu, gpuTile := [2]uint32{16, 16}, [2]uint32{4, 4}
	cpu, cpuTile := [2]uint32{8, 8}, [2]uint32{4, 4}
	for _, c := range []struct {
		name           string
		m, n           int
		wg, tile       [2]uint32
		wx, wy, tm, tn uint32
	}{
		{"large output keeps the default", 512, 512, gpu, gpuTile, 16, 16, 4, 4},
		{"exact fit keeps the default", 64, 64, gpu, gpuTile, 16, 16, 4, 4},
		{"1x1 conv, 8 channels, GPU", 8, 25088, gpu, gpuTile, 64, 4, 2, 4},
		{"1x1 conv, 16 channels, GPU", 16, 6272, gpu, gpuTile, 64, 4, 4, 4},
		{"1x1 conv, 8 channels, CPU driver", 8, 25088, cpu, cpuTile, 32, 2, 4, 4},
		{"weight gradient 8x8, GPU", 8, 8, gpu, gpuTile, 8, 8, 1, 1},
		{"weight gradient 8x8, CPU driver", 8, 8, cpu, cpuTile, 8, 8, 1, 1},
		{"weight gradient 32x16", 32, 16, cpu, cpuTile, 8, 8, 4, 2},
		{"single row", 1, 1000, gpu, gpuTile, 64, 1, 1, 4},
		{"short wide N gives threads to a long M", 4096, 8, gpu, gpuTile, 4, 64, 4, 2},
		{"tile of 1x1 threads stays", 1, 1, [2]uint32{1, 1}, [2]uint32{1, 1}, 1, 1, 1, 1},
	} {
		wx, wy, tm, tn := gemmTile(c.m, c.n, c.wg, c.tile, [2]int{1024, 1024}, 32768)
		if wx != c.wx || wy != c.wy || tm != c.tm || tn != c.tn {
			t.Errorf("%s (%dx%d): wg %dx%d tile %dx%d, want wg %dx%d tile %dx%d", c.name, c.m, c.n,
				wx, wy, tm, tn, c.wx, c.wy, c.tm, c.tn)
		}
		if bm, bn := int(wy*tm), int(wx*tn); bm < min(c.m, int(c.wg[1]*c.tile[0])) || bn < min(c.n, int(c.wg[0]*c.tile[1])) {
			t.Errorf("%s: tile %dx%d no longer covers what the default covered", c.name, bm, bn)
		}
	}
	if wx, _, _, _ := gemmTile(1, 1<<20, [2]uint32{16, 16}, [2]uint32{4, 4}, [2]int{64, 64}, 1<<20); wx > 64 {
		t.Errorf("wx %d past maxX 64", wx)
	}
	if _, wy, _, _ := gemmTile(1<<20, 1, [2]uint32{16, 16}, [2]uint32{4, 4}, [2]int{1024, 32}, 1<<20); wy > 32 {
		t.Errorf("wy %d past maxY 32", wy)
	}
	if wx, wy, tm, tn := gemmTile(1, 1<<20, [2]uint32{16, 16}, [2]uint32{4, 4}, [2]int{1024, 1024}, 16384); gemmShared(wy*tm, wx*tn) > 16384 {
		t.Errorf("tile %dx%d needs %d bytes of shared memory, past 16384", wy*tm, wx*tn, gemmShared(wy*tm, wx*tn))
	}
}
