#version 450
// count_correct.comp: count[0] += the number of rows whose first maximum is at the label.
// One workgroup. Bindings: 0 count[1], 1 logits, 2 labels. p[0] N, p[1] K.
#include "common.glsl"
#include "reduce.glsl"

void main() {
	uint N = pc.p[0], K = pc.p[1];
	float acc = 0.0;
	for (uint r = gl_LocalInvocationID.x; r < N; r += gl_WorkGroupSize.x) {
		uint base = r * K;
		uint best = 0;
		for (uint j = 1; j < K; j++)
			if (T1(base + j) > T1(base + best)) best = j;
		if (best == uint(T2(r))) acc += 1.0;
	}
	float total = workgroup_sum(acc);
	if (gl_LocalInvocationID.x == 0) T0(0) += total;
}
