//go:build !purego

#include "textflag.h"

// AVX2 vector loops; see vec.go for what each computes. n is a multiple
// of 8 (the Go wrappers in vec_amd64.go do the rest); AX is the byte
// offset into every slice, CX the elements left.

// Elementwise loops: BODY(off) handles 8 elements at byte offset off from
// AX; four per 32-element step, then one per 8-element step.
#define ELEMENTWISE(BODY, L32, L8, LDONE) \
L32: \
	CMPQ CX, $32; \
	JLT  L8; \
	BODY(0); BODY(32); BODY(64); BODY(96); \
	ADDQ $128, AX; \
	SUBQ $32, CX; \
	JMP  L32; \
L8: \
	TESTQ CX, CX; \
	JZ    LDONE; \
	BODY(0); \
	ADDQ $32, AX; \
	SUBQ $8, CX; \
	JMP  L8; \
LDONE: \
	VZEROUPPER; \
	RET

// func axpyAVX2(alpha float32, x *float32, y *float32, n int)
#define AXPY(off) VMOVUPS off(DI)(AX*1), Y1; VFMADD231PS off(SI)(AX*1), Y0, Y1; VMOVUPS Y1, off(DI)(AX*1)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVQ         n+24(FP), CX
	XORQ         AX, AX
	ELEMENTWISE(AXPY, axpy32, axpy8, axpydone)

// func axpbyAVX2(dst *float32, alpha float32, x *float32, beta float32, y *float32, n int)
#define AXPBY(off) VMULPS off(DI)(AX*1), Y1, Y2; VFMADD231PS off(SI)(AX*1), Y0, Y2; VMOVUPS Y2, off(DX)(AX*1)
TEXT ·axpbyAVX2(SB), NOSPLIT, $0-48
	MOVQ         dst+0(FP), DX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ         x+16(FP), SI
	VBROADCASTSS beta+24(FP), Y1
	MOVQ         y+32(FP), DI
	MOVQ         n+40(FP), CX
	XORQ         AX, AX
	ELEMENTWISE(AXPBY, axpby32, axpby8, axpbydone)

// func scaleAVX2(dst *float32, alpha float32, x *float32, n int)
#define SCALE(off) VMULPS off(SI)(AX*1), Y0, Y1; VMOVUPS Y1, off(DX)(AX*1)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	XORQ         AX, AX
	ELEMENTWISE(SCALE, scale32, scale8, scaledone)

// func addAVX2(dst *float32, x *float32, y *float32, n int)
#define ADD(off) VMOVUPS off(SI)(AX*1), Y1; VADDPS off(DI)(AX*1), Y1, Y1; VMOVUPS Y1, off(DX)(AX*1)
TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	XORQ AX, AX
	ELEMENTWISE(ADD, add32, add8, adddone)

// func mulAVX2(dst *float32, x *float32, y *float32, n int)
#define MUL(off) VMOVUPS off(SI)(AX*1), Y1; VMULPS off(DI)(AX*1), Y1, Y1; VMOVUPS Y1, off(DX)(AX*1)
TEXT ·mulAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	XORQ AX, AX
	ELEMENTWISE(MUL, mul32, mul8, muldone)

// func reluAVX2(dst *float32, x *float32, n int)
// VMAXPS returns its second source (x) when either is NaN or both are
// zero, so NaN propagates and -0 stays -0, exactly as reluGeneric.
#define RELU(off) VMOVUPS off(SI)(AX*1), Y1; VMAXPS Y1, Y0, Y1; VMOVUPS Y1, off(DX)(AX*1)
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DX
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	ELEMENTWISE(RELU, relu32, relu8, reludone)

// func reluBackwardAVX2(dx *float32, dy *float32, x *float32, n int)
// mask = x > 0 (ordered, so false for NaN); dx = dy & mask.
#define RELUBWD(off) VMOVUPS off(SI)(AX*1), Y1; VCMPPS $0x1e, Y0, Y1, Y1; VANDPS off(DI)(AX*1), Y1, Y1; VMOVUPS Y1, off(DX)(AX*1)
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ   dx+0(FP), DX
	MOVQ   dy+8(FP), DI
	MOVQ   x+16(FP), SI
	MOVQ   n+24(FP), CX
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	ELEMENTWISE(RELUBWD, relubwd32, relubwd8, relubwddone)

// Reductions keep four accumulators Y0..Y3 (32 partial sums), fold them
// into Y0, then add its 8 lanes pairwise.
#define HSUM \
	VADDPS       Y1, Y0, Y0; \
	VADDPS       Y3, Y2, Y2; \
	VADDPS       Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VHADDPS      X0, X0, X0; \
	VHADDPS      X0, X0, X0

#define REDUCE(STEP, L32, L8, LDONE) \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
L32: \
	CMPQ CX, $32; \
	JLT  L8; \
	STEP(0, Y0); STEP(32, Y1); STEP(64, Y2); STEP(96, Y3); \
	ADDQ $128, AX; \
	SUBQ $32, CX; \
	JMP  L32; \
L8: \
	TESTQ CX, CX; \
	JZ    LDONE; \
	STEP(0, Y0); \
	ADDQ $32, AX; \
	SUBQ $8, CX; \
	JMP  L8; \
LDONE: \
	HSUM

// func dotAVX2(x *float32, y *float32, n int) float32
#define DOT(off, acc) VMOVUPS off(SI)(AX*1), Y4; VFMADD231PS off(DI)(AX*1), Y4, acc
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	REDUCE(DOT, dot32, dot8, dotdone)
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumAVX2(x *float32, n int) float32
#define SUM(off, acc) VADDPS off(SI)(AX*1), acc, acc
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	REDUCE(SUM, sum32, sum8, sumdone)
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sumSquaresAVX2(x *float32, n int) float32
#define SUMSQ(off, acc) VMOVUPS off(SI)(AX*1), Y4; VFMADD231PS Y4, Y4, acc
TEXT ·sumSquaresAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	REDUCE(SUMSQ, sumsq32, sumsq8, sumsqdone)
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func affineAVX2(dst *float32, a float32, x *float32, c float32, n int)
#define AFFINE(off) VMOVUPS off(SI)(AX*1), Y2; VFMADD213PS Y1, Y0, Y2; VMOVUPS Y2, off(DX)(AX*1)
TEXT ·affineAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DX
	VBROADCASTSS a+8(FP), Y0
	MOVQ         x+16(FP), SI
	VBROADCASTSS c+24(FP), Y1
	MOVQ         n+32(FP), CX
	XORQ         AX, AX
	ELEMENTWISE(AFFINE, affine32, affine8, affinedone)

// func axpbycAVX2(dst *float32, a float32, x *float32, b float32, y *float32, c float32, n int)
// Y3 = a*x + c, then Y3 += b*y.
#define AXPBYC(off) VMOVUPS off(SI)(AX*1), Y3; VFMADD213PS Y2, Y0, Y3; VFMADD231PS off(DI)(AX*1), Y1, Y3; VMOVUPS Y3, off(DX)(AX*1)
TEXT ·axpbycAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DX
	VBROADCASTSS a+8(FP), Y0
	MOVQ         x+16(FP), SI
	VBROADCASTSS b+24(FP), Y1
	MOVQ         y+32(FP), DI
	VBROADCASTSS c+40(FP), Y2
	MOVQ         n+48(FP), CX
	XORQ         AX, AX
	ELEMENTWISE(AXPBYC, axpbyc32, axpbyc8, axpbycdone)

// func sumSqDiffAVX2(x *float32, c float32, n int) float32
#define SUMSQDIFF(off, acc) VMOVUPS off(SI)(AX*1), Y4; VSUBPS Y5, Y4, Y4; VFMADD231PS Y4, Y4, acc
TEXT ·sumSqDiffAVX2(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), SI
	VBROADCASTSS c+8(FP), Y5
	MOVQ         n+16(FP), CX
	XORQ         AX, AX
	REDUCE(SUMSQDIFF, sumsqdiff32, sumsqdiff8, sumsqdiffdone)
	VMOVSS       X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumDotDiffAVX2(y *float32, x *float32, c float32, n int) (sum, dot float32)
// Dot products in Y0..Y3, sums of y in Y6..Y9; each folded with HSUM.
#define SUMDOTDIFF(off, dacc, sacc) VMOVUPS off(DI)(AX*1), Y4; VMOVUPS off(SI)(AX*1), Y10; VSUBPS Y5, Y10, Y10; VADDPS Y4, sacc, sacc; VFMADD231PS Y10, Y4, dacc
TEXT ·sumDotDiffAVX2(SB), NOSPLIT, $0-40
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSS c+16(FP), Y5
	MOVQ         n+24(FP), CX
	XORQ         AX, AX
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3
	VXORPS       Y6, Y6, Y6
	VXORPS       Y7, Y7, Y7
	VXORPS       Y8, Y8, Y8
	VXORPS       Y9, Y9, Y9

sumdotdiff32:
	CMPQ CX, $32
	JLT  sumdotdiff8
	SUMDOTDIFF(0, Y0, Y6)
	SUMDOTDIFF(32, Y1, Y7)
	SUMDOTDIFF(64, Y2, Y8)
	SUMDOTDIFF(96, Y3, Y9)
	ADDQ $128, AX
	SUBQ $32, CX
	JMP  sumdotdiff32

sumdotdiff8:
	TESTQ CX, CX
	JZ    sumdotdiffdone
	SUMDOTDIFF(0, Y0, Y6)
	ADDQ  $32, AX
	SUBQ  $8, CX
	JMP   sumdotdiff8

sumdotdiffdone:
	HSUM
	VMOVSS  X0, dot+36(FP)
	VMOVAPS Y6, Y0
	VMOVAPS Y7, Y1
	VMOVAPS Y8, Y2
	VMOVAPS Y9, Y3
	HSUM
	VMOVSS  X0, sum+32(FP)
	VZEROUPPER
	RET
