// common.glsl: the binding and push-constant layout every godarts kernel shares (see
// vk/pipeline.go). Each binding is a whole memory block; tensors are addressed by the
// element offsets in pc.off, so one descriptor set serves every tensor of the same blocks.

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer Buf0 { float B0[]; };
layout(std430, set = 0, binding = 1) buffer Buf1 { float B1[]; };
layout(std430, set = 0, binding = 2) buffer Buf2 { float B2[]; };
layout(std430, set = 0, binding = 3) buffer Buf3 { float B3[]; };
layout(std430, set = 0, binding = 4) buffer Buf4 { float B4[]; };
layout(std430, set = 0, binding = 5) buffer Buf5 { float B5[]; };
layout(std430, set = 0, binding = 6) buffer Buf6 { float B6[]; };
layout(std430, set = 0, binding = 7) buffer Buf7 { float B7[]; };

// off[i]: element offset of the tensor bound at binding i; p: the op's parameters.
layout(push_constant) uniform PushConstants {
	uint off[8];
	uint p[24];
} pc;

float pf(uint i) { return uintBitsToFloat(pc.p[i]); }

// flat_group is the workgroup's index in a grid that the host split over x and y to stay
// under maxComputeWorkGroupCount (vk/launch.go grid1).
uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

uint flat_id() { return flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x; }

// Tensor accessors: T0(i) is element i of the tensor at binding 0, and so on.
#define T0(i) B0[pc.off[0] + (i)]
#define T1(i) B1[pc.off[1] + (i)]
#define T2(i) B2[pc.off[2] + (i)]
#define T3(i) B3[pc.off[3] + (i)]
#define T4(i) B4[pc.off[4] + (i)]
#define T5(i) B5[pc.off[5] + (i)]
#define T6(i) B6[pc.off[6] + (i)]
#define T7(i) B7[pc.off[7] + (i)]
