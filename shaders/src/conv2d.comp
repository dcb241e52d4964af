#version 450
// conv2d.comp: convolution as an implicit GEMM per group (no im2col buffer):
// M = Cout/G output channels, N = batch*OH*OW positions, K = Cin/G*KH*KW taps.
// Bindings: 0 y, 1 x, 2 w. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

#define GEMM_M CV_MG
#define GEMM_N (CV_N * CV_OH * CV_OW)
#define GEMM_K (CV_CG * CV_KH * CV_KW)

float load_a(uint g, uint m, uint k) { return T2((g * CV_MG + m) * GEMM_K + k); }

float load_b(uint g, uint k, uint n) {
	if (CV_PW != 0) {
		uint hw = CV_H * CV_W, b = n / hw;
		return T1((b * CV_CIN + g * CV_CG + k) * hw + (n - b * hw));
	}
	uint khw = CV_KH * CV_KW, ohw = CV_OH * CV_OW;
	uint ci = k / khw, r = k - ci * khw;
	uint ky = r / CV_KW, kx = r - ky * CV_KW;
	uint b = n / ohw, q = n - b * ohw;
	uint oy = q / CV_OW, ox = q - oy * CV_OW;
	int iy = int(oy) * CV_S - CV_P + int(ky) * CV_D;
	int ix = int(ox) * CV_S - CV_P + int(kx) * CV_D;
	if (iy < 0 || ix < 0 || iy >= int(CV_H) || ix >= int(CV_W)) return 0.0;
	return T1(((b * CV_CIN + g * CV_CG + ci) * CV_H + uint(iy)) * CV_W + uint(ix));
}

void store_c(uint g, uint m, uint n, float v) {
	uint ohw = CV_OH * CV_OW;
	uint b = n / ohw, q = n - b * ohw;
	T0((b * CV_COUT + g * CV_MG + m) * ohw + q) = v;
}

#include "gemm.glsl"

void main() { gemm(); }
