#version 450
// depthwise_conv2d_backward_filter.comp: one workgroup per weight (c, ky, kx) sums
// dy*x over the batch and the output positions. Bindings: 0 dw, 1 x, 2 dy. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"
#include "reduce.glsl"

void main() {
	uint wi = flat_group();
	uint khw = CV_KH * CV_KW, ohw = CV_OH * CV_OW;
	bool ok = wi < CV_COUT * khw;
	uint c = wi / khw, r = wi % khw;
	uint ky = r / CV_KW, kx = r % CV_KW;
	float acc = 0.0;
	if (ok) {
		for (uint j = gl_LocalInvocationID.x; j < CV_N * ohw; j += gl_WorkGroupSize.x) {
			uint b = j / ohw, q = j - b * ohw;
			uint oy = q / CV_OW, ox = q - oy * CV_OW;
			int iy = int(oy) * CV_S - CV_P + int(ky) * CV_D;
			int ix = int(ox) * CV_S - CV_P + int(kx) * CV_D;
			if (iy < 0 || ix < 0 || iy >= int(CV_H) || ix >= int(CV_W)) continue;
			acc += T2((b * CV_COUT + c) * ohw + q) * T1(((b * CV_CIN + c) * CV_H + uint(iy)) * CV_W + uint(ix));
		}
	}
	float s = workgroup_sum(acc);
	if (ok && gl_LocalInvocationID.x == 0) T0(wi) = s;
}
