#version 450
// softmax_backward.comp: gradients of the row ops from their outputs y, one thread per row.
// OP 0 softmax: dx = y*(dy - Σ dy*y); OP 1 log-softmax: dx = dy - exp(y)*Σ dy;
// OP 2 sparsemax: dx = dy - mean over the support {y > 0} of dy, 0 off the support.
// Bindings: 0 dx, 1 dy, 2 y. p[0] rows, p[1] K.
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint r = flat_id();
	uint R = pc.p[0], K = pc.p[1];
	if (r >= R) return;
	uint base = r * K;
	float s = 0.0;
	uint cnt = 0;
	for (uint j = 0; j < K; j++) {
		float dy = T1(base + j), y = T2(base + j);
		if (OP == 0) s += dy * y;
		else if (OP == 1) s += dy;
		else if (y > 0.0) { s += dy; cnt++; }
	}
	if (OP == 2) s /= float(max(cnt, 1u));
	for (uint j = 0; j < K; j++) {
		float dy = T1(base + j), y = T2(base + j);
		float dx;
		if (OP == 0) dx = y * (dy - s);
		else if (OP == 1) dx = dy - exp(y) * s;
		else dx = y > 0.0 ? dy - s : 0.0;
		T0(base + j) = dx;
	}
}
