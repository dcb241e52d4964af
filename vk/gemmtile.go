package vk

// gemmTile fits the GEMM tile (gemm.glsl: BM = wy*tm rows by BN = wx*tn columns) to an m×n
// output. The default tile (64×64 on GPUs) suits large outputs; a convolution's channel
// dimension is often 8 to 32 (the M of a 1×1 convolution, both M and N of its weight
// gradient), and a 64-row tile over 8 rows spends 7/8 of its loads, shared memory and
// multiply-adds on padding. While half the tile still covers the dimension, the tile is
// halved: first the outputs per thread (tm, tn), then the threads along that dimension;
// threads taken from the rows move to the columns while the columns need them (wx up to
// maxX, and while both tiles fit in maxShared bytes), so the workgroup stays full and the
// wide dimension gets wider tiles. On any device this removes the padded work and keeps
// loads of the wide dimension coalesced.
func gemmTile(m, n int, wg, tile [2]uint32, maxX, maxShared int) (wx, wy, tm, tn uint32) {
	wx, wy = wg[0], wg[1]
	tm, tn = tile[0], tile[1]
	for m > 0 && int(wy*tm)/2 >= m {
		if tm > 1 {
			tm /= 2
			continue
		}
		if wy == 1 {
			break
		}
		wy /= 2
		if int(wx*tn) < n && int(wx*2) <= maxX && gemmShared(wy*tm, 2*wx*tn) <= maxShared {
			wx *= 2
		}
	}
	for n > 0 && int(wx*tn)/2 >= n {
		if tn > 1 {
			tn /= 2
			continue
		}
		if wx == 1 {
			break
		}
		wx /= 2
	}
	return wx, wy, tm, tn
}

// gemmShared is the shared memory of a BM×BN tile: BK = 16 rows of each operand.
func gemmShared(bm, bn uint32) int { return int(16 * 4 * (bm + bn)) }
