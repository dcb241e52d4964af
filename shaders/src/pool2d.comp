#version 450
// pool2d.comp: max (KIND 0, padding counts as -inf) or average pooling (KIND 1, padding
// not counted: PyTorch count_include_pad=False, as DARTS uses), one thread per output.
// Bindings: 0 y, 1 x. p[0] N*C, p[1] H, p[2] W, p[3] OH, p[4] OW, p[5] K, p[6] stride, p[7] pad.
#include "common.glsl"

layout(constant_id = 3) const uint KIND = 0;

void main() {
	uint i = flat_id();
	uint NC = pc.p[0], H = pc.p[1], W = pc.p[2], OH = pc.p[3], OW = pc.p[4];
	int K = int(pc.p[5]), S = int(pc.p[6]), P = int(pc.p[7]);
	if (i >= NC * OH * OW) return;
	uint ox = i % OW, oy = (i / OW) % OH, nc = i / (OW * OH);
	int y0 = int(oy) * S - P, x0 = int(ox) * S - P;
	float best = uintBitsToFloat(0xff800000u); // -inf
	float sum = 0.0;
	uint cnt = 0;
	for (int ky = 0; ky < K; ky++) {
		int iy = y0 + ky;
		if (iy < 0 || iy >= int(H)) continue;
		for (int kx = 0; kx < K; kx++) {
			int ix = x0 + kx;
			if (ix < 0 || ix >= int(W)) continue;
			float v = T1((nc * H + uint(iy)) * W + uint(ix));
			if (v > best) best = v;
			sum += v;
			cnt++;
		}
	}
	T0(i) = KIND == 0 ? best : sum / float(max(cnt, 1u));
}
