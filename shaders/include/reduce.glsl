// reduce.glsl: a workgroup-wide sum through shared memory. The workgroup size is a power of
// two (vk/backend.go chooseWorkgroups). Every invocation must call it: it holds barriers.

shared float red_buf[gl_WorkGroupSize.x];

float workgroup_sum(float v) {
	uint t = gl_LocalInvocationID.x;
	red_buf[t] = v;
	barrier();
	for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
		if (t < s) red_buf[t] += red_buf[t + s];
		barrier();
	}
	float r = red_buf[0];
	barrier();
	return r;
}
