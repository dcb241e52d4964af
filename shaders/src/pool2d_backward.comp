#version 450
// pool2d_backward.comp: one thread per input element gathers the gradient of every window
// that covers it, so no atomics are needed. Max pooling sends a window's gradient to its
// first maximum in row-major order (the window's argmax is recomputed). Average pooling
// divides by the window's count of real (unpadded) elements.
// Bindings: 0 dx, 1 dy, 2 x. Parameters as pool2d.comp.
#include "common.glsl"

layout(constant_id = 3) const uint KIND = 0;

void main() {
	uint i = flat_id();
	uint NC = pc.p[0], H = pc.p[1], W = pc.p[2], OH = pc.p[3], OW = pc.p[4];
	int K = int(pc.p[5]), S = int(pc.p[6]), P = int(pc.p[7]);
	if (i >= NC * H * W) return;
	int ix = int(i % W), iy = int((i / W) % H);
	uint nc = i / (W * H);
	// Windows oy with oy*S - P <= iy <= oy*S - P + K - 1.
	int oy0 = max(0, (iy + P - K + S) / S), oy1 = min(int(OH) - 1, (iy + P) / S);
	int ox0 = max(0, (ix + P - K + S) / S), ox1 = min(int(OW) - 1, (ix + P) / S);
	if (iy + P - K + 1 < 0) oy0 = 0;
	if (ix + P - K + 1 < 0) ox0 = 0;
	float g = 0.0;
	for (int oy = oy0; oy <= oy1; oy++) {
		int y0 = oy * S - P;
		if (iy < y0 || iy >= y0 + K) continue;
		for (int ox = ox0; ox <= ox1; ox++) {
			int x0 = ox * S - P;
			if (ix < x0 || ix >= x0 + K) continue;
			float d = T1((nc * OH + uint(oy)) * OW + uint(ox));
			if (KIND == 1) {
				int h = min(y0 + K, int(H)) - max(y0, 0);
				int w = min(x0 + K, int(W)) - max(x0, 0);
				g += d / float(h * w);
			} else {
				float best = uintBitsToFloat(0xff800000u);
				int by = -1, bx = -1;
				for (int ky = 0; ky < K; ky++) {
					int yy = y0 + ky;
					if (yy < 0 || yy >= int(H)) continue;
					for (int kx = 0; kx < K; kx++) {
						int xx = x0 + kx;
						if (xx < 0 || xx >= int(W)) continue;
						float v = T2((nc * H + uint(yy)) * W + uint(xx));
						if (v > best) { best = v; by = yy; bx = xx; }
					}
				}
				if (by == iy && bx == ix) g += d;
			}
		}
	}
	T0(i) = g;
}
