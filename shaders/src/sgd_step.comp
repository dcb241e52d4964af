#version 450
// sgd_step.comp: PyTorch's SGD update (torch/optim/sgd.py, _single_tensor_sgd):
// d = g + wd*w; buf = first ? d : momentum*buf + (1-dampening)*d; d = nesterov ? d +
// momentum*buf : buf; w -= lr*d. Without momentum buf is untouched and d is used as is.
// Bindings: 0 w, 1 g, 2 buf. p[0] n, p[1] lr, p[2] momentum, p[3] dampening, p[4] weight
// decay, p[5] flags: 1 nesterov, 2 first step, 4 buf given.
#include "common.glsl"

void main() {
	uint i = flat_id();
	if (i >= pc.p[0]) return;
	float lr = pf(1), mom = pf(2), damp = pf(3), wd = pf(4);
	uint flags = pc.p[5];
	float w = T0(i);
	float d = T1(i);
	if (wd != 0.0) d += wd * w;
	if (mom != 0.0 && (flags & 4u) != 0) {
		float buf = (flags & 2u) != 0 ? d : mom * T2(i) + (1.0 - damp) * d;
		T2(i) = buf;
		d = (flags & 1u) != 0 ? d + mom * buf : buf;
	}
	T0(i) = w - lr * d;
}
