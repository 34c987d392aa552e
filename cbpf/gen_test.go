package cbpf

import "math/rand"

// genProgram returns a random program that both Validate and CheckKernel
// accept and on which libpcap and the kernel agree by construction: scratch
// words are written before they are read, indexed loads follow a small X,
// shifts by X follow an X below 32, and every jump goes forward.
func genProgram(r *rand.Rand, maxLen int) []Instruction {
	n := 6 + r.Intn(maxLen)
	var p []Instruction
	p = append(p, Stmt(OpLdImm, r.Uint32()))
	for i := uint32(0); i < 4; i++ {
		p = append(p, Stmt(OpSt, i))
	}
	smallK := func() uint32 { return uint32(r.Intn(70)) }
	// pairSecond marks the second instruction of a guarded pair (small X,
	// then an indexed load or a shift by X): no jump may land there.
	pairSecond := map[int]bool{}
	for len(p) < n {
		remaining := n - len(p) // instructions still to place before the final return
		switch c := r.Intn(20); {
		case c < 3:
			ops := []uint16{OpLdW, OpLdH, OpLdB}
			p = append(p, Stmt(ops[r.Intn(3)], smallK()))
		case c < 5:
			ops := []uint16{OpLdIndW, OpLdIndH, OpLdIndB}
			if r.Intn(2) == 0 {
				p = append(p, Stmt(OpLdxImm, uint32(r.Intn(40))))
			} else {
				p = append(p, Stmt(OpLdxMsh, smallK()))
			}
			pairSecond[len(p)] = true
			p = append(p, Stmt(ops[r.Intn(3)], smallK()))
		case c < 6:
			p = append(p, Stmt([]uint16{OpLdLen, OpLdxLen}[r.Intn(2)], 0))
		case c < 7:
			p = append(p, Stmt([]uint16{OpLdImm, OpLdxImm}[r.Intn(2)], randK(r)))
		case c < 8:
			p = append(p, Stmt([]uint16{OpLdMem, OpLdxMem, OpSt, OpStx}[r.Intn(4)], uint32(r.Intn(4))))
		case c < 12:
			ops := []uint16{OpAddK, OpSubK, OpMulK, OpDivK, OpModK, OpAndK, OpOrK, OpXorK, OpLshK, OpRshK,
				OpAddX, OpSubX, OpMulX, OpDivX, OpModX, OpAndX, OpOrX, OpXorX, OpNeg, OpTAX, OpTXA}
			op := ops[r.Intn(len(ops))]
			k := randK(r)
			switch op {
			case OpDivK, OpModK:
				if k == 0 {
					k = 3
				}
			case OpLshK, OpRshK:
				k %= 32
			}
			p = append(p, Stmt(op, k))
		case c < 13:
			pairSecond[len(p)+1] = true
			p = append(p, Stmt(OpLdxImm, uint32(r.Intn(32))), Stmt([]uint16{OpLshX, OpRshX}[r.Intn(2)], 0))
		case c < 18 && remaining > 2:
			ops := []uint16{OpJEQK, OpJGTK, OpJGEK, OpJSETK, OpJEQX, OpJGTX, OpJGEX, OpJSETX}
			jmax := min(remaining-1, 255)
			p = append(p, Jump(ops[r.Intn(len(ops))], randK(r), uint8(r.Intn(jmax)), uint8(r.Intn(jmax))))
		case c < 19 && remaining > 2:
			p = append(p, Stmt(OpJA, uint32(r.Intn(remaining-1))))
		default:
			if r.Intn(2) == 0 {
				p = append(p, Stmt(OpRetA, 0))
			} else {
				p = append(p, Stmt(OpRetK, randK(r)))
			}
		}
	}
	// Jumps may land anywhere up to len(p); end with returns so every
	// target exists.
	p = append(p, Stmt(OpRetA, 0))
	for i, ins := range p {
		if ins.IsConditionalJump() {
			last := len(p) - 1
			if i+1+int(ins.Jt) > last {
				p[i].Jt = uint8(last - i - 1)
			}
			if i+1+int(ins.Jf) > last {
				p[i].Jf = uint8(last - i - 1)
			}
			if pairSecond[i+1+int(p[i].Jt)] {
				p[i].Jt--
			}
			if pairSecond[i+1+int(p[i].Jf)] {
				p[i].Jf--
			}
		}
		if ins.Op == OpJA {
			if i+1+int(ins.K) > len(p)-1 {
				p[i].K = uint32(len(p) - 1 - i - 1)
			}
			if pairSecond[i+1+int(p[i].K)] {
				p[i].K--
			}
		}
	}
	return p
}

// randK returns a constant biased towards interesting values.
func randK(r *rand.Rand) uint32 {
	switch r.Intn(6) {
	case 0:
		return uint32(r.Intn(4))
	case 1:
		return 0xffffffff - uint32(r.Intn(3))
	case 2:
		return 0x80000000
	case 3:
		return uint32(r.Intn(256))
	default:
		return r.Uint32()
	}
}

// genPacket returns random packet bytes of 1 to maxLen bytes.
func genPacket(r *rand.Rand, maxLen int) []byte {
	b := make([]byte, 1+r.Intn(maxLen))
	r.Read(b)
	return b
}

// newRand returns a deterministic random source.
func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
