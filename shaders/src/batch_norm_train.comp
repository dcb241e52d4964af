#version 450
// batch_norm_train.comp: batch statistics per channel, one workgroup per channel, two
// passes (mean, then the mean of squared deviations) so the variance stays accurate
// (engine-anchors.md §6.8 item 4), then the normalised output. Running statistics follow
// PyTorch's BatchNorm2d: r = (1-m)*r + m*batch, with the unbiased batch variance.
// Bindings: 0 y, 1 saveMean, 2 saveInvStd, 3 x, 4 gamma, 5 beta, 6 runMean, 7 runVar.
// p[0] N, p[1] C, p[2] S = H*W, p[3] eps, p[4] momentum, p[5] flags: 1 gamma, 2 beta, 4 running.
#include "common.glsl"
#include "reduce.glsl"

void main() {
	uint c = flat_group();
	uint N = pc.p[0], C = pc.p[1], S = pc.p[2], flags = pc.p[5];
	uint M = N * S;
	bool ok = c < C;
	float acc = 0.0;
	if (ok) {
		for (uint j = gl_LocalInvocationID.x; j < M; j += gl_WorkGroupSize.x) {
			uint n = j / S;
			acc += T3((n * C + c) * S + (j - n * S));
		}
	}
	float mean = workgroup_sum(acc) / float(M);
	acc = 0.0;
	if (ok) {
		for (uint j = gl_LocalInvocationID.x; j < M; j += gl_WorkGroupSize.x) {
			uint n = j / S;
			float d = T3((n * C + c) * S + (j - n * S)) - mean;
			acc += d * d;
		}
	}
	float var = workgroup_sum(acc) / float(M);
	if (!ok) return;
	float invStd = inversesqrt(var + pf(3));
	float g = (flags & 1u) != 0 ? T4(c) : 1.0;
	float b = (flags & 2u) != 0 ? T5(c) : 0.0;
	for (uint j = gl_LocalInvocationID.x; j < M; j += gl_WorkGroupSize.x) {
		uint n = j / S;
		uint at = (n * C + c) * S + (j - n * S);
		T0(at) = (T3(at) - mean) * invStd * g + b;
	}
	if (gl_LocalInvocationID.x == 0) {
		T1(c) = mean;
		T2(c) = invStd;
		if ((flags & 4u) != 0) {
			float m = pf(4);
			float unbiased = M > 1 ? var * float(M) / float(M - 1) : var;
			T6(c) = (1.0 - m) * T6(c) + m * mean;
			T7(c) = (1.0 - m) * T7(c) + m * unbiased;
		}
	}
}
