package vm

import (
	"fmt"
	"math/bits"
)

// exec runs the program once on st and returns r0 and the number of
// instructions executed.
func (p *Program) exec(st *runState) (r0, executed uint64, err error) {
	code := p.code
	var regs [16]uint64
	st.stackLo = st.stackTop - StackSize
	st.stackN = StackSize
	st.depth = 0
	regs[1] = st.memLo
	regs[2] = st.memN
	regs[10] = st.stackTop
	budget := p.budget
	left := budget
	pc := 0

	for {
		if left == 0 {
			return 0, budget, p.exhausted(pc)
		}
		left--
		ins := &code[pc]
		pc++
		switch ins.op {
		case opNop:

		// 64-bit arithmetic.
		case opAdd64X:
			regs[ins.dst&15] += regs[ins.src&15]
		case opAdd64K:
			regs[ins.dst&15] += uint64(ins.imm)
		case opSub64X:
			regs[ins.dst&15] -= regs[ins.src&15]
		case opSub64K:
			regs[ins.dst&15] -= uint64(ins.imm)
		case opMul64X:
			regs[ins.dst&15] *= regs[ins.src&15]
		case opMul64K:
			regs[ins.dst&15] *= uint64(ins.imm)
		case opDiv64X:
			if s := regs[ins.src&15]; s != 0 {
				regs[ins.dst&15] /= s
			} else {
				regs[ins.dst&15] = 0
			}
		case opDiv64K:
			regs[ins.dst&15] /= uint64(ins.imm)
		case opSdiv64X:
			if s := int64(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) / s)
			} else {
				regs[ins.dst&15] = 0
			}
		case opSdiv64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) / ins.imm)
		case opMod64X:
			if s := regs[ins.src&15]; s != 0 {
				regs[ins.dst&15] %= s
			}
		case opMod64K:
			regs[ins.dst&15] %= uint64(ins.imm)
		case opSmod64X:
			if s := int64(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) % s)
			}
		case opSmod64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) % ins.imm)
		case opOr64X:
			regs[ins.dst&15] |= regs[ins.src&15]
		case opOr64K:
			regs[ins.dst&15] |= uint64(ins.imm)
		case opAnd64X:
			regs[ins.dst&15] &= regs[ins.src&15]
		case opAnd64K:
			regs[ins.dst&15] &= uint64(ins.imm)
		case opXor64X:
			regs[ins.dst&15] ^= regs[ins.src&15]
		case opXor64K:
			regs[ins.dst&15] ^= uint64(ins.imm)
		case opLsh64X:
			regs[ins.dst&15] <<= regs[ins.src&15] & 63
		case opLsh64K:
			regs[ins.dst&15] <<= uint64(ins.imm)
		case opRsh64X:
			regs[ins.dst&15] >>= regs[ins.src&15] & 63
		case opRsh64K:
			regs[ins.dst&15] >>= uint64(ins.imm)
		case opArsh64X:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) >> (regs[ins.src&15] & 63))
		case opArsh64K:
			regs[ins.dst&15] = uint64(int64(regs[ins.dst&15]) >> uint64(ins.imm))
		case opMov64X:
			regs[ins.dst&15] = regs[ins.src&15]
		case opMov64K:
			regs[ins.dst&15] = uint64(ins.imm)
		case opMovsx64B:
			regs[ins.dst&15] = uint64(int64(int8(regs[ins.src&15])))
		case opMovsx64H:
			regs[ins.dst&15] = uint64(int64(int16(regs[ins.src&15])))
		case opMovsx64W:
			regs[ins.dst&15] = uint64(int64(int32(regs[ins.src&15])))
		case opNeg64:
			regs[ins.dst&15] = -regs[ins.dst&15]
		case opBswap16:
			regs[ins.dst&15] = uint64(bits.ReverseBytes16(uint16(regs[ins.dst&15])))
		case opBswap32:
			regs[ins.dst&15] = uint64(bits.ReverseBytes32(uint32(regs[ins.dst&15])))
		case opBswap64:
			regs[ins.dst&15] = bits.ReverseBytes64(regs[ins.dst&15])

		// 32-bit arithmetic: operands truncated, result zero-extended.
		case opAdd32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) + uint32(regs[ins.src&15]))
		case opAdd32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) + uint32(ins.imm))
		case opSub32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) - uint32(regs[ins.src&15]))
		case opSub32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) - uint32(ins.imm))
		case opMul32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) * uint32(regs[ins.src&15]))
		case opMul32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) * uint32(ins.imm))
		case opDiv32X:
			if s := uint32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) / s)
			} else {
				regs[ins.dst&15] = 0
			}
		case opDiv32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) / uint32(ins.imm))
		case opSdiv32X:
			if s := int32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) / s))
			} else {
				regs[ins.dst&15] = 0
			}
		case opSdiv32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) / int32(ins.imm)))
		case opMod32X:
			if s := uint32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) % s)
			} else {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			}
		case opMod32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) % uint32(ins.imm))
		case opSmod32X:
			if s := int32(regs[ins.src&15]); s != 0 {
				regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) % s))
			} else {
				regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
			}
		case opSmod32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) % int32(ins.imm)))
		case opOr32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) | uint32(regs[ins.src&15]))
		case opOr32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) | uint32(ins.imm))
		case opAnd32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) & uint32(regs[ins.src&15]))
		case opAnd32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) & uint32(ins.imm))
		case opXor32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) ^ uint32(regs[ins.src&15]))
		case opXor32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) ^ uint32(ins.imm))
		case opLsh32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) << (regs[ins.src&15] & 31))
		case opLsh32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) << uint64(ins.imm))
		case opRsh32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) >> (regs[ins.src&15] & 31))
		case opRsh32K:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]) >> uint64(ins.imm))
		case opArsh32X:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) >> (regs[ins.src&15] & 31)))
		case opArsh32K:
			regs[ins.dst&15] = uint64(uint32(int32(regs[ins.dst&15]) >> uint64(ins.imm)))
		case opMov32X:
			regs[ins.dst&15] = uint64(uint32(regs[ins.src&15]))
		case opMov32K:
			regs[ins.dst&15] = uint64(uint32(ins.imm))
		case opMovsx32B:
			regs[ins.dst&15] = uint64(uint32(int32(int8(regs[ins.src&15]))))
		case opMovsx32H:
			regs[ins.dst&15] = uint64(uint32(int32(int16(regs[ins.src&15]))))
		case opNeg32:
			regs[ins.dst&15] = uint64(-uint32(regs[ins.dst&15]))
		case opLe16:
			regs[ins.dst&15] = uint64(uint16(regs[ins.dst&15]))
		case opLe32:
			regs[ins.dst&15] = uint64(uint32(regs[ins.dst&15]))
		case opBe16:
			regs[ins.dst&15] = uint64(bits.ReverseBytes16(uint16(regs[ins.dst&15])))
		case opBe32:
			regs[ins.dst&15] = uint64(bits.ReverseBytes32(uint32(regs[ins.dst&15])))
		case opBe64:
			regs[ins.dst&15] = bits.ReverseBytes64(regs[ins.dst&15])

		// Jumps: off holds the absolute target index.
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
			if int64(regs[ins.dst&15]) > ins.imm {
				pc = int(ins.off)
			}
		case opJsge64X:
			if int64(regs[ins.dst&15]) >= int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsge64K:
			if int64(regs[ins.dst&15]) >= ins.imm {
				pc = int(ins.off)
			}
		case opJslt64X:
			if int64(regs[ins.dst&15]) < int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJslt64K:
			if int64(regs[ins.dst&15]) < ins.imm {
				pc = int(ins.off)
			}
		case opJsle64X:
			if int64(regs[ins.dst&15]) <= int64(regs[ins.src&15]) {
				pc = int(ins.off)
			}
		case opJsle64K:
			if int64(regs[ins.dst&15]) <= ins.imm {
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
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) && !st.inRegions(a, 1, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 1, false)
			}
			regs[ins.dst&15] = load8(a)
		case opLdxH:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) && !st.inRegions(a, 2, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 2, false)
			}
			regs[ins.dst&15] = load16(a)
		case opLdxW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) && !st.inRegions(a, 4, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 4, false)
			}
			regs[ins.dst&15] = load32(a)
		case opLdxDW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) && !st.inRegions(a, 8, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 8, false)
			}
			regs[ins.dst&15] = load64(a)
		case opLdxSB:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) && !st.inRegions(a, 1, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 1, false)
			}
			regs[ins.dst&15] = loadS8(a)
		case opLdxSH:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) && !st.inRegions(a, 2, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 2, false)
			}
			regs[ins.dst&15] = loadS16(a)
		case opLdxSW:
			a := regs[ins.src&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) && !st.inRegions(a, 4, false) {
				return 0, budget - left, p.badAccess(pc-1, a, 4, false)
			}
			regs[ins.dst&15] = loadS32(a)

		// Stores.
		case opStB:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) && !st.inRegions(a, 1, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 1, true)
			}
			store8(a, uint64(ins.imm))
		case opStH:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) && !st.inRegions(a, 2, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 2, true)
			}
			store16(a, uint64(ins.imm))
		case opStW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) && !st.inRegions(a, 4, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 4, true)
			}
			store32(a, uint64(ins.imm))
		case opStDW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) && !st.inRegions(a, 8, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 8, true)
			}
			store64(a, uint64(ins.imm))
		case opStxB:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-1 && outside(a, st.memLo, st.memN, 1) && !st.inRegions(a, 1, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 1, true)
			}
			store8(a, regs[ins.src&15])
		case opStxH:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-2 && outside(a, st.memLo, st.memN, 2) && !st.inRegions(a, 2, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 2, true)
			}
			store16(a, regs[ins.src&15])
		case opStxW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) && !st.inRegions(a, 4, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 4, true)
			}
			store32(a, regs[ins.src&15])
		case opStxDW:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) && !st.inRegions(a, 8, true) {
				return 0, budget - left, p.badAccess(pc-1, a, 8, true)
			}
			store64(a, regs[ins.src&15])

		// Atomics: aligned, sequentially consistent.
		case opAtomicAdd32, opAtomicOr32, opAtomicAnd32, opAtomicXor32,
			opAtomicFetchAdd32, opAtomicFetchOr32, opAtomicFetchAnd32, opAtomicFetchXor32,
			opAtomicXchg32, opAtomicCmpXchg32:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a%4 != 0 || (a-st.stackLo > st.stackN-4 && outside(a, st.memLo, st.memN, 4) && !st.inRegions(a, 4, true)) {
				return 0, budget - left, p.badAtomic(pc-1, a, 4)
			}
			v := regs[ins.src&15]
			switch ins.op {
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
			default:
				regs[0] = atomicCmpXchg32(a, regs[0], v)
			}
		case opAtomicAdd64, opAtomicOr64, opAtomicAnd64, opAtomicXor64,
			opAtomicFetchAdd64, opAtomicFetchOr64, opAtomicFetchAnd64, opAtomicFetchXor64,
			opAtomicXchg64, opAtomicCmpXchg64:
			a := regs[ins.dst&15] + uint64(int64(ins.off))
			if a%8 != 0 || (a-st.stackLo > st.stackN-8 && outside(a, st.memLo, st.memN, 8) && !st.inRegions(a, 8, true)) {
				return 0, budget - left, p.badAtomic(pc-1, a, 8)
			}
			v := regs[ins.src&15]
			switch ins.op {
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
			default:
				regs[0] = atomicCmpXchg64(a, regs[0], v)
			}

		case opLddw:
			regs[ins.dst&15] = uint64(ins.imm)

		// Calls.
		case opCall:
			st.call.index = pc - 1
			r, herr := p.helpers[ins.imm](&st.call, regs[1], regs[2], regs[3], regs[4], regs[5])
			if herr != nil {
				return 0, budget - left, p.runError(pc-1, fmt.Errorf("%w: %w", ErrHelper, herr))
			}
			regs[0] = r
		case opCallX:
			id := regs[ins.dst&15]
			h, ok := p.registry[int32(id)]
			if !ok || uint64(int64(int32(id))) != id {
				return 0, budget - left, p.runError(pc-1, fmt.Errorf("%w: callx to helper id %d (from r%d)", ErrUnknownHelper, int64(id), ins.dst))
			}
			st.call.index = pc - 1
			r, herr := h.fn(&st.call, regs[1], regs[2], regs[3], regs[4], regs[5])
			if herr != nil {
				return 0, budget - left, p.runError(pc-1, fmt.Errorf("%w: %s: %w", ErrHelper, h.name, herr))
			}
			regs[0] = r
		case opCallLocal:
			depth := st.depth
			if depth+1 >= MaxFrames {
				return 0, budget - left, p.runError(pc-1, fmt.Errorf("%w: more than %d frames", ErrCallDepth, MaxFrames))
			}
			f := &st.frames[depth]
			f.ret = pc
			f.saved = [4]uint64{regs[6], regs[7], regs[8], regs[9]}
			f.r10 = regs[10]
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
			if depth == 0 {
				return regs[0], budget - left, nil
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
			return 0, budget - left - 1, p.runError(pc-2, ErrFellOffEnd)
		}
	}
}

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
