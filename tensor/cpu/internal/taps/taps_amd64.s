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

// func shiftedMaxAVX2(dst, src *float32, off *int, taps, n int)
//
// As shiftedAVX2 with VMAXPS in place of the multiply-add, starting from the first tap.
TEXT ·shiftedMaxAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ off+16(FP), R8
	MOVQ taps+24(FP), R10
	MOVQ n+32(FP), CX
	XORQ AX, AX

mblock32:
	MOVQ    CX, DX
	SUBQ    AX, DX
	CMPQ    DX, $32
	JLT     mblock8
	MOVQ    (R8), DX
	ADDQ    AX, DX
	LEAQ    (SI)(DX*4), DX
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 64(DX), Y2
	VMOVUPS 96(DX), Y3
	MOVQ    $1, BX

mtap32:
	CMPQ   BX, R10
	JGE    mstore32
	MOVQ   (R8)(BX*8), DX
	ADDQ   AX, DX
	LEAQ   (SI)(DX*4), DX
	VMAXPS (DX), Y0, Y0
	VMAXPS 32(DX), Y1, Y1
	VMAXPS 64(DX), Y2, Y2
	VMAXPS 96(DX), Y3, Y3
	INCQ   BX
	JMP    mtap32

mstore32:
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     mblock32

mblock8:
	CMPQ    AX, CX
	JGE     mdone
	MOVQ    (R8), DX
	ADDQ    AX, DX
	VMOVUPS (SI)(DX*4), Y0
	MOVQ    $1, BX

mtap8:
	CMPQ   BX, R10
	JGE    mstore8
	MOVQ   (R8)(BX*8), DX
	ADDQ   AX, DX
	VMAXPS (SI)(DX*4), Y0, Y0
	INCQ   BX
	JMP    mtap8

mstore8:
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     mblock8

mdone:
	VZEROUPPER
	RET

// func shiftedArgmaxAVX2(idx *int32, src *float32, off *int, taps, n int)
//
// Two blocks of 8 outputs at a time keep the running maximum (Y0, Y4) and the tap that
// gave it (Y1, Y5); a later tap replaces them only where it is strictly greater
// (VCMPPS greater-than, ordered: NaN never wins), so ties keep the first tap.
TEXT ·shiftedArgmaxAVX2(SB), NOSPLIT, $0-40
	MOVQ idx+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ off+16(FP), R8
	MOVQ taps+24(FP), R10
	MOVQ n+32(FP), CX
	XORQ AX, AX

ablock16:
	MOVQ    CX, DX
	SUBQ    AX, DX
	CMPQ    DX, $16
	JLT     ablock8
	MOVQ    (R8), DX
	ADDQ    AX, DX
	LEAQ    (SI)(DX*4), DX
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y4
	VPXOR   Y1, Y1, Y1
	VPXOR   Y5, Y5, Y5
	MOVQ    $1, BX

atap16:
	CMPQ         BX, R10
	JGE          astore16
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	LEAQ         (SI)(DX*4), DX
	MOVL         BX, X8
	VPBROADCASTD X8, Y8
	VMOVUPS      (DX), Y2
	VMOVUPS      32(DX), Y6
	VCMPPS       $0x1e, Y0, Y2, Y3
	VCMPPS       $0x1e, Y4, Y6, Y7
	VBLENDVPS    Y3, Y2, Y0, Y0
	VBLENDVPS    Y3, Y8, Y1, Y1
	VBLENDVPS    Y7, Y6, Y4, Y4
	VBLENDVPS    Y7, Y8, Y5, Y5
	INCQ         BX
	JMP          atap16

astore16:
	VMOVDQU Y1, (DI)(AX*4)
	VMOVDQU Y5, 32(DI)(AX*4)
	ADDQ    $16, AX
	JMP     ablock16

ablock8:
	CMPQ    AX, CX
	JGE     adone
	MOVQ    (R8), DX
	ADDQ    AX, DX
	VMOVUPS (SI)(DX*4), Y0
	VPXOR   Y1, Y1, Y1
	MOVQ    $1, BX

atap8:
	CMPQ         BX, R10
	JGE          astore8
	MOVQ         (R8)(BX*8), DX
	ADDQ         AX, DX
	MOVL         BX, X8
	VPBROADCASTD X8, Y8
	VMOVUPS      (SI)(DX*4), Y2
	VCMPPS       $0x1e, Y0, Y2, Y3
	VBLENDVPS    Y3, Y2, Y0, Y0
	VBLENDVPS    Y3, Y8, Y1, Y1
	INCQ         BX
	JMP          atap8

astore8:
	VMOVDQU Y1, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     ablock8

adone:
	VZEROUPPER
	RET

// func dots4AVX2(out *float32, a, src *float32, off *int, n int)
//
// out[t] = Σ_{i<n} a[i]*src[off[t]+i] for the four taps t, n a positive multiple of 16:
// each block of a is loaded once for four taps; two blocks of 8 per step give eight
// independent accumulators. The sums are reduced with horizontal adds at the end.
TEXT ·dots4AVX2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ src+16(FP), DX
	MOVQ off+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ (R8), R10
	LEAQ (DX)(R10*4), R10
	MOVQ 8(R8), R11
	LEAQ (DX)(R11*4), R11
	MOVQ 16(R8), R12
	LEAQ (DX)(R12*4), R12
	MOVQ 24(R8), R13
	LEAQ (DX)(R13*4), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX

dloop:
	VMOVUPS     (SI)(AX*4), Y8
	VMOVUPS     32(SI)(AX*4), Y9
	VFMADD231PS (R10)(AX*4), Y8, Y0
	VFMADD231PS 32(R10)(AX*4), Y9, Y4
	VFMADD231PS (R11)(AX*4), Y8, Y1
	VFMADD231PS 32(R11)(AX*4), Y9, Y5
	VFMADD231PS (R12)(AX*4), Y8, Y2
	VFMADD231PS 32(R12)(AX*4), Y9, Y6
	VFMADD231PS (R13)(AX*4), Y8, Y3
	VFMADD231PS 32(R13)(AX*4), Y9, Y7
	ADDQ        $16, AX
	CMPQ        AX, CX
	JLT         dloop

	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y10
	VHADDPS      Y3, Y2, Y11
	VHADDPS      Y11, Y10, Y12
	VEXTRACTF128 $1, Y12, X13
	VADDPS       X13, X12, X12
	VMOVUPS      X12, (DI)
	VZEROUPPER
	RET
