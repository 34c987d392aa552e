//go:build linux

#include "go_asm.h"
#include "textflag.h"

// The compiled code uses every general register. In ABI0, which these
// functions have, all of them are the caller's to save except SP and
// BP: the frame (8 bytes, unused) makes the assembler save and restore
// BP, and the caller restores R14 (g) and X15 itself after an ABI0 call.

// func jitCall(prologue, entry uintptr, st unsafe.Pointer)
TEXT ·jitCall(SB), NOSPLIT, $8-24
	MOVQ prologue+0(FP), AX
	MOVQ entry+8(FP), R11
	MOVQ st+16(FP), R12
	CALL AX
	RET

// func jitRun(fresh uintptr, st unsafe.Pointer, mem []byte) (r0, ev uint64)
//
// jitRun starts a direct run (see Runner.Run): it sets the run's input
// memory (address 0 when mem is empty, as addrOf), calls the fresh
// prologue with st in r12 and returns r0 and the event.
TEXT ·jitRun(SB), NOSPLIT, $8-56
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
	RET
