package vk

// gemmTile fits the GEMM tile (gemm.glsl: BM = wy*tm rows by BN = wx*tn columns) to an m×n
// output. The default tile (64×64 on GPUs) suits large outputs; a convolution's channel
// dimension is often 8 to 32 (the M of a 1×1 convolution, both M and N of its weight
// gradient), and a 64-row tile over 8 rows spends 7/8 of its loads, shared memory and
// multiply-adds on padding. While half the tile still covers a dimension it is halved:
// by moving threads to the other dimension while that one needs them (within the
// device's workgroup size limits maxWG, and while both tiles fit in maxShared bytes), which keeps the workgroup full and
// each thread's tm×tn register tile (multiply-adds per shared-memory load); else by halving
// the outputs per thread; else by dropping threads. On any device this removes the padded
// work and gives the wide dimension wide, coalesced tiles.
func gemmTile(m, n int, wg, tile [2]uint32, maxWG [2]int, maxShared int) (wx, wy, tm, tn uint32) {
	wx, wy = wg[0], wg[1]
	tm, tn = tile[0], tile[1]
	for m > 0 && int(wy*tm)/2 >= m {
		switch {
		case wy > 1 && int(wx*tn) < n && int(wx*2) <= maxWG[0] && gemmShared(wy*tm/2, 2*wx*tn) <= maxShared:
			wy, wx = wy/2, wx*2
		case tm > 1:
			tm /= 2
		case wy > 1:
			wy /= 2
		default:
			return wx, wy, tm, tn
		}
	}
	for n > 0 && int(wx*tn)/2 >= n {
		switch {
		case wx > 1 && int(wy*tm) < m && int(wy*2) <= maxWG[1] && gemmShared(2*wy*tm, wx*tn/2) <= maxShared:
			wx, wy = wx/2, wy*2
		case tn > 1:
			tn /= 2
		case wx > 1:
			wx /= 2
		default:
			return wx, wy, tm, tn
		}
	}
	return wx, wy, tm, tn
}

// gemmShared is the shared memory of a BM×BN tile: BK = 16 rows of each operand.
func gemmShared(bm, bn uint32) int { return int(16 * 4 * (bm + bn)) }
