#version 450
// channel_sum.comp: out[c] = A * Σ_{n<N, s<S} x[(n*C + c)*S + s], one workgroup per channel.
// It is the bias gradient (A = 1) and global average pooling (N = 1, C = batch*channels,
// A = 1/S). Bindings: 0 out, 1 x. p[0] N, p[1] C, p[2] S, p[3] A.
#include "common.glsl"
#include "reduce.glsl"

void main() {
	uint c = flat_group();
	uint N = pc.p[0], C = pc.p[1], S = pc.p[2];
	float acc = 0.0;
	if (c < C) {
		for (uint j = gl_LocalInvocationID.x; j < N * S; j += gl_WorkGroupSize.x) {
			uint n = j / S;
			acc += T1((n * C + c) * S + (j - n * S));
		}
	}
	float s = workgroup_sum(acc);
	if (gl_LocalInvocationID.x == 0 && c < C) T0(c) = s * pf(3);
}
