#version 450
// depthwise_conv2d_backward_data.comp: one thread per input element gathers the outputs
// whose taps touch it. Bindings: 0 dx, 1 dy, 2 w. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

// STRIDE1 (spec id 3), set by the host for stride 1: a tap's output position is its offset
// itself, with no signed division and modulo per tap (the DARTS sep and dil convs outside
// the reduction edges); the other branch is compiled out.
layout(constant_id = 3) const uint STRIDE1 = 0;
// K_S (spec id 4): the side of a square kernel when the host fixes it, as in
// depthwise_conv2d.comp (0: KH and KW from the push constants).
layout(constant_id = 4) const uint K_S = 0;

void main() {
	uint i = flat_id();
	uint hw = CV_H * CV_W;
	if (i >= CV_N * CV_CIN * hw) return;
	uint q = i % hw, bc = i / hw, c = bc % CV_CIN;
	int iy = int(q / CV_W), ix = int(q % CV_W);
	uint KH = K_S != 0 ? K_S : CV_KH, KW = K_S != 0 ? K_S : CV_KW;
	float s = 0.0;
	for (uint ky = 0; ky < KH; ky++) {
		int ty = iy + CV_P - int(ky) * CV_D;
		if (STRIDE1 != 0 ? (ty < 0 || ty >= int(CV_OH)) : (ty < 0 || ty % CV_S != 0 || ty / CV_S >= int(CV_OH))) continue;
		uint oy = STRIDE1 != 0 ? uint(ty) : uint(ty / CV_S);
		for (uint kx = 0; kx < KW; kx++) {
			int tx = ix + CV_P - int(kx) * CV_D;
			if (STRIDE1 != 0 ? (tx < 0 || tx >= int(CV_OW)) : (tx < 0 || tx % CV_S != 0 || tx / CV_S >= int(CV_OW))) continue;
			uint ox = STRIDE1 != 0 ? uint(tx) : uint(tx / CV_S);
			s += T2((c * KH + ky) * KW + kx) * T1((bc * CV_OH + oy) * CV_OW + ox);
		}
	}
	T0(i) = s;
}
