//go:build !purego

#include "textflag.h"

// func packA8AVX2(dst *float32, a *float32, lda int, kc int)
// Packs 8 rows of A (row i at a + i*lda, kc columns, kc a multiple of 8)
// into an 8-tall strip: dst[p*8+i] = a[i*lda+p]. Each 8×8 block is
// transposed in registers: unpack pairs of rows, shuffle pairs of pairs,
// then swap 128-bit halves.
TEXT ·packA8AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ kc+24(FP), CX
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9  // 3·lda bytes
	LEAQ (SI)(R8*4), R10 // row 4

loop:
	CMPQ CX, $8
	JLT  done
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5
	VMOVUPS (R10)(R8*2), Y6
	VMOVUPS (R10)(R9*1), Y7

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS   $0x44, Y10, Y8, Y0
	VSHUFPS   $0xEE, Y10, Y8, Y1
	VSHUFPS   $0x44, Y11, Y9, Y2
	VSHUFPS   $0xEE, Y11, Y9, Y3

	VUNPCKLPS Y5, Y4, Y8
	VUNPCKHPS Y5, Y4, Y9
	VUNPCKLPS Y7, Y6, Y10
	VUNPCKHPS Y7, Y6, Y11
	VSHUFPS   $0x44, Y10, Y8, Y4
	VSHUFPS   $0xEE, Y10, Y8, Y5
	VSHUFPS   $0x44, Y11, Y9, Y6
	VSHUFPS   $0xEE, Y11, Y9, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS    Y8, (DI)
	VMOVUPS    Y9, 32(DI)
	VMOVUPS    Y10, 64(DI)
	VMOVUPS    Y11, 96(DI)
	VMOVUPS    Y12, 128(DI)
	VMOVUPS    Y13, 160(DI)
	VMOVUPS    Y14, 192(DI)
	VMOVUPS    Y15, 224(DI)

	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $256, DI
	SUBQ $8, CX
	JMP  loop

done:
	VZEROUPPER
	RET

// func packBRow32AVX2(dst *float32, src *float32, strips int, stride int)
// Copies one row of B into strips packed strips: 32 floats of src per
// strip, to dst + s*stride floats. (A Go [32]float32 copy calls memmove.)
TEXT ·packBRow32AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ strips+16(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	TESTQ CX, CX
	JZ    done32

loop32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    R8, DI
	DECQ    CX
	JNZ     loop32

done32:
	VZEROUPPER
	RET

// func packBRow16AVX2(dst *float32, src *float32, strips int, stride int)
// As packBRow32AVX2 with 16 floats per strip.
TEXT ·packBRow16AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ strips+16(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	TESTQ CX, CX
	JZ    done16

loop16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    R8, DI
	DECQ    CX
	JNZ     loop16

done16:
	VZEROUPPER
	RET
