#version 450
// depthwise_conv2d.comp: groups = Cin = Cout, one thread per output; dilation as given
// (the DARTS dil_conv and sep_conv). Bindings: 0 y, 1 x, 2 w[C,1,KH,KW]. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

// K_S (spec id 3): the side of a square kernel when the host fixes it (0: read KH and KW
// from the push constants). A constant trip count lets the compiler unroll the taps, keep
// the weights in registers and fold the tap offsets.
layout(constant_id = 3) const uint K_S = 0;

void main() {
	uint i = flat_id();
	uint ohw = CV_OH * CV_OW;
	if (i >= CV_N * CV_COUT * ohw) return;
	uint q = i % ohw, bc = i / ohw, c = bc % CV_COUT;
	uint oy = q / CV_OW, ox = q - oy * CV_OW;
	uint KH = K_S != 0 ? K_S : CV_KH, KW = K_S != 0 ? K_S : CV_KW;
	float s = 0.0;
	for (uint ky = 0; ky < KH; ky++) {
		int iy = int(oy) * CV_S - CV_P + int(ky) * CV_D;
		if (iy < 0 || iy >= int(CV_H)) continue;
		for (uint kx = 0; kx < KW; kx++) {
			int ix = int(ox) * CV_S - CV_P + int(kx) * CV_D;
			if (ix < 0 || ix >= int(CV_W)) continue;
			s += T2((c * KH + ky) * KW + kx) * T1((bc * CV_H + uint(iy)) * CV_W + uint(ix));
		}
	}
	T0(i) = s;
}
