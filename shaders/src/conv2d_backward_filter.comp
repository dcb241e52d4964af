#version 450
// conv2d_backward_filter.comp: the weight gradient as an implicit GEMM per group:
// M = Cout/G, N = Cin/G*KH*KW taps, K = batch*OH*OW positions.
// Bindings: 0 dw, 1 x, 2 dy, 3 split-K partials. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

#define GEMM_M CV_MG
#define GEMM_N (CV_CG * CV_KH * CV_KW)
#define GEMM_K (CV_N * CV_OH * CV_OW)

float load_a(uint g, uint m, uint k) {
	uint ohw = CV_OH * CV_OW;
	uint b = k / ohw, q = k - b * ohw;
	return T2((b * CV_COUT + g * CV_MG + m) * ohw + q);
}

float load_b(uint g, uint k, uint n) {
	if (CV_PW != 0) {
		uint hw = CV_H * CV_W, b = k / hw;
		return T1((b * CV_CIN + g * CV_CG + n) * hw + (k - b * hw));
	}
	uint khw = CV_KH * CV_KW, ohw = CV_OH * CV_OW;
	uint ci = n / khw, r = n - ci * khw;
	uint ky = r / CV_KW, kx = r - ky * CV_KW;
	uint b = k / ohw, q = k - b * ohw;
	uint oy = q / CV_OW, ox = q - oy * CV_OW;
	int iy = int(oy) * CV_S - CV_P + int(ky) * CV_D;
	int ix = int(ox) * CV_S - CV_P + int(kx) * CV_D;
	if (iy < 0 || ix < 0 || iy >= int(CV_H) || ix >= int(CV_W)) return 0.0;
	return T1(((b * CV_CIN + g * CV_CG + ci) * CV_H + uint(iy)) * CV_W + uint(ix));
}

void store_c(uint g, uint m, uint n, float v) { T0((g * CV_MG + m) * GEMM_N + n) = v; }

#include "gemm.glsl"

void main() { gemm(); }
