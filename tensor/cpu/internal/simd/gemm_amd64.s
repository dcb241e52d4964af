//go:build !purego

#include "textflag.h"

// Micro-kernels for Sgemm: see gemmParams.micro in gemm.go for the contract.
// a points to a packed mr-tall strip (kc columns of mr values), b to kc
// rows of nr values ldb apart (a packed strip, ldb = nr, or B itself), c to
// the tile's top-left element, ldc is C's row stride in elements.

// One k step of the 8×32 AVX-512 kernel: row i's broadcast A value times
// the two B vectors Z16, Z17, into accumulators Z(2i), Z(2i+1).
#define K8X32(off, za, z0, z1) VBROADCASTSS off(SI), za; VFMADD231PS Z16, za, z0; VFMADD231PS Z17, za, z1

// One k step: the B row at DI times the A column at aoff(SI); DI moves on
// by ldb (R11) and fetches the row 8 steps ahead (R12 = 8·ldb).
#define STEP512(aoff) \
	VMOVUPS (DI), Z16; \
	VMOVUPS 64(DI), Z17; \
	PREFETCHT0 (DI)(R12*1); \
	PREFETCHT0 64(DI)(R12*1); \
	ADDQ R11, DI; \
	K8X32(aoff, Z18, Z0, Z1); \
	K8X32(aoff+4, Z19, Z2, Z3); \
	K8X32(aoff+8, Z20, Z4, Z5); \
	K8X32(aoff+12, Z21, Z6, Z7); \
	K8X32(aoff+16, Z22, Z8, Z9); \
	K8X32(aoff+20, Z23, Z10, Z11); \
	K8X32(aoff+24, Z24, Z12, Z13); \
	K8X32(aoff+28, Z25, Z14, Z15)

// Tile rows: C = alpha*acc + beta*C, or C = alpha*acc when beta == 0.
#define ROW512_BETA(z0, z1) VMULPS Z30, z0, z0; VMULPS Z30, z1, z1; VFMADD231PS (DX), Z31, z0; VFMADD231PS 64(DX), Z31, z1; VMOVUPS z0, (DX); VMOVUPS z1, 64(DX); ADDQ R8, DX
#define ROW512(z0, z1) VMULPS Z30, z0, z0; VMULPS Z30, z1, z1; VMOVUPS z0, (DX); VMOVUPS z1, 64(DX); ADDQ R8, DX

// func microAVX512(kc int, a *float32, b *float32, ldb int, c *float32, ldc int, alpha float32, beta float32)
TEXT ·microAVX512(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R11
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	SHLQ $2, R11
	LEAQ (R11*8), R12

	// Fetch the C tile while the k loop runs: its rows are ldc apart and
	// would otherwise miss at the end, once per call.
	MOVQ DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 64(R9)

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

loop512x4:
	CMPQ CX, $4
	JLT  loop512
	STEP512(0)
	STEP512(32)
	STEP512(64)
	STEP512(96)
	ADDQ $128, SI
	SUBQ $4, CX
	JMP  loop512x4

loop512:
	TESTQ CX, CX
	JZ    store512
	STEP512(0)
	ADDQ $32, SI
	DECQ CX
	JMP  loop512

store512:
	VBROADCASTSS alpha+48(FP), Z30
	MOVL         beta+52(FP), AX
	SHLL         $1, AX // drop the sign: -0 counts as 0
	JZ           nobeta512
	VBROADCASTSS beta+52(FP), Z31
	ROW512_BETA(Z0, Z1)
	ROW512_BETA(Z2, Z3)
	ROW512_BETA(Z4, Z5)
	ROW512_BETA(Z6, Z7)
	ROW512_BETA(Z8, Z9)
	ROW512_BETA(Z10, Z11)
	ROW512_BETA(Z12, Z13)
	ROW512_BETA(Z14, Z15)
	VZEROUPPER
	RET

nobeta512:
	ROW512(Z0, Z1)
	ROW512(Z2, Z3)
	ROW512(Z4, Z5)
	ROW512(Z6, Z7)
	ROW512(Z8, Z9)
	ROW512(Z10, Z11)
	ROW512(Z12, Z13)
	ROW512(Z14, Z15)
	VZEROUPPER
	RET

// One k step of the 6×16 AVX2 kernel.
#define K6X16(off, ya, y0, y1) VBROADCASTSS off(SI), ya; VFMADD231PS Y12, ya, y0; VFMADD231PS Y13, ya, y1

#define STEP256(aoff) \
	VMOVUPS (DI), Y12; \
	VMOVUPS 32(DI), Y13; \
	PREFETCHT0 (DI)(R12*1); \
	ADDQ R11, DI; \
	K6X16(aoff, Y14, Y0, Y1); \
	K6X16(aoff+4, Y15, Y2, Y3); \
	K6X16(aoff+8, Y14, Y4, Y5); \
	K6X16(aoff+12, Y15, Y6, Y7); \
	K6X16(aoff+16, Y14, Y8, Y9); \
	K6X16(aoff+20, Y15, Y10, Y11)

#define ROW256_BETA(y0, y1) VMULPS Y14, y0, y0; VMULPS Y14, y1, y1; VFMADD231PS (DX), Y15, y0; VFMADD231PS 32(DX), Y15, y1; VMOVUPS y0, (DX); VMOVUPS y1, 32(DX); ADDQ R8, DX
#define ROW256(y0, y1) VMULPS Y14, y0, y0; VMULPS Y14, y1, y1; VMOVUPS y0, (DX); VMOVUPS y1, 32(DX); ADDQ R8, DX

// func microAVX2(kc int, a *float32, b *float32, ldb int, c *float32, ldc int, alpha float32, beta float32)
TEXT ·microAVX2(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R11
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	SHLQ $2, R11
	LEAQ (R11*8), R12

	// Fetch the C tile while the k loop runs (see microAVX512).
	MOVQ DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

loop256x4:
	CMPQ CX, $4
	JLT  loop256
	STEP256(0)
	STEP256(24)
	STEP256(48)
	STEP256(72)
	ADDQ $96, SI
	SUBQ $4, CX
	JMP  loop256x4

loop256:
	TESTQ CX, CX
	JZ    store256
	STEP256(0)
	ADDQ $24, SI
	DECQ CX
	JMP  loop256

store256:
	VBROADCASTSS alpha+48(FP), Y14
	MOVL         beta+52(FP), AX
	SHLL         $1, AX // drop the sign: -0 counts as 0
	JZ           nobeta256
	VBROADCASTSS beta+52(FP), Y15
	ROW256_BETA(Y0, Y1)
	ROW256_BETA(Y2, Y3)
	ROW256_BETA(Y4, Y5)
	ROW256_BETA(Y6, Y7)
	ROW256_BETA(Y8, Y9)
	ROW256_BETA(Y10, Y11)
	VZEROUPPER
	RET

nobeta256:
	ROW256(Y0, Y1)
	ROW256(Y2, Y3)
	ROW256(Y4, Y5)
	ROW256(Y6, Y7)
	ROW256(Y8, Y9)
	ROW256(Y10, Y11)
	VZEROUPPER
	RET

