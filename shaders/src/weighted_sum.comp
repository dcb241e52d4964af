#version 450
// weighted_sum.comp: the MixedOp sum out = Σ_j w[k0+j] * x_j for up to 6 inputs at bindings
// 2..7, added to out when p[3] is set (the host splits larger sums). Bindings: 0 out, 1 w.
// p[0] n, p[1] count, p[2] k0, p[3] accumulate.
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	uint cnt = pc.p[1], k0 = pc.p[2];
	float s = pc.p[3] != 0 ? T0(i) : 0.0;
	if (cnt > 0) s += T1(k0 + 0) * T2(i);
	if (cnt > 1) s += T1(k0 + 1) * T3(i);
	if (cnt > 2) s += T1(k0 + 2) * T4(i);
	if (cnt > 3) s += T1(k0 + 3) * T5(i);
	if (cnt > 4) s += T1(k0 + 4) * T6(i);
	if (cnt > 5) s += T1(k0 + 5) * T7(i);
	T0(i) = s;
}
