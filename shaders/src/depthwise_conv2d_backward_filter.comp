#version 450
// depthwise_conv2d_backward_filter.comp: one workgroup per weight (c, ky, kx) sums
// dy*x over the batch and the output positions. Each invocation walks the positions
// j = (b*OH + oy)*OW + ox from its index in steps of the workgroup size, carrying (b, oy, ox)
// as a mixed-radix counter: integer divisions only once, not three per position.
// Bindings: 0 dw, 1 x, 2 dy. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"
#include "reduce.glsl"

void main() {
	uint wi = flat_group();
	uint khw = CV_KH * CV_KW, ohw = CV_OH * CV_OW;
	bool ok = wi < CV_COUT * khw;
	uint c = wi / khw, r = wi % khw;
	uint ky = r / CV_KW, kx = r % CV_KW;
	int offy = int(ky) * CV_D - CV_P, offx = int(kx) * CV_D - CV_P;
	float acc = 0.0;
	if (ok) {
		uint j = gl_LocalInvocationID.x, step = gl_WorkGroupSize.x;
		uint b = j / ohw, q = j - b * ohw, oy = q / CV_OW, ox = q - oy * CV_OW;
		uint sb = step / ohw, sq = step - sb * ohw, sy = sq / CV_OW, sx = sq - sy * CV_OW;
		while (b < CV_N) {
			int iy = int(oy) * CV_S + offy, ix = int(ox) * CV_S + offx;
			if (iy >= 0 && ix >= 0 && iy < int(CV_H) && ix < int(CV_W))
				acc += T2(((b * CV_COUT + c) * CV_OH + oy) * CV_OW + ox) *
					T1(((b * CV_CIN + c) * CV_H + uint(iy)) * CV_W + uint(ix));
			ox += sx;
			oy += sy;
			b += sb;
			if (ox >= CV_OW) {
				ox -= CV_OW;
				oy++;
			}
			if (oy >= CV_OH) {
				oy -= CV_OH;
				b++;
			}
		}
	}
	float s = workgroup_sum(acc);
	if (ok && gl_LocalInvocationID.x == 0) T0(wi) = s;
}
