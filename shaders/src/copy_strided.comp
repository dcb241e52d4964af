#version 450
// copy_strided.comp: dst[i] = src[i] for 4-d views with any strides. Bindings: 0 dst, 1 src.
// p[0] n, p[1..4] shape, p[5..8] dst strides, p[9..12] src strides (all in elements).
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	uint r = i;
	uint d = 0, s = 0;
	for (int k = 3; k >= 0; k--) {
		uint dim = pc.p[1 + k];
		uint c = r % dim;
		r /= dim;
		d += c * pc.p[5 + k];
		s += c * pc.p[9 + k];
	}
	T0(d) = T1(s);
}
