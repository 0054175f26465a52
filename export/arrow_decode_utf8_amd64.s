//go:build amd64 && !purego

#include "textflag.h"

// The tables and constants of the lookup algorithm of Keiser and Lemire,
// "Validating UTF-8 in less than one instruction per byte" (2021), as
// simdjson has it; each table is repeated in both 128-bit lanes for
// VPSHUFB. The error bits: 1 too short, 2 too long, 4 overlong 3-byte,
// 8 too large, 16 surrogate, 32 overlong 2-byte, 64 too large (1000____)
// or overlong 4-byte, 128 two continuations.

DATA u8byte1high<>+0(SB)/8, $0x0202020202020202
DATA u8byte1high<>+8(SB)/8, $0x4915012180808080
DATA u8byte1high<>+16(SB)/8, $0x0202020202020202
DATA u8byte1high<>+24(SB)/8, $0x4915012180808080
GLOBL u8byte1high<>(SB), RODATA|NOPTR, $32

DATA u8byte1low<>+0(SB)/8, $0xcbcbcb8b8383a3e7
DATA u8byte1low<>+8(SB)/8, $0xcbcbdbcbcbcbcbcb
DATA u8byte1low<>+16(SB)/8, $0xcbcbcb8b8383a3e7
DATA u8byte1low<>+24(SB)/8, $0xcbcbdbcbcbcbcbcb
GLOBL u8byte1low<>(SB), RODATA|NOPTR, $32

DATA u8byte2high<>+0(SB)/8, $0x0101010101010101
DATA u8byte2high<>+8(SB)/8, $0x01010101babaaee6
DATA u8byte2high<>+16(SB)/8, $0x0101010101010101
DATA u8byte2high<>+24(SB)/8, $0x01010101babaaee6
GLOBL u8byte2high<>(SB), RODATA|NOPTR, $32

DATA u8nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA u8nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA u8nibble<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA u8nibble<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL u8nibble<>(SB), RODATA|NOPTR, $32

DATA u8third<>+0(SB)/8, $0x6060606060606060
DATA u8third<>+8(SB)/8, $0x6060606060606060
DATA u8third<>+16(SB)/8, $0x6060606060606060
DATA u8third<>+24(SB)/8, $0x6060606060606060
GLOBL u8third<>(SB), RODATA|NOPTR, $32

DATA u8fourth<>+0(SB)/8, $0x7070707070707070
DATA u8fourth<>+8(SB)/8, $0x7070707070707070
DATA u8fourth<>+16(SB)/8, $0x7070707070707070
DATA u8fourth<>+24(SB)/8, $0x7070707070707070
GLOBL u8fourth<>(SB), RODATA|NOPTR, $32

DATA u8high<>+0(SB)/8, $0x8080808080808080
DATA u8high<>+8(SB)/8, $0x8080808080808080
DATA u8high<>+16(SB)/8, $0x8080808080808080
DATA u8high<>+24(SB)/8, $0x8080808080808080
GLOBL u8high<>(SB), RODATA|NOPTR, $32

// CHECK ORs into Y15 the errors of block Y0, which follows block Y1, and
// moves Y0 into Y1. It uses Y2-Y7.
#define CHECK \
	VPERM2I128 $0x21, Y0, Y1, Y2; \
	VPALIGNR $15, Y2, Y0, Y3; \
	VPALIGNR $14, Y2, Y0, Y4; \
	VPALIGNR $13, Y2, Y0, Y5; \
	VPSRLW $4, Y3, Y6; \
	VPAND Y11, Y6, Y6; \
	VPSHUFB Y6, Y8, Y6; \
	VPAND Y11, Y3, Y7; \
	VPSHUFB Y7, Y9, Y7; \
	VPAND Y7, Y6, Y6; \
	VPSRLW $4, Y0, Y7; \
	VPAND Y11, Y7, Y7; \
	VPSHUFB Y7, Y10, Y7; \
	VPAND Y7, Y6, Y6; \
	VPSUBUSB Y12, Y4, Y4; \
	VPSUBUSB Y13, Y5, Y5; \
	VPOR Y5, Y4, Y4; \
	VPAND Y14, Y4, Y4; \
	VPXOR Y4, Y6, Y6; \
	VPOR Y6, Y15, Y15; \
	VMOVDQA Y0, Y1

// func utf8BlocksAVX2(p *byte, blocks int, tail *[32]byte) bool
//
// Y0 the block, Y1 the block before it (zero at first), Y15 the errors
// found so far; Y8-Y14 the tables and constants.
TEXT ·utf8BlocksAVX2(SB), NOSPLIT, $0-25
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	VMOVDQU u8byte1high<>(SB), Y8
	VMOVDQU u8byte1low<>(SB), Y9
	VMOVDQU u8byte2high<>(SB), Y10
	VMOVDQU u8nibble<>(SB), Y11
	VMOVDQU u8third<>(SB), Y12
	VMOVDQU u8fourth<>(SB), Y13
	VMOVDQU u8high<>(SB), Y14
	VPXOR Y1, Y1, Y1
	VPXOR Y15, Y15, Y15

loop:
	TESTQ CX, CX
	JZ tail
	VMOVDQU (SI), Y0
	CHECK
	ADDQ $32, SI
	DECQ CX
	JMP loop

tail:
	// The last bytes, padded with zeros: a sequence that the input cuts
	// short is followed by a zero, which no sequence continues with.
	MOVQ tail+16(FP), SI
	VMOVDQU (SI), Y0
	CHECK
	VPTEST Y15, Y15
	SETEQ ret+24(FP)
	VZEROUPPER
	RET

