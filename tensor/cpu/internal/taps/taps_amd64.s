//go:build !purego

#include "textflag.h"

// func shiftedAVX2(dst, src *float32, off *int, w *float32, taps, n int)
//
// For each block of 64 outputs (then of 8), eight (one) YMM accumulators start at zero
// and take one fused multiply-add per tap from src at that tap's offset; the block is
// stored once. Eight independent accumulators cover the FMA latency (4 cycles, 2 per
// cycle on Zen 4 and recent Intel cores).
TEXT ·shiftedAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ off+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ taps+32(FP), R10
	MOVQ n+40(FP), CX
	XORQ AX, AX

block64:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $64
	JLT  block8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	XORQ   BX, BX

tap64:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	LEAQ         (SI)(DX*4), DX
	VBROADCASTSS (R9)(BX*4), Y4
	VFMADD231PS  (DX), Y4, Y0
	VFMADD231PS  32(DX), Y4, Y1
	VFMADD231PS  64(DX), Y4, Y2
	VFMADD231PS  96(DX), Y4, Y3
	VFMADD231PS  128(DX), Y4, Y5
	VFMADD231PS  160(DX), Y4, Y6
	VFMADD231PS  192(DX), Y4, Y7
	VFMADD231PS  224(DX), Y4, Y8
	INCQ         BX
	CMPQ         BX, R10
	JLT          tap64
	VMOVUPS      Y0, (DI)(AX*4)
	VMOVUPS      Y1, 32(DI)(AX*4)
	VMOVUPS      Y2, 64(DI)(AX*4)
	VMOVUPS      Y3, 96(DI)(AX*4)
	VMOVUPS      Y5, 128(DI)(AX*4)
	VMOVUPS      Y6, 160(DI)(AX*4)
	VMOVUPS      Y7, 192(DI)(AX*4)
	VMOVUPS      Y8, 224(DI)(AX*4)
	ADDQ         $64, AX
	JMP          block64

block8:
	CMPQ   AX, CX
	JGE    done
	VXORPS Y0, Y0, Y0
	XORQ   BX, BX

tap8:
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	VBROADCASTSS (R9)(BX*4), Y4
	VFMADD231PS  (SI)(DX*4), Y4, Y0
	INCQ         BX
	CMPQ         BX, R10
	JLT          tap8
	VMOVUPS      Y0, (DI)(AX*4)
	ADDQ         $8, AX
	JMP          block8

done:
	VZEROUPPER
	RET

// func weightedAVX2(dst *float32, xs **float32, w *float32, k, n int)
//
// As shiftedAVX2, with input k at its own address xs[k] instead of an offset into src.
TEXT ·weightedAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ xs+8(FP), R8
	MOVQ w+16(FP), R9
	MOVQ k+24(FP), R10
	MOVQ n+32(FP), CX
	XORQ AX, AX

wblock64:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $64
	JLT  wblock8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	XORQ   BX, BX

wtap64:
	MOVQ         (R8)(BX*8), DX
	LEAQ         (DX)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y4
	VFMADD231PS  (DX), Y4, Y0
	VFMADD231PS  32(DX), Y4, Y1
	VFMADD231PS  64(DX), Y4, Y2
	VFMADD231PS  96(DX), Y4, Y3
	VFMADD231PS  128(DX), Y4, Y5
	VFMADD231PS  160(DX), Y4, Y6
	VFMADD231PS  192(DX), Y4, Y7
	VFMADD231PS  224(DX), Y4, Y8
	INCQ         BX
	CMPQ         BX, R10
	JLT          wtap64
	VMOVUPS      Y0, (DI)(AX*4)
	VMOVUPS      Y1, 32(DI)(AX*4)
	VMOVUPS      Y2, 64(DI)(AX*4)
	VMOVUPS      Y3, 96(DI)(AX*4)
	VMOVUPS      Y5, 128(DI)(AX*4)
	VMOVUPS      Y6, 160(DI)(AX*4)
	VMOVUPS      Y7, 192(DI)(AX*4)
	VMOVUPS      Y8, 224(DI)(AX*4)
	ADDQ         $64, AX
	JMP          wblock64

wblock8:
	CMPQ   AX, CX
	JGE    wdone
	VXORPS Y0, Y0, Y0
	XORQ   BX, BX

wtap8:
	MOVQ         (R8)(BX*8), DX
	VBROADCASTSS (R9)(BX*4), Y4
	VFMADD231PS  (DX)(AX*4), Y4, Y0
	INCQ         BX
	CMPQ         BX, R10
	JLT          wtap8
	VMOVUPS      Y0, (DI)(AX*4)
	ADDQ         $8, AX
	JMP          wblock8

wdone:
	VZEROUPPER
	RET
