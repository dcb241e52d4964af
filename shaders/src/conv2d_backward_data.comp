#version 450
// conv2d_backward_data.comp: the input gradient as an implicit GEMM per group:
// M = Cin/G input channels, N = batch*H*W positions, K = Cout/G*KH*KW; a tap contributes
// where (iy + pad - ky*dilation) is a multiple of the stride inside the output.
// Bindings: 0 dx, 1 dy, 2 w. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

#define GEMM_M CV_CG
#define GEMM_N (CV_N * CV_H * CV_W)
#define GEMM_K (CV_MG * CV_KH * CV_KW)

float load_a(uint g, uint m, uint k) {
	if (CV_PW != 0) return T2((g * CV_MG + k) * CV_CG + m);
	uint khw = CV_KH * CV_KW;
	uint co = k / khw, r = k - co * khw;
	return T2(((g * CV_MG + co) * CV_CG + m) * khw + r);
}

float load_b(uint g, uint k, uint n) {
	if (CV_PW != 0) {
		uint hw = CV_H * CV_W, b = n / hw;
		return T1((b * CV_COUT + g * CV_MG + k) * hw + (n - b * hw));
	}
	uint khw = CV_KH * CV_KW, hw = CV_H * CV_W;
	uint co = k / khw, r = k - co * khw;
	uint ky = r / CV_KW, kx = r - ky * CV_KW;
	uint b = n / hw, q = n - b * hw;
	uint iy = q / CV_W, ix = q - iy * CV_W;
	int ty = int(iy) + CV_P - int(ky) * CV_D;
	int tx = int(ix) + CV_P - int(kx) * CV_D;
	if (ty < 0 || tx < 0 || ty % CV_S != 0 || tx % CV_S != 0) return 0.0;
	int oy = ty / CV_S, ox = tx / CV_S;
	if (oy >= int(CV_OH) || ox >= int(CV_OW)) return 0.0;
	return T1(((b * CV_COUT + g * CV_MG + co) * CV_OH + uint(oy)) * CV_OW + uint(ox));
}

void store_c(uint g, uint m, uint n, float v) {
	uint hw = CV_H * CV_W;
	uint b = n / hw, q = n - b * hw;
	T0((b * CV_CIN + g * CV_CG + m) * hw + q) = v;
}

#include "gemm.glsl"

void main() { gemm(); }
