//go:build linux

#include "go_asm.h"
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

// func jitRun(fresh uintptr, st unsafe.Pointer, mem []byte) (r0, ev uint64)
//
// jitRun starts a direct run (see Runner.Run): it sets the run's input
// memory (address 0 when mem is empty, as addrOf), calls the fresh
// prologue with st in r12 and returns r0 and the event.
TEXT ·jitRun(SB), NOSPLIT, $16-56
	MOVQ R14, 0(SP)
	MOVQ R15, 8(SP)
	MOVQ st+8(FP), R12
	MOVQ mem_base+16(FP), AX
	MOVQ mem_len+24(FP), BX
	TESTQ BX, BX
	JNZ nonempty
	XORQ AX, AX
nonempty:
	MOVQ AX, runState_memLo(R12)
	MOVQ BX, runState_memN(R12)
	MOVQ fresh+0(FP), AX
	CALL AX
	MOVQ runState_regs(R12), AX
	MOVQ AX, r0+40(FP)
	MOVQ runState_jev(R12), AX
	MOVQ AX, ev+48(FP)
	MOVQ 0(SP), R14
	MOVQ 8(SP), R15
	RET
