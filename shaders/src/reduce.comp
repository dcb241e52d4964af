#version 450
// reduce.comp: one workgroup computes s[idx] = A*Σ f(x, y) over the whole tensor, with
// f = x (OP 0, sum), x² (OP 1, sum of squares) or x*y (OP 2, dot). Bindings: 0 s, 1 x, 2 y.
// p[0] n, p[1] A, p[2] idx, p[3] accumulate.
#include "common.glsl"
#include "reduce.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint n = pc.p[0];
	float acc = 0.0;
	for (uint i = gl_LocalInvocationID.x; i < n; i += gl_WorkGroupSize.x) {
		float x = T1(i);
		acc += OP == 0 ? x : (OP == 1 ? x * x : x * T2(i));
	}
	float s = workgroup_sum(acc) * pf(1);
	if (gl_LocalInvocationID.x == 0) {
		uint idx = pc.p[2];
		T0(idx) = pc.p[3] != 0 ? T0(idx) + s : s;
	}
}
