//go:build linux

#include "textflag.h"

// func jitCall(prologue, entry uintptr, st unsafe.Pointer)
TEXT ·jitCall(SB), NOSPLIT, $16-24
	MOVQ R14, 0(SP)
	MOVQ R15, 8(SP)
	MOVQ prologue+0(FP), AX
	MOVQ entry+8(FP), R11
	MOVQ st+16(FP), R12
	CALL AX
	MOVQ 0(SP), R14
	MOVQ 8(SP), R15
	RET
