// conv.glsl: the convolution geometry shared by the conv2d kernels, from the push
// constants set by vk/ops.go conv: p[0] N, p[1] Cin, p[2] H, p[3] W, p[4] Cout, p[5] OH,
// p[6] OW, p[7] KH, p[8] KW, p[9] stride, p[10] pad, p[11] dilation, p[12] groups,
// p[13] split-K count, p[14] split-K chunk (gemm.glsl).

#define CV_N pc.p[0]
#define CV_CIN pc.p[1]
#define CV_H pc.p[2]
#define CV_W pc.p[3]
#define CV_COUT pc.p[4]
#define CV_OH pc.p[5]
#define CV_OW pc.p[6]
#define CV_KH pc.p[7]
#define CV_KW pc.p[8]
#define CV_S int(pc.p[9])
#define CV_P int(pc.p[10])
#define CV_D int(pc.p[11])
#define CV_G pc.p[12]
#define CV_CG (CV_CIN / CV_G)
#define CV_MG (CV_COUT / CV_G)
#define GEMM_SPLITS pc.p[13]
#define GEMM_KCHUNK pc.p[14]

// CV_PW (spec id 5) is set by the host for a pointwise convolution: 1x1 taps, stride 1, no
// padding, so OH = H, OW = W and a tap index is a channel. The GEMM loaders then skip the
// tap and position arithmetic (integer divisions and bounds tests per loaded element);
// being a specialisation constant, the other branch is compiled out.
layout(constant_id = 5) const uint CV_PW = 0;
