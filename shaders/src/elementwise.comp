#version 450
// elementwise.comp: the elementwise ops, one per value of the specialisation constant OP
// (codes in vk/ops.go). Bindings: 0 out, 1 x, 2 y, 3 z. p[0] n, p[1] A, p[2] B, p[3] index,
// p[4] S (elements per row or per channel plane), p[5] C (channels).
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint i = flat_id();
	uint n = pc.p[0];
	if (i >= n) return;
	float A = pf(1), B = pf(2);
	float r = 0.0;
	switch (OP) {
	case 0: r = A; break;                                     // fill
	case 1: r = A * T1(i) + B * T2(i); break;                 // axpby
	case 2: r = A * T1(i); break;                             // scale
	case 3: r = T1(i) + A; break;                             // add_scalar
	case 4: r = T1(i) * T2(i); break;                         // mul
	case 5: r = A * T2(pc.p[3]) * T1(i); break;               // scale_by_elem
	case 6: r = T1(i) * T2(i / pc.p[4]); break;               // scale_rows
	case 7: r = max(T1(i), 0.0); break;                       // relu
	case 8: r = T2(i) > 0.0 ? T1(i) : 0.0; break;             // relu_backward: dy, x
	case 9: r = 1.0 / (1.0 + exp(-T1(i))); break;             // sigmoid
	case 10: { float y = T2(i); r = T1(i) * y * (1.0 - y); break; } // sigmoid_backward: dy, y
	case 11: r = A * T1(0); break;                            // broadcast
	case 12: r = T1(i) + T2((i / pc.p[4]) % pc.p[5]); break;  // add_bias
	case 13: r = T1(i) * min(1.0, A / (sqrt(T2(0)) + 1e-6)); break; // clip_by_norm
	case 14: r = A * T1(i / pc.p[4]); break;                  // spread (global_avg_pool_backward)
	case 15: {                                                // cross_entropy_backward
		uint k = pc.p[4];
		uint row = i / k;
		float onehot = (i - row * k) == uint(T2(row)) ? 1.0 : 0.0;
		r = T3(0) * (T1(i) - onehot) * A;
		break;
	}
	}
	T0(i) = r;
}
