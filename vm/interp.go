package vm

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/gbpf/gbpf/maps"
)

// Events that end the inner loop, for exec to handle outside it.
const (
	evExit      = iota // exit from the entry frame
	evCall             // helper call by the instruction before pc
	evSlow             // memory access by the instruction before pc that needs the full check
	evCallDepth        // local call by the instruction before pc would exceed MaxFrames
	evFellOff          // execution reached the sentinel after the last instruction
	evExhausted        // the stretch starting at pc does not fit in the budget left

	evNone = -1 // no event yet: resume runs the code first
)

// loop is the interpreter's hot loop. It runs from pc with left budget
// until an event, and returns where it stopped, the budget left and the
// event. It calls no function, so that the Go compiler keeps its state in
// machine registers; everything that needs a call (helpers, helper-added
// regions, atomics, errors) is an event handled by exec.
func (p *Program) loop(st *runState, pc int, left uint64) (int, uint64, int) {
	code := p.code
	regs := &st.regs
	for {
		ins := &code[pc]
		pc++
		switch ins.op {
		case opNop:
			continue
		// 64-bit arithmetic.
		case opAdd64X:
			regs[ins.dst&15] += regs[ins.src&15]
			continue
		case opAdd64K:
			regs[ins.dst&15] += uint64(ins.imm)
			continue
		case opSub64X:
			regs[ins.dst&15] -= regs[ins.src&15]
			continue
		case opSub64K:
			regs[ins.dst&15] -= uint64(ins.imm)
			continue
		case opMul64X:
			regs[ins.dst&15] *= regs[ins.src&15]
			continue
		case opMul64K:
			regs[ins.dst&15] *= uint64(ins.imm)
			continue
		case opDiv64X:
			if s := regs[ins.src&15]; s != 0 {
				regs[ins.dst&15] /= s
			} else {
				regs[ins.dst&15] = 0
			}
			continue
		case opDiv64K:
			regs[ins.dst&15] /= uint64(ins.imm)
			continue
		case opSdiv64X:
			if s := int64(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) / s)
			} else {
				regs[ins.dst&15] = 0
			}
			continue
		case opSdiv64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) / int64(ins.imm))
			continue
		case opMod64X:
			if s := regs[ins.src&15]; s != 0 {
				regs[ins.dst&15] %= s
			}
			continue
		case opMod64K:
			regs[ins.dst&15] %= uint64(ins.imm)
			continue
		case opSmod64X:
			if s := int64(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) % s)
			}
			continue
		case opSmod64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) % int64(ins.imm))
			continue
		case opOr64X:
			regs[ins.dst&15] |= regs[ins.src&15]
			continue
		case opOr64K:
			regs[ins.dst&15] |= uint64(ins.imm)
			continue
		case opAnd64X:
			regs[ins.dst&15] &= regs[ins.src&15]
			continue
		case opAnd64K:
			regs[ins.dst&15] &= uint64(ins.imm)
			continue
		case opXor64X:
			regs[ins.dst&15] ^= regs[ins.src&15]
			continue
		case opXor64K:
			regs[ins.dst&15] ^= uint64(ins.imm)
			continue
		case opLsh64X:
			regs[ins.dst&15] <<= regs[ins.src&15] & 63
			continue
		case opLsh64K:
			regs[ins.dst&15] <<= uint64(ins.imm)
			continue
		case opRsh64X:
			regs[ins.dst&15] >>= regs[ins.src&15] & 63
			continue
		case opRsh64K:
			regs[ins.dst&15] >>= uint64(ins.imm)
			continue
		case opArsh64X:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) >> (regs[ins.src&15] & 63))
			continue
		case opArsh64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) >> uint64(ins.imm))
			continue
		case opMov64X:
			regs[ins.dst&15] = regs[ins.src&15]
			continue
		case opMov64K:
			regs[ins.dst&15] = uint64(ins.imm)
			continue
		case opMovsx64B:
			regs[ins.dst&15] = uint64(int64(int8(regs[ins.src&15])))
			continue
		case opMovsx64H:
			regs[ins.dst&15] = uint64(int64(int16(regs[ins.src&15])))
			continue
		case opMovsx64W:
			regs[ins.dst&15] = uint64(int64(int32(regs[ins.src&15])))
			continue
		case opNeg64:
			regs[ins.dst&15] = -regs[ins.dst&15]
			continue
		case opBswap16:
			regs[ins.dst&15] = uint64(bits.ReverseBytes16(uint16(regs[ins.dst&15])))
			continue
		case opBswap32:
			regs[ins.dst&15] = uint64(bits.ReverseBytes32(uint32(regs[ins.dst&15])))
			continue
		case opBswap64:
			regs[ins.dst&15] = bits.ReverseBytes64(regs[ins.dst&15])
			continue
		// 32-bit arithmetic: operands truncated, result zero-extended.
		case opAdd32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) + uint32(regs[ins.src&15]))
			continue
		case opAdd32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) + uint32(ins.imm))
			continue
		case opSub32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) - uint32(regs[ins.src&15]))
			continue
		case opSub32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) - uint32(ins.imm))
			continue
		case opMul32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) * uint32(regs[ins.src&15]))
			continue
		case opMul32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) * uint32(ins.imm))
			continue
		case opDiv32X:
			if s := uint32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) / s)
			} else {
				regs[ins.dst&15] = 0
			}
			continue
		case opDiv32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) / uint32(ins.imm))
			continue
		case opSdiv32X:
			if s := int32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) / s))
			} else {
				regs[ins.dst&15] = 0
			}
			continue
		case opSdiv32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) / int32(ins.imm)))
			continue
		case opMod32X:
			if s := uint32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) % s)
			} else {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			}
			continue
		case opMod32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) % uint32(ins.imm))
			continue
		case opSmod32X:
			if s := int32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) % s))
			} else {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			}
			continue
		case opSmod32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) % int32(ins.imm)))
			continue
		case opOr32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) | uint32(regs[ins.src&15]))
			continue
		case opOr32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) | uint32(ins.imm))
			continue
		case opAnd32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) & uint32(regs[ins.src&15]))
			continue
		case opAnd32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) & uint32(ins.imm))
			continue
		case opXor32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) ^ uint32(regs[ins.src&15]))
			continue
		case opXor32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) ^ uint32(ins.imm))
			continue
		case opLsh32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) << (regs[ins.src&15] & 31))
			continue
		case opLsh32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) << uint64(ins.imm))
			continue
		case opRsh32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) >> (regs[ins.src&15] & 31))
			continue
		case opRsh32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) >> uint64(ins.imm))
			continue
		case opArsh32X:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) >> (regs[ins.src&15] & 31)))
			continue
		case opArsh32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) >> uint64(ins.imm)))
			continue
		case opMov32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.src&15]))
			continue
		case opMov32K:
			regs[ins.dst&15] = uint64(uint32(ins.imm))
			continue
		case opMovsx32B:
			regs[ins.dst&15] = uint64(uint32(int32(int8(regs[ins.src&15]))))
			continue
		case opMovsx32H:
			regs[ins.dst&15] = uint64(uint32(int32(int16(regs[ins.src&15]))))
			continue
		case opNeg32:
			regs[ins.dst&15] = uint64(-uint32(regs[ins.dst&15]))
			continue
		case opLe16:
			regs[ins.dst&15] = uint64(uint16(regs[ins.dst&15]))
			continue
		case opLe32:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			continue
		case opBe16:
			regs[ins.dst&15] = uint64(bits.ReverseBytes16(uint16(regs[ins.dst&15])))
			continue
		case opBe32:
			regs[ins.dst&15] = uint64(bits.ReverseBytes32(uint32(regs[ins.dst&15])))
			continue
		case opBe64:
			regs[ins.dst&15] = bits.ReverseBytes64(regs[ins.dst&15])
			continue
		// Jumps: off holds the absolute target index.
		// Fused pairs.
		case opMovAdd64X:
			regs[ins.dst&15] = regs[ins.src&15] + regs[ins.aux&15]
			pc++
			continue
		case opMovAdd64K:
			regs[ins.dst&15] = regs[ins.src&15] + uint64(ins.imm)
			pc++
			continue
		case opZext32:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			pc++
			continue
		case opAddJeq64X:
			regs[ins.aux&15] += uint64(ins.imm)
			pc++
			if regs[ins.dst&15] == regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opAddJne64X:
			regs[ins.aux&15] += uint64(ins.imm)
			pc++
			if regs[ins.dst&15] != regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opAddJgt64X:
			regs[ins.aux&15] += uint64(ins.imm)
			pc++
			if regs[ins.dst&15] > regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opAddJlt64X:
			regs[ins.aux&15] += uint64(ins.imm)
			pc++
			if regs[ins.dst&15] < regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opMovJeq64X:
			regs[ins.aux&15] = uint64(ins.imm)
			pc++
			if regs[ins.dst&15] == regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opMovJne64X:
			regs[ins.aux&15] = uint64(ins.imm)
			pc++
			if regs[ins.dst&15] != regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opMovJgt64X:
			regs[ins.aux&15] = uint64(ins.imm)
			pc++
			if regs[ins.dst&15] > regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opMovJlt64X:
			regs[ins.aux&15] = uint64(ins.imm)
			pc++
			if regs[ins.dst&15] < regs[ins.src&15] {
				pc = int(ins.off)
			}

		case opJa:
			pc = int(ins.off)
		case opJeq64X:
			if regs[ins.dst&15] == regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJeq64K:
			if regs[ins.dst&15] == uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJne64X:
			if regs[ins.dst&15] != regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJne64K:
			if regs[ins.dst&15] != uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJgt64X:
			if regs[ins.dst&15] > regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJgt64K:
			if regs[ins.dst&15] > uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJge64X:
			if regs[ins.dst&15] >= regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJge64K:
			if regs[ins.dst&15] >= uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJlt64X:
			if regs[ins.dst&15] < regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJlt64K:
			if regs[ins.dst&15] < uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJle64X:
			if regs[ins.dst&15] <= regs[ins.src&15] {
				pc = int(ins.off)
			}
		case opJle64K:
			if regs[ins.dst&15] <= uint64(ins.imm) {
				pc = int(ins.off)
			}
		case opJsgt64X:
			if int64(regs[ins.dst&15]) > int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsgt64K:
			if int64(regs[ins.dst&15]) > int64(ins.imm) {
				pc = int(ins.off)
			}
		case opJsge64X:
			if int64(regs[ins.dst&15]) >= int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsge64K:
			if int64(regs[ins.dst&15]) >= int64(ins.imm) {
				pc = int(ins.off)
			}
		case opJslt64X:
			if int64(regs[ins.dst&15]) < int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJslt64K:
			if int64(regs[ins.dst&15]) < int64(ins.imm) {
				pc = int(ins.off)
			}
		case opJsle64X:
			if int64(regs[ins.dst&15]) <= int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsle64K:
			if int64(regs[ins.dst&15]) <= int64(ins.imm) {
				pc = int(ins.off)
			}
		case opJset64X:
			if regs[ins.dst&15]&regs[ins.src&15] != 0 {
				pc = int(ins.off)
			}
		case opJset64K:
			if regs[ins.dst&15]&uint64(ins.imm) != 0 {
				pc = int(ins.off)
			}
		case opJeq32X:
			if uint32(regs[ins.dst&15]) == uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJeq32K:
			if uint32(regs[ins.dst&15]) == uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJne32X:
			if uint32(regs[ins.dst&15]) != uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJne32K:
			if uint32(regs[ins.dst&15]) != uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJgt32X:
			if uint32(regs[ins.dst&15]) > uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJgt32K:
			if uint32(regs[ins.dst&15]) > uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJge32X:
			if uint32(regs[ins.dst&15]) >= uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJge32K:
			if uint32(regs[ins.dst&15]) >= uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJlt32X:
			if uint32(regs[ins.dst&15]) < uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJlt32K:
			if uint32(regs[ins.dst&15]) < uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJle32X:
			if uint32(regs[ins.dst&15]) <= uint32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJle32K:
			if uint32(regs[ins.dst&15]) <= uint32(ins.imm) {
				pc = int(ins.off)
			}
		case opJsgt32X:
			if int32(regs[ins.dst&15]) > int32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsgt32K:
			if int32(regs[ins.dst&15]) > int32(ins.imm) {
				pc = int(ins.off)
			}
		case opJsge32X:
			if int32(regs[ins.dst&15]) >= int32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsge32K:
			if int32(regs[ins.dst&15]) >= int32(ins.imm) {
				pc = int(ins.off)
			}
		case opJslt32X:
			if int32(regs[ins.dst&15]) < int32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJslt32K:
			if int32(regs[ins.dst&15]) < int32(ins.imm) {
				pc = int(ins.off)
			}
		case opJsle32X:
			if int32(regs[ins.dst&15]) <= int32(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsle32K:
			if int32(regs[ins.dst&15]) <= int32(ins.imm) {
				pc = int(ins.off)
			}
		case opJset32X:
			if uint32(regs[ins.dst&15])&uint32(regs[ins.src&15]) != 0 {
				pc = int(ins.off)
			}
		case opJset32K:
			if uint32(regs[ins.dst&15])&uint32(ins.imm) != 0 {
				pc = int(ins.off)
			}

		// Loads. The stack of the current frame and its callers comes
		// first, then the input memory, then regions added by helpers.
		case opLdxB:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = load8(a)
			continue
		case opLdxH:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = load16(a)
			continue
		case opLdxW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = load32(a)
			continue
		case opLdxDW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = load64(a)
			continue
		case opLdxSB:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = loadS8(a)
			continue
		case opLdxSH:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = loadS16(a)
			continue
		case opLdxSW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) {
				return pc, left, evSlow
			}
			regs[ins.dst&15] = loadS32(a)
			continue
		// Stores.
		case opStB:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) {
				return pc, left, evSlow
			}
			store8(a, uint64(ins.imm))
			continue
		case opStH:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) {
				return pc, left, evSlow
			}
			store16(a, uint64(ins.imm))
			continue
		case opStW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) {
				return pc, left, evSlow
			}
			store32(a, uint64(ins.imm))
			continue
		case opStDW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) {
				return pc, left, evSlow
			}
			store64(a, uint64(ins.imm))
			continue
		case opStxB:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) {
				return pc, left, evSlow
			}
			store8(a, regs[ins.src&15])
			continue
		case opStxH:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) {
				return pc, left, evSlow
			}
			store16(a, regs[ins.src&15])
			continue
		case opStxW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) {
				return pc, left, evSlow
			}
			store32(a, regs[ins.src&15])
			continue
		case opStxDW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) {
				return pc, left, evSlow
			}
			store64(a, regs[ins.src&15])
			continue
		// Atomics go through the full check and run outside the loop.
		case opAtomicAdd32, opAtomicOr32, opAtomicAnd32, opAtomicXor32,
			opAtomicFetchAdd32, opAtomicFetchOr32, opAtomicFetchAnd32, opAtomicFetchXor32,
			opAtomicXchg32, opAtomicCmpXchg32,
			opAtomicAdd64, opAtomicOr64, opAtomicAnd64, opAtomicXor64,
			opAtomicFetchAdd64, opAtomicFetchOr64, opAtomicFetchAnd64, opAtomicFetchXor64,
			opAtomicXchg64, opAtomicCmpXchg64:
			return pc, left, evSlow
		case opLddw:
			regs[ins.dst&15] = p.consts[ins.off]
			continue
		case opLdAbsB, opLdAbsH, opLdAbsW, opLdIndB, opLdIndH, opLdIndW:
			return pc, left, evSlow
		// Calls.
		case opCall, opCallX:
			return pc, left, evCall
		case opCallLocal:
			depth := st.depth
			if depth+1 >= MaxFrames {
				return pc, left, evCallDepth
			}
			f := &st.frames[depth]
			f.ret = pc
			f.saved = [4]uint64{regs[6], regs[7], regs[8], regs[9]}
			f.r10 = regs[10]
			f.caller = 0
			depth++
			if depth > st.maxDepth {
				st.maxDepth = depth
			}
			st.depth = depth
			regs[10] = st.stackLo
			st.stackLo -= StackSize
			st.stackN += StackSize
			pc = int(ins.off)
		case opExit:
			depth := st.depth
			if depth == st.baseDepth || st.frames[depth-1].caller != 0 {
				return pc, left, evExit // resume returns into the caller's program (see returnAcross)
			}
			depth--
			st.depth = depth
			f := &st.frames[depth]
			pc = f.ret
			regs[6], regs[7], regs[8], regs[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
			regs[10] = f.r10
			st.stackLo += StackSize
			st.stackN -= StackSize

		default: // opFellOff
			return pc, left, evFellOff
		}
		// A control transfer leads to pc: charge the straight-line stretch
		// that begins there.
		if c := uint64(code[pc].cost); c <= left {
			left -= c
		} else {
			return pc, left, evExhausted
		}
	}
}

// exec runs the program once on st and returns r0 and the number of
// instructions executed.
func (p *Program) exec(st *runState) (r0, executed uint64, err error) {
	regs := &st.regs
	*regs = [16]uint64{}
	st.stackLo = st.stackTop - p.window
	st.stackN = p.window
	st.clearN = p.window
	st.depth = 0
	st.baseDepth = 0
	st.tailCalls = 0
	st.tail = nil
	st.call.prog = p
	if st.env != nil {
		regs[1] = st.env.ctxAddr
	} else {
		regs[1] = st.memLo
		regs[2] = st.memN
	}
	regs[10] = st.stackTop
	budget := p.budget
	left := budget
	if c := uint64(p.code[0].cost); c > left {
		return 0, budget, p.exhausted(int(left))
	}
	left -= uint64(p.code[0].cost)
	held := st.slot >= 0 // a repeated test run holds the slot across runs
	if p.needsEnv {
		if !held {
			st.enter()
		}
		st.regions = append(st.regions, p.static...)
	}
	_, left, err = st.drive(p, 0, left)
	if st.held != nil {
		err = st.dropLock(err)
	}
	if p.needsEnv && !held {
		st.exit()
	}
	if err != nil {
		return 0, budget - left, err
	}
	return regs[0], budget - left, nil
}

// enter takes an execution slot and marks a run in progress for the maps.
func (st *runState) enter() {
	st.token = maps.EnterRun()
	st.slot = acquireSlot()
}

// exit undoes enter.
func (st *runState) exit() {
	releaseSlot(st.slot)
	st.slot = -1
	st.token.Exit()
	st.token = maps.RunToken{}
}

// repeatHold is how many runs of a repeated test run share one slot and
// one maps run token, as the kernel's bpf_test_run holds the CPU and the
// RCU read lock across runs until it needs to reschedule.
const repeatHold = 256

// drive runs cur from pc, with left budget, until the frame at
// st.baseDepth exits. It returns the program running at the end (a tail
// call replaces it) and the budget left; after an error, budget minus
// what it returns is the number of instructions executed.
func (st *runState) drive(cur *Program, pc int, left uint64) (*Program, uint64, error) {
	return st.resume(cur, pc, left, evNone)
}

// resume is drive for code that has already run up to event ev at pc
// (evNone: it has not run yet).
func (st *runState) resume(cur *Program, pc int, left uint64, ev int) (*Program, uint64, error) {
	regs := &st.regs
	for ; ; ev = evNone {
		if ev == evNone {
			if cur.jit != nil {
				pc, left, ev = cur.jitLoop(st, pc, left)
			} else {
				pc, left, ev = cur.loop(st, pc, left)
			}
		}
		i := pc - 1 // the instruction that raised the event
		switch ev {
		case evExit:
			if st.depth == st.baseDepth {
				return cur, left, nil
			}
			// A tail call replaced a called frame's code: its exit
			// returns into the caller, which runs another program.
			cur, pc = st.returnAcross()
			if c := uint64(cur.code[pc].cost); c <= left {
				left -= c
			} else {
				return cur, 0, cur.exhausted(pc + int(left))
			}
		case evCall:
			st.left = left
			err := cur.call(st, i)
			if st.left != left { // a callback ran: its instructions are charged
				left = st.left
			}
			if err != nil {
				return cur, cur.budget - cur.executed(left, i), err
			}
			if t := st.tail; t != nil {
				st.tail = nil
				if d := st.depth; d > st.baseDepth && st.frames[d-1].caller == 0 {
					// The target replaces a called frame: its exit
					// returns into cur (returnAcross).
					st.callers = append(st.callers, cur)
					st.frames[d-1].caller = len(st.callers)
				}
				cur = t
				st.call.prog = t
				st.regions = append(st.regions, t.static...)
				pc = 0
				if c := uint64(t.code[0].cost); c <= left {
					left -= c
				} else {
					return cur, 0, t.exhausted(int(left))
				}
			}
		case evSlow:
			exit, err := cur.slow(st, i)
			if err != nil {
				return cur, cur.budget - cur.executed(left, i), err
			}
			if exit { // a failed legacy packet load ends the program with r0 = 0
				regs[0] = 0
				return cur, cur.budget - cur.executed(left, i), nil
			}
		case evCallDepth:
			return cur, cur.budget - cur.executed(left, i), cur.runError(i, fmt.Errorf("%w: more than %d frames", ErrCallDepth, MaxFrames))
		case evFellOff:
			return cur, left, cur.runError(len(cur.insns)-1, ErrFellOffEnd)
		default: // evExhausted
			return cur, 0, cur.exhausted(pc + int(left))
		}
	}
}

// returnAcross pops a called frame whose code a tail call replaced, as
// the exit of a called frame does, and returns the program that frame
// returns into and the instruction index there.
func (st *runState) returnAcross() (*Program, int) {
	regs := &st.regs
	d := st.depth - 1
	st.depth = d
	f := &st.frames[d]
	regs[6], regs[7], regs[8], regs[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
	regs[10] = f.r10
	st.stackLo += StackSize
	st.stackN -= StackSize
	p := st.callers[f.caller-1]
	f.caller = 0
	st.call.prog = p
	return p, f.ret
}

// callback runs the subprogram at instruction index target as a function
// called by the helper that is running (bpf_loop, for_each_map_elem), in
// a new frame above the caller's, and returns its r0. The caller's
// registers are preserved.
func (st *runState) callback(target int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	prog := st.call.prog
	if st.depth+1 >= MaxFrames {
		return 0, fmt.Errorf("%w: callback needs more than %d frames", ErrCallDepth, MaxFrames)
	}
	regs := &st.regs
	saved := *regs
	base, lo, n, index := st.baseDepth, st.stackLo, st.stackN, st.call.index
	depth := st.depth + 1
	st.depth = depth
	if depth > st.maxDepth {
		st.maxDepth = depth
	}
	st.baseDepth = depth
	regs[1], regs[2], regs[3], regs[4], regs[5] = r1, r2, r3, r4, r5
	regs[10] = st.stackLo
	st.stackLo -= StackSize
	st.stackN += StackSize
	left := st.left
	var err error
	if c := uint64(prog.code[target].cost); c <= left {
		_, left, err = st.drive(prog, target, left-c)
	} else {
		left, err = 0, prog.exhausted(target+int(left))
	}
	st.left = left
	r0 := regs[0]
	*regs = saved
	st.baseDepth, st.stackLo, st.stackN, st.call.index = base, lo, n, index
	st.depth = depth - 1
	st.call.prog = prog
	return r0, err
}

// call runs the helper call at instruction i.
func (p *Program) call(st *runState, i int) error {
	ins := &p.code[i]
	regs := &st.regs
	var fn HelperFunc
	name := ""
	if ins.op == opCallX {
		id := regs[ins.dst&15]
		h, ok := p.registry[int32(id)]
		if !ok || uint64(int64(int32(id))) != id {
			return p.runError(i, fmt.Errorf("%w: callx to helper id %d (from r%d)", ErrUnknownHelper, int64(id), ins.dst))
		}
		fn, name = h.fn, h.name+": "
	} else {
		fn = p.helpers[ins.imm]
	}
	st.call.index = i
	r, err := fn(&st.call, regs[1], regs[2], regs[3], regs[4], regs[5])
	if err != nil {
		var re *RunError
		if errors.As(err, &re) { // from a callback: it names its own instruction
			return err
		}
		return p.runError(i, fmt.Errorf("%w: %s%w", ErrHelper, name, err))
	}
	regs[0] = r
	return nil
}

// slow runs the load, store or atomic operation at instruction i with
// the full check: the current frame and its callers' frames, the input
// memory, then regions added by helpers; atomics must be aligned.
func (p *Program) slow(st *runState, i int) (exit bool, err error) {
	ins := &p.code[i]
	regs := &st.regs
	if ins.op >= opLdAbsB && ins.op <= opLdIndW {
		return p.ldAbs(st, i)
	}
	m := memOps[ins.op]
	if p.ctxAt != nil && p.ctxAt[i] && !m.atomic {
		// Context rewriting from the verifier's knowledge: the field is
		// the instruction's offset into the context.
		return false, p.ctxAccess(st, i, st.ctxLo+uint64(int64(ins.off)), m)
	}
	base := regs[ins.src&15]
	if m.write {
		base = regs[ins.dst&15]
	}
	a := base + uint64(int64(ins.off))
	if m.atomic && a%m.size != 0 {
		return false, p.badAtomic(i, a, m.size)
	}
	if a-st.ctxLo < st.ctxN {
		return false, p.ctxAccess(st, i, a, m)
	}
	if !st.reachable(a, m.size, m.write) {
		return false, p.badAccess(i, a, m.size, m.write)
	}
	v := regs[ins.src&15]
	switch ins.op {
	case opLdxB:
		regs[ins.dst&15] = load8(a)
	case opLdxH:
		regs[ins.dst&15] = load16(a)
	case opLdxW:
		regs[ins.dst&15] = load32(a)
	case opLdxDW:
		regs[ins.dst&15] = load64(a)
	case opLdxSB:
		regs[ins.dst&15] = loadS8(a)
	case opLdxSH:
		regs[ins.dst&15] = loadS16(a)
	case opLdxSW:
		regs[ins.dst&15] = loadS32(a)
	case opStB:
		store8(a, uint64(ins.imm))
	case opStH:
		store16(a, uint64(ins.imm))
	case opStW:
		store32(a, uint64(ins.imm))
	case opStDW:
		store64(a, uint64(ins.imm))
	case opStxB:
		store8(a, v)
	case opStxH:
		store16(a, v)
	case opStxW:
		store32(a, v)
	case opStxDW:
		store64(a, v)
	case opAtomicAdd32:
		atomicAdd32(a, v)
	case opAtomicOr32:
		atomicOr32(a, v)
	case opAtomicAnd32:
		atomicAnd32(a, v)
	case opAtomicXor32:
		atomicXor32(a, v)
	case opAtomicFetchAdd32:
		regs[ins.src&15] = atomicAdd32(a, v)
	case opAtomicFetchOr32:
		regs[ins.src&15] = atomicOr32(a, v)
	case opAtomicFetchAnd32:
		regs[ins.src&15] = atomicAnd32(a, v)
	case opAtomicFetchXor32:
		regs[ins.src&15] = atomicXor32(a, v)
	case opAtomicXchg32:
		regs[ins.src&15] = atomicXchg32(a, v)
	case opAtomicCmpXchg32:
		regs[0] = atomicCmpXchg32(a, regs[0], v)
	case opAtomicAdd64:
		atomicAdd64(a, v)
	case opAtomicOr64:
		atomicOr64(a, v)
	case opAtomicAnd64:
		atomicAnd64(a, v)
	case opAtomicXor64:
		atomicXor64(a, v)
	case opAtomicFetchAdd64:
		regs[ins.src&15] = atomicAdd64(a, v)
	case opAtomicFetchOr64:
		regs[ins.src&15] = atomicOr64(a, v)
	case opAtomicFetchAnd64:
		regs[ins.src&15] = atomicAnd64(a, v)
	case opAtomicFetchXor64:
		regs[ins.src&15] = atomicXor64(a, v)
	case opAtomicXchg64:
		regs[ins.src&15] = atomicXchg64(a, v)
	case opAtomicCmpXchg64:
		regs[0] = atomicCmpXchg64(a, regs[0], v)
	}
	return false, nil
}

// memOp describes the access of a load, store or atomic opcode.
type memOp struct {
	size   uint64
	write  bool // the address is dst + off (stores and atomics); otherwise src + off
	atomic bool
}

var memOps = func() (t [256]memOp) {
	for op, size := range map[uint8]uint64{opLdxB: 1, opLdxH: 2, opLdxW: 4, opLdxDW: 8, opLdxSB: 1, opLdxSH: 2, opLdxSW: 4} {
		t[op] = memOp{size: size}
	}
	for op, size := range map[uint8]uint64{opStB: 1, opStH: 2, opStW: 4, opStDW: 8, opStxB: 1, opStxH: 2, opStxW: 4, opStxDW: 8} {
		t[op] = memOp{size: size, write: true}
	}
	for op := opAtomicAdd32; op <= opAtomicCmpXchg32; op++ {
		t[op] = memOp{size: 4, write: true, atomic: true}
	}
	for op := opAtomicAdd64; op <= opAtomicCmpXchg64; op++ {
		t[op] = memOp{size: 8, write: true, atomic: true}
	}
	return t
}()

// runError builds the RunError of instruction index i.
func (p *Program) runError(i int, err error) error {
	return &RunError{Index: i, Insn: p.insns[i], Err: err}
}

// badAccess builds the error of a rejected load or store at instruction i.
func (p *Program) badAccess(i int, a, size uint64, write bool) error {
	return p.runError(i, &AccessError{Addr: a, Size: size, Write: write, Err: ErrBadAccess})
}

// badAtomic builds the error of a rejected atomic operation at instruction i.
func (p *Program) badAtomic(i int, a, size uint64) error {
	e := ErrBadAccess
	if a%size != 0 {
		e = ErrMisaligned
	}
	return p.runError(i, &AccessError{Addr: a, Size: size, Write: true, Err: e})
}

// exhausted builds the error of a run whose budget ends before instruction
// i would execute. Reaching the sentinel after the last instruction is
// falling off the end instead.
func (p *Program) exhausted(i int) error {
	if i >= len(p.insns) {
		return p.runError(len(p.insns)-1, ErrFellOffEnd)
	}
	return p.runError(i, fmt.Errorf("%w: %d instructions executed", ErrBudgetExhausted, p.budget))
}

// executed returns how many instructions ran when instruction i stopped
// the run with left budget remaining: its whole straight-line stretch was
// charged, but what follows it did not run.
func (p *Program) executed(left uint64, i int) uint64 {
	return p.budget - left - uint64(p.code[i].cost-1)
}
