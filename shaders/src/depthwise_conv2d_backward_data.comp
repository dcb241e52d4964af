#version 450
// depthwise_conv2d_backward_data.comp: one thread per input element gathers the outputs
// whose taps touch it. Bindings: 0 dx, 1 dy, 2 w. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

void main() {
	uint i = flat_id();
	uint hw = CV_H * CV_W;
	if (i >= CV_N * CV_CIN * hw) return;
	uint q = i % hw, bc = i / hw, c = bc % CV_CIN;
	int iy = int(q / CV_W), ix = int(q % CV_W);
	float s = 0.0;
	for (uint ky = 0; ky < CV_KH; ky++) {
		int ty = iy + CV_P - int(ky) * CV_D;
		if (ty < 0 || ty % CV_S != 0 || ty / CV_S >= int(CV_OH)) continue;
		uint oy = uint(ty / CV_S);
		for (uint kx = 0; kx < CV_KW; kx++) {
			int tx = ix + CV_P - int(kx) * CV_D;
			if (tx < 0 || tx % CV_S != 0 || tx / CV_S >= int(CV_OW)) continue;
			uint ox = uint(tx / CV_S);
			s += T2((c * CV_KH + ky) * CV_KW + kx) * T1((bc * CV_OH + oy) * CV_OW + ox);
		}
	}
	T0(i) = s;
}
