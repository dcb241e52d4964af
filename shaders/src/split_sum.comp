#version 450
// split_sum.comp: out[z*L + r] = Σ_{s<S} partial[(z*S + s)*L + r], adding the split-K
// partials of gemm.glsl (or any S partial results) in a fixed order, so results do not
// depend on scheduling. Bindings: 0 out, 1 partials. p[0] n = batch*L, p[1] S, p[2] L.
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	uint S = pc.p[1], L = pc.p[2];
	uint z = i / L, r = i - z * L;
	float s = 0.0;
	for (uint k = 0; k < S; k++) s += T1((z * S + k) * L + r);
	T0(i) = s;
}
