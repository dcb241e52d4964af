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

// func deinterleaveAVX2(even, odd, src *float32, n int)
//
// Per 16 inputs a0..a15 in Y0 (a0..a7) and Y1 (a8..a15): VSHUFPS picks, in each 128-bit
// lane, elements 0 and 2 (0x88) or 1 and 3 (0xDD) of Y0 then of Y1, giving
// a0 a2 a8 a10 | a4 a6 a12 a14; VPERMPD 0xD8 swaps the middle 64-bit pairs into
// a0 a2 a4 a6 a8 a10 a12 a14.
TEXT ·deinterleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $4, CX

deint16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ    $64, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     deint16
	VZEROUPPER
	RET

// func interleaveAVX2(dst, even, odd *float32, n int)
//
// Per 8 evens e0..e7 (Y0) and 8 odds o0..o7 (Y1): VUNPCKLPS/VUNPCKHPS give
// e0 o0 e1 o1 | e4 o4 e5 o5 and e2 o2 e3 o3 | e6 o6 e7 o7; VPERM2F128 joins the low
// lanes (0x20) and the high lanes (0x31).
TEXT ·interleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ even+8(FP), SI
	MOVQ odd+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX

int16:
	VMOVUPS    (SI), Y0
	VMOVUPS    (DX), Y1
	VUNPCKLPS  Y1, Y0, Y2
	VUNPCKHPS  Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, 32(DI)
	ADDQ       $64, DI
	ADDQ       $32, SI
	ADDQ       $32, DX
	DECQ       CX
	JNZ        int16
	VZEROUPPER
	RET

// func deinterleaveRowsAVX2(even, odd, src *float32, w, rows, srcStride, dstStride int)
//
// Each row as deinterleaveAVX2, 16 inputs at a time, then (w%16 == 8) one block of 8 in
// XMM registers, where VSHUFPS alone gives a0 a2 a4 a6 and a1 a3 a5 a7.
TEXT ·deinterleaveRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ w+24(FP), R8
	MOVQ rows+32(FP), R9
	MOVQ srcStride+40(FP), R10
	MOVQ dstStride+48(FP), R11
	SHLQ $2, R10
	SHLQ $2, R11

drow:
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ DX, R14
	MOVQ R8, CX

d16:
	CMPQ    CX, $16
	JLT     d8
	VMOVUPS (R12), Y0
	VMOVUPS 32(R12), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (R13)
	VMOVUPS Y3, (R14)
	ADDQ    $64, R12
	ADDQ    $32, R13
	ADDQ    $32, R14
	SUBQ    $16, CX
	JMP     d16

d8:
	TESTQ   CX, CX
	JZ      dnext
	VMOVUPS (R12), X0
	VMOVUPS 16(R12), X1
	VSHUFPS $0x88, X1, X0, X2
	VSHUFPS $0xDD, X1, X0, X3
	VMOVUPS X2, (R13)
	VMOVUPS X3, (R14)

dnext:
	ADDQ R10, SI
	ADDQ R11, DI
	ADDQ R11, DX
	DECQ R9
	JNZ  drow
	VZEROUPPER
	RET

// func interleaveRowsAVX2(dst, even, odd *float32, w, rows, dstStride, srcStride int)
//
// Each row as interleaveAVX2, 16 outputs at a time, then (w%16 == 8) one block of 8 in
// XMM registers: VUNPCKLPS/VUNPCKHPS give e0 o0 e1 o1 and e2 o2 e3 o3.
TEXT ·interleaveRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ even+8(FP), SI
	MOVQ odd+16(FP), DX
	MOVQ w+24(FP), R8
	MOVQ rows+32(FP), R9
	MOVQ dstStride+40(FP), R10
	MOVQ srcStride+48(FP), R11
	SHLQ $2, R10
	SHLQ $2, R11

irow:
	MOVQ DI, R12
	MOVQ SI, R13
	MOVQ DX, R14
	MOVQ R8, CX

i16:
	CMPQ       CX, $16
	JLT        i8
	VMOVUPS    (R13), Y0
	VMOVUPS    (R14), Y1
	VUNPCKLPS  Y1, Y0, Y2
	VUNPCKHPS  Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPS    Y4, (R12)
	VMOVUPS    Y5, 32(R12)
	ADDQ       $64, R12
	ADDQ       $32, R13
	ADDQ       $32, R14
	SUBQ       $16, CX
	JMP        i16

i8:
	TESTQ     CX, CX
	JZ        inext
	VMOVUPS   (R13), X0
	VMOVUPS   (R14), X1
	VUNPCKLPS X1, X0, X2
	VUNPCKHPS X1, X0, X3
	VMOVUPS   X2, (R12)
	VMOVUPS   X3, 16(R12)

inext:
	ADDQ R10, DI
	ADDQ R11, SI
	ADDQ R11, DX
	DECQ R9
	JNZ  irow
	VZEROUPPER
	RET

// func scatterArgmaxAVX2(dst *float32, idx *int32, dy *float32, t, n int)
//
// Per 8 outputs: mask = (idx == t), dst[i] += dy & mask, in order.
TEXT ·scatterArgmaxAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         idx+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         t+24(FP), BX
	MOVQ         n+32(FP), R11
	MOVL         BX, X7
	VPBROADCASTD X7, Y7
	XORQ         AX, AX

sblock:
	VMOVDQU  (SI)(AX*4), Y0
	VPCMPEQD Y7, Y0, Y0
	VANDPS   (DX)(AX*4), Y0, Y0
	VADDPS   (DI)(AX*4), Y0, Y0
	VMOVUPS  Y0, (DI)(AX*4)
	ADDQ     $8, AX
	CMPQ     AX, R11
	JLT      sblock
	VZEROUPPER
	RET

// func padRowsAVX2(dst, src *float32, w, rows, dstStride, srcStride int, v float32)
//
// Per row: w elements copied 8 at a time, then one by one; then dstStride-w copies of v
// (in X0), one by one (the gaps are a few padding columns).
TEXT ·padRowsAVX2(SB), NOSPLIT, $0-52
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  w+16(FP), R8
	MOVQ  rows+24(FP), R9
	MOVQ  dstStride+32(FP), R10
	MOVQ  srcStride+40(FP), R11
	MOVSS v+48(FP), X0
	MOVQ  R10, R12
	SUBQ  R8, R12
	SHLQ  $2, R10
	SHLQ  $2, R11

prow:
	XORQ AX, AX
	MOVQ R8, CX
	SUBQ $8, CX

p8:
	CMPQ    AX, CX
	JG      p1
	VMOVUPS (SI)(AX*4), Y1
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     p8

p1:
	CMPQ  AX, R8
	JGE   pgap
	MOVSS (SI)(AX*4), X1
	MOVSS X1, (DI)(AX*4)
	INCQ  AX
	JMP   p1

pgap:
	LEAQ (DI)(R8*4), DX
	XORQ BX, BX

pg1:
	CMPQ  BX, R12
	JGE   pnext
	MOVSS X0, (DX)(BX*4)
	INCQ  BX
	JMP   pg1

pnext:
	ADDQ R10, DI
	ADDQ R11, SI
	DECQ R9
	JNZ  prow
	VZEROUPPER
	RET
