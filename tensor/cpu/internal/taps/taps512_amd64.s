//go:build !purego

#include "textflag.h"

// AVX-512 twins of shiftedAVX2 and weightedAVX2: blocks of 128 outputs in eight ZMM
// accumulators, then at most one block of 64 (four) and one of 32 (two), so that short
// planes still have independent multiply-add chains, then blocks of 16. The multiply-adds per output are those of the AVX2
// kernels in the same order, so the results are bit-identical to them.

// func shiftedAVX512(dst, src *float32, off *int, w *float32, taps, n int)
TEXT ·shiftedAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ off+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ taps+32(FP), R10
	MOVQ n+40(FP), CX
	XORQ AX, AX

zblock128:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $128
	JLT    zblock64
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	VXORPS Z8, Z8, Z8
	XORQ   BX, BX

ztap128:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	LEAQ         (SI)(DX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  (DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	VFMADD231PS  128(DX), Z4, Z2
	VFMADD231PS  192(DX), Z4, Z3
	VFMADD231PS  256(DX), Z4, Z5
	VFMADD231PS  320(DX), Z4, Z6
	VFMADD231PS  384(DX), Z4, Z7
	VFMADD231PS  448(DX), Z4, Z8
	INCQ         BX
	CMPQ         BX, R10
	JLT          ztap128
	VMOVUPS      Z0, (DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	VMOVUPS      Z2, 128(DI)(AX*4)
	VMOVUPS      Z3, 192(DI)(AX*4)
	VMOVUPS      Z5, 256(DI)(AX*4)
	VMOVUPS      Z6, 320(DI)(AX*4)
	VMOVUPS      Z7, 384(DI)(AX*4)
	VMOVUPS      Z8, 448(DI)(AX*4)
	ADDQ         $128, AX
	JMP          zblock128

zblock64:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $64
	JLT    zblock32
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	XORQ   BX, BX

ztap64:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	LEAQ         (SI)(DX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  0(DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	VFMADD231PS  128(DX), Z4, Z2
	VFMADD231PS  192(DX), Z4, Z3
	INCQ         BX
	CMPQ         BX, R10
	JLT          ztap64
	VMOVUPS      Z0, 0(DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	VMOVUPS      Z2, 128(DI)(AX*4)
	VMOVUPS      Z3, 192(DI)(AX*4)
	ADDQ         $64, AX

zblock32:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $32
	JLT    zblock16
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	XORQ   BX, BX

ztap32:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	LEAQ         (SI)(DX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  0(DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	INCQ         BX
	CMPQ         BX, R10
	JLT          ztap32
	VMOVUPS      Z0, 0(DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	ADDQ         $32, AX

zblock16:
	CMPQ   AX, CX
	JGE    zdone
	VXORPS Z0, Z0, Z0
	XORQ   BX, BX

ztap16:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  (SI)(DX*4), Z4, Z0
	INCQ         BX
	CMPQ         BX, R10
	JLT          ztap16
	VMOVUPS      Z0, (DI)(AX*4)
	ADDQ         $16, AX
	JMP          zblock16

zdone:
	VZEROUPPER
	RET

// func weightedAVX512(dst *float32, xs **float32, w *float32, k, n int)
TEXT ·weightedAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ xs+8(FP), R8
	MOVQ w+16(FP), R9
	MOVQ k+24(FP), R10
	MOVQ n+32(FP), CX
	XORQ AX, AX

zwblock128:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $128
	JLT    zwblock64
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	VXORPS Z8, Z8, Z8
	XORQ   BX, BX

zwtap128:
	MOVQ         (R8)(BX*8), DX
	LEAQ         (DX)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  (DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	VFMADD231PS  128(DX), Z4, Z2
	VFMADD231PS  192(DX), Z4, Z3
	VFMADD231PS  256(DX), Z4, Z5
	VFMADD231PS  320(DX), Z4, Z6
	VFMADD231PS  384(DX), Z4, Z7
	VFMADD231PS  448(DX), Z4, Z8
	INCQ         BX
	CMPQ         BX, R10
	JLT          zwtap128
	VMOVUPS      Z0, (DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	VMOVUPS      Z2, 128(DI)(AX*4)
	VMOVUPS      Z3, 192(DI)(AX*4)
	VMOVUPS      Z5, 256(DI)(AX*4)
	VMOVUPS      Z6, 320(DI)(AX*4)
	VMOVUPS      Z7, 384(DI)(AX*4)
	VMOVUPS      Z8, 448(DI)(AX*4)
	ADDQ         $128, AX
	JMP          zwblock128

zwblock64:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $64
	JLT    zwblock32
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	XORQ   BX, BX

zwtap64:
	MOVQ         (R8)(BX*8), DX
	LEAQ         (DX)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  0(DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	VFMADD231PS  128(DX), Z4, Z2
	VFMADD231PS  192(DX), Z4, Z3
	INCQ         BX
	CMPQ         BX, R10
	JLT          zwtap64
	VMOVUPS      Z0, 0(DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	VMOVUPS      Z2, 128(DI)(AX*4)
	VMOVUPS      Z3, 192(DI)(AX*4)
	ADDQ         $64, AX

zwblock32:
	MOVQ   CX, DX
	SUBQ   AX, DX
	CMPQ   DX, $32
	JLT    zwblock16
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	XORQ   BX, BX

zwtap32:
	MOVQ         (R8)(BX*8), DX
	LEAQ         (DX)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  0(DX), Z4, Z0
	VFMADD231PS  64(DX), Z4, Z1
	INCQ         BX
	CMPQ         BX, R10
	JLT          zwtap32
	VMOVUPS      Z0, 0(DI)(AX*4)
	VMOVUPS      Z1, 64(DI)(AX*4)
	ADDQ         $32, AX

zwblock16:
	CMPQ   AX, CX
	JGE    zwdone
	VXORPS Z0, Z0, Z0
	XORQ   BX, BX

zwtap16:
	MOVQ         (R8)(BX*8), DX
	VBROADCASTSS (R9)(BX*4), Z4
	VFMADD231PS  (DX)(AX*4), Z4, Z0
	INCQ         BX
	CMPQ         BX, R10
	JLT          zwtap16
	VMOVUPS      Z0, (DI)(AX*4)
	ADDQ         $16, AX
	JMP          zwblock16

zwdone:
	VZEROUPPER
	RET

// func dots4AVX512(out *float32, a, src *float32, off *int, n int)
//
// dots4AVX2 in ZMM registers: n a positive multiple of 32, two blocks of 16 per step,
// eight accumulators; each folded to YMM, then reduced as dots4AVX2 does.
TEXT ·dots4AVX512(SB), NOSPLIT, $0-40
	MOVQ   out+0(FP), DI
	MOVQ   a+8(FP), SI
	MOVQ   src+16(FP), DX
	MOVQ   off+24(FP), R8
	MOVQ   n+32(FP), CX
	MOVQ   (R8), R10
	LEAQ   (DX)(R10*4), R10
	MOVQ   8(R8), R11
	LEAQ   (DX)(R11*4), R11
	MOVQ   16(R8), R12
	LEAQ   (DX)(R12*4), R12
	MOVQ   24(R8), R13
	LEAQ   (DX)(R13*4), R13
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	XORQ   AX, AX

zdloop:
	VMOVUPS     (SI)(AX*4), Z8
	VMOVUPS     64(SI)(AX*4), Z9
	VFMADD231PS (R10)(AX*4), Z8, Z0
	VFMADD231PS 64(R10)(AX*4), Z9, Z4
	VFMADD231PS (R11)(AX*4), Z8, Z1
	VFMADD231PS 64(R11)(AX*4), Z9, Z5
	VFMADD231PS (R12)(AX*4), Z8, Z2
	VFMADD231PS 64(R12)(AX*4), Z9, Z6
	VFMADD231PS (R13)(AX*4), Z8, Z3
	VFMADD231PS 64(R13)(AX*4), Z9, Z7
	ADDQ        $32, AX
	CMPQ        AX, CX
	JLT         zdloop

	VADDPS        Z4, Z0, Z0
	VADDPS        Z5, Z1, Z1
	VADDPS        Z6, Z2, Z2
	VADDPS        Z7, Z3, Z3
	VEXTRACTF32X8 $1, Z0, Y4
	VEXTRACTF32X8 $1, Z1, Y5
	VEXTRACTF32X8 $1, Z2, Y6
	VEXTRACTF32X8 $1, Z3, Y7
	VADDPS        Y4, Y0, Y0
	VADDPS        Y5, Y1, Y1
	VADDPS        Y6, Y2, Y2
	VADDPS        Y7, Y3, Y3
	VHADDPS       Y1, Y0, Y10
	VHADDPS       Y3, Y2, Y11
	VHADDPS       Y11, Y10, Y12
	VEXTRACTF128  $1, Y12, X13
	VADDPS        X13, X12, X12
	VMOVUPS       X12, (DI)
	VZEROUPPER
	RET
