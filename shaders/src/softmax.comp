#version 450
// softmax.comp: row-wise softmax (OP 0), log-softmax (OP 1) or sparsemax (OP 2, Martins &
// Astudillo 2016, eq. 2-4), one thread per row. Bindings: 0 y, 1 x. p[0] rows, p[1] K.
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;

void main() {
	uint r = flat_id();
	uint R = pc.p[0], K = pc.p[1];
	if (r >= R) return;
	uint base = r * K;
	if (OP == 2) {
		// The support is {j : 1 + k_j z_j > Σ_{z_i ≥ z_j} z_i} with k_j = #{i : z_i ≥ z_j};
		// this is the sorted criterion of the paper without sorting (ties agree).
		float ssum = 0.0;
		uint ssize = 0;
		for (uint j = 0; j < K; j++) {
			float zj = T1(base + j);
			float s = 0.0;
			uint k = 0;
			for (uint i = 0; i < K; i++) {
				float zi = T1(base + i);
				if (zi >= zj) { s += zi; k++; }
			}
			if (1.0 + float(k) * zj > s) { ssum += zj; ssize++; }
		}
		float tau = (ssum - 1.0) / float(ssize);
		for (uint j = 0; j < K; j++) T0(base + j) = max(T1(base + j) - tau, 0.0);
		return;
	}
	float m = uintBitsToFloat(0xff800000u);
	for (uint j = 0; j < K; j++) m = max(m, T1(base + j));
	float s = 0.0;
	for (uint j = 0; j < K; j++) s += exp(T1(base + j) - m);
	if (OP == 0) {
		float inv = 1.0 / s;
		for (uint j = 0; j < K; j++) T0(base + j) = exp(T1(base + j) - m) * inv;
	} else {
		float lse = m + log(s);
		for (uint j = 0; j < K; j++) T0(base + j) = T1(base + j) - lse;
	}
}
