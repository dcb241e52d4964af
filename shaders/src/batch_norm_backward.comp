#version 450
// batch_norm_backward.comp: the gradient of batch_norm_train, one workgroup per channel.
// With x̂ = (x - mean)*invStd: dbeta = Σ dy, dgamma = Σ dy*x̂ and
// dx = gamma*invStd*(dy - dbeta/M - x̂*dgamma/M).
// Bindings: 0 dx, 1 dgamma, 2 dbeta, 3 dy, 4 x, 5 saveMean, 6 saveInvStd, 7 gamma.
// p[0] N, p[1] C, p[2] S, p[3] flags: 1 gamma, 2 dgamma wanted, 4 dbeta wanted.
#include "common.glsl"
#include "reduce.glsl"

void main() {
	uint c = flat_group();
	uint N = pc.p[0], C = pc.p[1], S = pc.p[2], flags = pc.p[3];
	uint M = N * S;
	bool ok = c < C;
	float mean = ok ? T5(c) : 0.0, invStd = ok ? T6(c) : 0.0;
	float sdy = 0.0, sdyx = 0.0;
	if (ok) {
		for (uint j = gl_LocalInvocationID.x; j < M; j += gl_WorkGroupSize.x) {
			uint n = j / S;
			uint at = (n * C + c) * S + (j - n * S);
			float dy = T3(at);
			sdy += dy;
			sdyx += dy * (T4(at) - mean) * invStd;
		}
	}
	sdy = workgroup_sum(sdy);
	sdyx = workgroup_sum(sdyx);
	if (!ok) return;
	float g = (flags & 1u) != 0 ? T7(c) : 1.0;
	float k = g * invStd;
	float mdy = sdy / float(M), mdyx = sdyx / float(M);
	for (uint j = gl_LocalInvocationID.x; j < M; j += gl_WorkGroupSize.x) {
		uint n = j / S;
		uint at = (n * C + c) * S + (j - n * S);
		float xh = (T4(at) - mean) * invStd;
		T0(at) = k * (T3(at) - mdy - xh * mdyx);
	}
	if (gl_LocalInvocationID.x == 0) {
		if ((flags & 2u) != 0) T1(c) = sdyx;
		if ((flags & 4u) != 0) T2(c) = sdy;
	}
}
