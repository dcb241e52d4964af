#version 450
// adam_step.comp: PyTorch's Adam update (torch/optim/adam.py, _single_tensor_adam):
// g += wd*w; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²;
// w -= stepSize * m / (sqrt(v)/sqrt(bc2) + eps), stepSize = lr/bc1, bias corrections from
// the host in float64. Bindings: 0 w, 1 g, 2 m, 3 v. p[0] n, p[1] lr, p[2] beta1,
// p[3] beta2, p[4] eps, p[5] weight decay, p[6] lr/bc1, p[7] sqrt(bc2).
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	float b1 = pf(2), b2 = pf(3), eps = pf(4), wd = pf(5);
	float w = T0(i);
	float g = T1(i);
	if (wd != 0.0) g += wd * w;
	float m = b1 * T2(i) + (1.0 - b1) * g;
	float v = b2 * T3(i) + (1.0 - b2) * g * g;
	T2(i) = m;
	T3(i) = v;
	T0(i) = w - pf(6) * m / (sqrt(v) / pf(7) + eps);
}
