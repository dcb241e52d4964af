#version 450
// batch_norm_eval.comp: y = (x - runMean)/sqrt(runVar + eps)*gamma + beta, elementwise.
// Bindings: 0 y, 1 x, 2 gamma, 3 beta, 4 runMean, 5 runVar.
// p[0] n, p[1] C, p[2] S = H*W, p[3] eps, p[4] flags: 1 gamma, 2 beta, 4 binding 5 holds
// the inverse standard deviation (the last pass of batch_norm_stats.comp) instead of runVar.
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	uint c = (i / pc.p[2]) % pc.p[1];
	uint flags = pc.p[4];
	float g = (flags & 1u) != 0 ? T2(c) : 1.0;
	float b = (flags & 2u) != 0 ? T3(c) : 0.0;
	float invStd = (flags & 4u) != 0 ? T5(c) : inversesqrt(T5(c) + pf(3));
	T0(i) = (T1(i) - T4(c)) * invStd * g + b;
}
