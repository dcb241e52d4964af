#version 450
// matmul.comp: c = op(a)·op(b) with op = transpose when p[3] (a) or p[4] (b) is set.
// Bindings: 0 c[M,N], 1 a, 2 b, 3 split-K partials. p[0] M, p[1] N, p[2] K, p[5] split-K
// count, p[6] split-K chunk (gemm.glsl).
#include "common.glsl"

#define GEMM_M pc.p[0]
#define GEMM_N pc.p[1]
#define GEMM_K pc.p[2]
#define GEMM_SPLITS pc.p[5]
#define GEMM_KCHUNK pc.p[6]

float load_a(uint z, uint m, uint k) { return pc.p[3] != 0 ? T1(k * GEMM_M + m) : T1(m * GEMM_K + k); }
float load_b(uint z, uint k, uint n) { return pc.p[4] != 0 ? T2(n * GEMM_K + k) : T2(k * GEMM_N + n); }
void store_c(uint z, uint m, uint n, float v) { T0(m * GEMM_N + n) = v; }

#include "gemm.glsl"

void main() { gemm(); }
