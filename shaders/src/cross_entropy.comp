#version 450
// cross_entropy.comp: loss = mean over rows of -log softmax(logits)[label], and the softmax
// probabilities kept for the backward pass. One workgroup; threads take rows in turn.
// Bindings: 0 loss[1], 1 probs, 2 logits, 3 labels. p[0] N, p[1] K.
#include "common.glsl"
#include "reduce.glsl"

void main() {
	uint N = pc.p[0], K = pc.p[1];
	float acc = 0.0;
	for (uint r = gl_LocalInvocationID.x; r < N; r += gl_WorkGroupSize.x) {
		uint base = r * K;
		float m = uintBitsToFloat(0xff800000u);
		for (uint j = 0; j < K; j++) m = max(m, T2(base + j));
		float s = 0.0;
		for (uint j = 0; j < K; j++) s += exp(T2(base + j) - m);
		float lse = m + log(s);
		for (uint j = 0; j < K; j++) T1(base + j) = exp(T2(base + j) - lse);
		acc += lse - T2(base + uint(T3(r)));
	}
	float total = workgroup_sum(acc);
	if (gl_LocalInvocationID.x == 0) T0(0) = total / float(N);
}
