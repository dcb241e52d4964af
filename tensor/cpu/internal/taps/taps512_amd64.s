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
