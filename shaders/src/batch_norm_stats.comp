#version 450
// batch_norm_stats.comp: batch-norm statistics spread over many workgroups, for GPUs where
// one workgroup per channel (batch_norm_train.comp) leaves most of the device idle. Each
// channel's N*S elements are cut into P chunks; the passes (OP) are
//   0: partial[c*P + p] = Σ x over chunk p               (C*P groups)
//   1: mean[c] = Σ_p partial[c*P + p] / M                (C groups)
//   2: partial[c*P + p] = Σ (x - mean)² over chunk p     (C*P groups)
//   3: invStd[c], running statistics from the partials   (C groups)
// and batch_norm_eval.comp then normalises. Two passes over x keep the variance accurate
// (engine-anchors.md §6.8 item 4); partials are added in a fixed order.
// Bindings: 0 partial, 1 mean, 2 invStd, 3 x, 6 runMean, 7 runVar.
// p[0] N, p[1] C, p[2] S, p[3] eps, p[4] momentum, p[5] flags (4: running), p[6] P.
#include "common.glsl"
#include "reduce.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint N = pc.p[0], C = pc.p[1], S = pc.p[2], P = pc.p[6];
	uint M = N * S;
	uint g = flat_group();
	if (OP == 0 || OP == 2) {
		uint c = g / P, part = g - c * P;
		uint chunk = (M + P - 1) / P;
		uint j0 = part * chunk, j1 = min(M, j0 + chunk);
		float mean = (OP == 2 && c < C) ? T1(c) : 0.0;
		float acc = 0.0;
		if (c < C) {
			for (uint j = j0 + gl_LocalInvocationID.x; j < j1; j += gl_WorkGroupSize.x) {
				uint n = j / S;
				float v = T3((n * C + c) * S + (j - n * S));
				acc += OP == 0 ? v : (v - mean) * (v - mean);
			}
		}
		float s = workgroup_sum(acc);
		if (gl_LocalInvocationID.x == 0 && c < C) T0(g) = s;
		return;
	}
	// OP 1, 3: one workgroup per channel adds its P partials (thread 0, fixed order).
	uint c = g;
	if (c >= C || gl_LocalInvocationID.x != 0) return;
	float s = 0.0;
	for (uint p = 0; p < P; p++) s += T0(c * P + p);
	if (OP == 1) {
		T1(c) = s / float(M);
		return;
	}
	float var = s / float(M);
	T2(c) = inversesqrt(var + pf(3));
	if ((pc.p[5] & 4u) != 0) {
		float m = pf(4);
		float unbiased = M > 1 ? var * float(M) / float(M - 1) : var;
		T6(c) = (1.0 - m) * T6(c) + m * T1(c);
		T7(c) = (1.0 - m) * T7(c) + m * unbiased;
	}
}
