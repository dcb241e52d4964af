#version 450
// batch_norm_backward_split.comp: the gradient of batch norm spread over many workgroups
// (see batch_norm_stats.comp), with x̂ = (x - mean)*invStd. Passes (OP) and their bindings:
//   0: partial[c*P + p] = Σ dy, partial[(C + c)*P + p] = Σ dy*x̂ over chunk p of channel c;
//      C*P groups. Bindings: 0 partial, 3 dy, 4 x, 5 mean, 6 invStd.
//   1: sums[c] = Σ dy, sums[C + c] = Σ dy*x̂ (fixed order), dgamma = Σ dy*x̂ and dbeta = Σ dy
//      when wanted; C groups. Bindings: 0 partial, 1 sums, 2 dgamma, 7 dbeta.
//   2: dx = gamma*invStd*(dy - Σdy/M - x̂*Σdy*x̂/M), elementwise.
//      Bindings: 0 dx, 1 sums, 3 dy, 4 x, 5 mean, 6 invStd, 7 gamma.
// p[0] N, p[1] C, p[2] S, p[3] flags (1 gamma, 2 dgamma, 4 dbeta), p[4] P.
#include "common.glsl"
#include "reduce.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint N = pc.p[0], C = pc.p[1], S = pc.p[2], flags = pc.p[3], P = pc.p[4];
	uint M = N * S;
	if (OP == 0) {
		uint g = flat_group();
		uint c = g / P, part = g - c * P;
		uint chunk = (M + P - 1) / P;
		uint j0 = part * chunk, j1 = min(M, j0 + chunk);
		float mean = c < C ? T5(c) : 0.0, invStd = c < C ? T6(c) : 0.0;
		float sdy = 0.0, sdyx = 0.0;
		if (c < C) {
			for (uint j = j0 + gl_LocalInvocationID.x; j < j1; j += gl_WorkGroupSize.x) {
				uint n = j / S;
				uint at = (n * C + c) * S + (j - n * S);
				float dy = T3(at);
				sdy += dy;
				sdyx += dy * (T4(at) - mean) * invStd;
			}
		}
		sdy = workgroup_sum(sdy);
		sdyx = workgroup_sum(sdyx);
		if (gl_LocalInvocationID.x == 0 && c < C) {
			T0(c * P + part) = sdy;
			T0((C + c) * P + part) = sdyx;
		}
		return;
	}
	if (OP == 1) {
		uint c = flat_group();
		if (c >= C || gl_LocalInvocationID.x != 0) return;
		float sdy = 0.0, sdyx = 0.0;
		for (uint p = 0; p < P; p++) {
			sdy += T0(c * P + p);
			sdyx += T0((C + c) * P + p);
		}
		T1(c) = sdy;
		T1(C + c) = sdyx;
		if ((flags & 2u) != 0) T2(c) = sdyx;
		if ((flags & 4u) != 0) T7(c) = sdy;
		return;
	}
	uint i = flat_id();
	if (i >= M * C) return;
	uint c = (i / S) % C;
	float invStd = T6(c);
	float g = (flags & 1u) != 0 ? T7(c) : 1.0;
	float xh = (T4(i) - T5(c)) * invStd;
	T0(i) = g * invStd * (T3(i) - T1(c) / float(M) - xh * T1(C + c) / float(M));
}
