// gemm.glsl: a tiled GEMM C[m, n] = Σ_k A[m, k] * B[k, n] for a batch of problems along z,
// through shared-memory tiles (engine-anchors.md §2). The including shader defines
// GEMM_M, GEMM_N, GEMM_K (sizes), load_a(z, m, k), load_b(z, k, n) and store_c(z, m, n, v);
// the loaders are only called in range.
//
// Split-K: with GEMM_SPLITS = S > 1 the grid's z holds batch*S workgroup layers; layer
// z*S + s sums k in [s*GEMM_KCHUNK, (s+1)*GEMM_KCHUNK) and writes its partial C to binding 3
// at ((z*S + s)*M + m)*N + n, and split_sum.comp adds the partials. This keeps a GPU busy
// when M×N is small and K large, as in a weight gradient (K = batch×positions). The workgroup is WX×WY threads (spec ids 0, 1);
// each thread computes TM×TN outputs spread WY (WX) apart, so a tile is BM = WY*TM rows by
// BN = WX*TN columns. Every thread reaches every barrier: bounds are checked on loads and
// stores, never by returning early (engine-anchors.md §6.8 item 3).

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
const uint BK = 16;

const uint BM = gl_WorkGroupSize.y * TM;
const uint BN = gl_WorkGroupSize.x * TN;

shared float tile_a[BK * BM];
shared float tile_b[BK * BN];

void gemm() {
	uint M = GEMM_M, N = GEMM_N, K = GEMM_K;
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint threads = gl_WorkGroupSize.x * gl_WorkGroupSize.y;
	uint tid = ty * gl_WorkGroupSize.x + tx;
	uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
	uint S = GEMM_SPLITS, layer = gl_WorkGroupID.z;
	uint z = layer / S, split = layer - z * S;
	uint kBegin = split * GEMM_KCHUNK;
	uint kEnd = min(K, kBegin + GEMM_KCHUNK);
	float acc[TM * TN];
	for (uint i = 0; i < TM * TN; i++) acc[i] = 0.0;
	for (uint k0 = kBegin; k0 < kEnd; k0 += BK) {
		for (uint i = tid; i < BK * BM; i += threads) {
			uint kk = i / BM, mm = i - kk * BM;
			uint m = m0 + mm, k = k0 + kk;
			tile_a[i] = (m < M && k < kEnd) ? load_a(z, m, k) : 0.0;
		}
		for (uint i = tid; i < BK * BN; i += threads) {
			uint kk = i / BN, nn = i - kk * BN;
			uint n = n0 + nn, k = k0 + kk;
			tile_b[i] = (n < N && k < kEnd) ? load_b(z, k, n) : 0.0;
		}
		barrier();
		for (uint kk = 0; kk < BK; kk++) {
			float a[TM];
			for (uint i = 0; i < TM; i++) a[i] = tile_a[kk * BM + ty + i * gl_WorkGroupSize.y];
			for (uint j = 0; j < TN; j++) {
				float b = tile_b[kk * BN + tx + j * gl_WorkGroupSize.x];
				for (uint i = 0; i < TM; i++) acc[i * TN + j] += a[i] * b;
			}
		}
		barrier();
	}
	for (uint i = 0; i < TM; i++) {
		uint m = m0 + ty + i * gl_WorkGroupSize.y;
		for (uint j = 0; j < TN; j++) {
			uint n = n0 + tx + j * gl_WorkGroupSize.x;
			if (m >= M || n >= N) continue;
			if (S > 1) T3((layer * M + m) * N + n) = acc[i * TN + j];
			else store_c(z, m, n, acc[i * TN + j]);
		}
	}
}
