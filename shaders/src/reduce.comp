#version 450
// reduce.comp: s[idx] = A*Σ f(x, y) over the whole tensor (+ s[idx] when accumulating), with
// f = x (OP 0, sum), x² (OP 1, sum of squares) or x*y (OP 2, dot). Workgroups take fixed
// strides of the tensor; with one workgroup it writes the result, with more (p[4] set) each
// writes its partial sum to s[group] and a second one-group pass adds them, so the result
// does not depend on scheduling. Bindings: 0 s, 1 x, 2 y.
// p[0] n, p[1] A, p[2] idx, p[3] accumulate, p[4] partial.
#include "common.glsl"
#include "reduce.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint n = pc.p[0];
	uint group = flat_group();
	uint stride = gl_NumWorkGroups.x * gl_NumWorkGroups.y * gl_WorkGroupSize.x;
	float acc = 0.0;
	for (uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x; i < n; i += stride) {
		float x = T1(i);
		acc += OP == 0 ? x : (OP == 1 ? x * x : x * T2(i));
	}
	float s = workgroup_sum(acc);
	if (gl_LocalInvocationID.x != 0) return;
	if (pc.p[4] != 0) {
		T0(group) = s;
		return;
	}
	s *= pf(1);
	uint idx = pc.p[2];
	T0(idx) = pc.p[3] != 0 ? T0(idx) + s : s;
}
