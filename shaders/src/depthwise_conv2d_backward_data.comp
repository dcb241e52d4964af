#version 450
// depthwise_conv2d_backward_data.comp: one thread per input element gathers the outputs
// whose taps touch it. Bindings: 0 dx, 1 dy, 2 w. Parameters: conv.glsl.
#include "common.glsl"
#include "conv.glsl"

// STRIDE_LOG (spec id 3): 1 + log2 of a power-of-two stride fixed by the host (1: stride 1,
// 2: stride 2), 0 for a stride read from the push constants. With it, a tap's output
// position is a shift and its divisibility a mask instead of a signed division and modulo
// per tap; for stride 1 both fold away. The other branch is compiled out.
layout(constant_id = 3) const uint STRIDE_LOG = 0;

// outPos maps a tap offset t = i + pad - k*dilation to its output position, or -1 where no
// output's tap lands on this input.
int outPos(int t, uint outSize) {
	if (t < 0) return -1;
	int o;
	if (STRIDE_LOG != 0) {
		int sh = int(STRIDE_LOG) - 1;
		if ((t & ((1 << sh) - 1)) != 0) return -1;
		o = t >> sh;
	} else {
		if (t % CV_S != 0) return -1;
		o = t / CV_S;
	}
	return o < int(outSize) ? o : -1;
}
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
		int oy = outPos(iy + CV_P - int(ky) * CV_D, CV_OH);
		if (oy < 0) continue;
		for (uint kx = 0; kx < KW; kx++) {
			int ox = outPos(ix + CV_P - int(kx) * CV_D, CV_OW);
			if (ox < 0) continue;
			s += T2((c * KH + ky) * KW + kx) * T1((bc * CV_OH + uint(oy)) * CV_OW + uint(ox));
		}
	}
	T0(i) = s;
}
