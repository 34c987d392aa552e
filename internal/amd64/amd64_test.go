package amd64

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// encCase is one call of one emitting method and the single instruction it
// must produce: its bytes, and its text as GNU objdump prints it in Intel
// syntax with runs of white space collapsed to one space. In text, {0xN}
// stands for the address N bytes after the case's first byte (the target
// of a jump or of a rip-relative lea).
type encCase struct {
	method string
	emit   func(a *Asm)
	hex    string
	text   string
}

// back emits a jump-like instruction to a label bound at its own start.
func back(f func(a *Asm, l Label)) func(a *Asm) {
	return func(a *Asm) {
		l := a.NewLabel()
		a.Bind(l)
		f(a, l)
	}
}

// fwd emits a jump-like instruction to a label bound just after it.
func fwd(f func(a *Asm, l Label)) func(a *Asm) {
	return func(a *Asm) {
		l := a.NewLabel()
		f(a, l)
		a.Bind(l)
	}
}

var encCases = []encCase{
	// ALURR: op r/m, r (0x01 | op<<3).
	{"ALURR", func(a *Asm) { a.ALURR(Add, true, RAX, RCX) }, "48 01 c8", "add rax,rcx"},
	{"ALURR", func(a *Asm) { a.ALURR(Or, true, R8, RAX) }, "49 09 c0", "or r8,rax"},
	{"ALURR", func(a *Asm) { a.ALURR(And, true, RAX, R15) }, "4c 21 f8", "and rax,r15"},
	{"ALURR", func(a *Asm) { a.ALURR(Sub, true, R12, R13) }, "4d 29 ec", "sub r12,r13"},
	{"ALURR", func(a *Asm) { a.ALURR(Xor, false, RAX, RAX) }, "31 c0", "xor eax,eax"},
	{"ALURR", func(a *Asm) { a.ALURR(Cmp, false, R9, RSP) }, "41 39 e1", "cmp r9d,esp"},
	{"ALURR", func(a *Asm) { a.ALURR(Cmp, true, RSP, RBP) }, "48 39 ec", "cmp rsp,rbp"},
	{"ALURR", func(a *Asm) { a.ALURR(Add, false, RDI, R14) }, "44 01 f7", "add edi,r14d"},
	{"ALURR", func(a *Asm) { a.ALURR(Sub, false, R10, R11) }, "45 29 da", "sub r10d,r11d"},

	// ALURI: 0x83 /op ib for -128..127, else 0x81 /op id.
	{"ALURI", func(a *Asm) { a.ALURI(Add, true, RAX, 1) }, "48 83 c0 01", "add rax,0x1"},
	{"ALURI", func(a *Asm) { a.ALURI(Sub, true, R9, 127) }, "49 83 e9 7f", "sub r9,0x7f"},
	{"ALURI", func(a *Asm) { a.ALURI(And, true, RSP, -128) }, "48 83 e4 80", "and rsp,0xffffffffffffff80"},
	{"ALURI", func(a *Asm) { a.ALURI(Cmp, false, RAX, -1) }, "83 f8 ff", "cmp eax,0xffffffff"},
	{"ALURI", func(a *Asm) { a.ALURI(Or, false, RCX, 128) }, "81 c9 80 00 00 00", "or ecx,0x80"},
	{"ALURI", func(a *Asm) { a.ALURI(Xor, false, R15, -129) }, "41 81 f7 7f ff ff ff", "xor r15d,0xffffff7f"},
	{"ALURI", func(a *Asm) { a.ALURI(Cmp, true, R12, 0x12345678) }, "49 81 fc 78 56 34 12", "cmp r12,0x12345678"},
	{"ALURI", func(a *Asm) { a.ALURI(Add, true, RAX, math.MinInt32) }, "48 81 c0 00 00 00 80", "add rax,0xffffffff80000000"},
	{"ALURI", func(a *Asm) { a.ALURI(Sub, false, RBP, math.MaxInt32) }, "81 ed ff ff ff 7f", "sub ebp,0x7fffffff"},

	// ALURM: op r, r/m (0x03 | op<<3) with a memory operand.
	{"ALURM", func(a *Asm) { a.ALURM(Add, true, RAX, RCX, 8) }, "48 03 41 08", "add rax,QWORD PTR [rcx+0x8]"},
	{"ALURM", func(a *Asm) { a.ALURM(Sub, true, R8, RSP, 0) }, "4c 2b 04 24", "sub r8,QWORD PTR [rsp]"},
	{"ALURM", func(a *Asm) { a.ALURM(Or, false, RAX, R12, 127) }, "41 0b 44 24 7f", "or eax,DWORD PTR [r12+0x7f]"},
	{"ALURM", func(a *Asm) { a.ALURM(And, true, RDX, RBP, 0) }, "48 23 55 00", "and rdx,QWORD PTR [rbp+0x0]"},
	{"ALURM", func(a *Asm) { a.ALURM(Xor, false, R15, R13, 0) }, "45 33 7d 00", "xor r15d,DWORD PTR [r13+0x0]"},
	{"ALURM", func(a *Asm) { a.ALURM(Cmp, true, R11, RAX, 128) }, "4c 3b 98 80 00 00 00", "cmp r11,QWORD PTR [rax+0x80]"},
	{"ALURM", func(a *Asm) { a.ALURM(Cmp, true, RSI, R9, -129) }, "49 3b b1 7f ff ff ff", "cmp rsi,QWORD PTR [r9-0x81]"},
	{"ALURM", func(a *Asm) { a.ALURM(Add, false, RCX, RBX, -128) }, "03 4b 80", "add ecx,DWORD PTR [rbx-0x80]"},

	// ALUMI: 0x83/0x81 /op with a memory operand; the immediate follows
	// the displacement.
	{"ALUMI", func(a *Asm) { a.ALUMI(Add, true, RAX, 8, 1) }, "48 83 40 08 01", "add QWORD PTR [rax+0x8],0x1"},
	{"ALUMI", func(a *Asm) { a.ALUMI(Sub, false, RSP, 0, 127) }, "83 2c 24 7f", "sub DWORD PTR [rsp],0x7f"},
	{"ALUMI", func(a *Asm) { a.ALUMI(Or, true, R13, 0, 0x100) }, "49 81 4d 00 00 01 00 00", "or QWORD PTR [r13+0x0],0x100"},
	{"ALUMI", func(a *Asm) { a.ALUMI(Cmp, false, R12, -129, -129) }, "41 81 bc 24 7f ff ff ff 7f ff ff ff", "cmp DWORD PTR [r12-0x81],0xffffff7f"},
	{"ALUMI", func(a *Asm) { a.ALUMI(And, true, RBP, 128, -128) }, "48 83 a5 80 00 00 00 80", "and QWORD PTR [rbp+0x80],0xffffffffffffff80"},
	{"ALUMI", func(a *Asm) { a.ALUMI(Xor, false, R8, 0, -1) }, "41 83 30 ff", "xor DWORD PTR [r8],0xffffffff"},

	// MovRR: 0x89 /r.
	{"MovRR", func(a *Asm) { a.MovRR(true, RAX, RCX) }, "48 89 c8", "mov rax,rcx"},
	{"MovRR", func(a *Asm) { a.MovRR(false, RAX, R8) }, "44 89 c0", "mov eax,r8d"},
	{"MovRR", func(a *Asm) { a.MovRR(true, R15, RSP) }, "49 89 e7", "mov r15,rsp"},
	{"MovRR", func(a *Asm) { a.MovRR(false, R10, R11) }, "45 89 da", "mov r10d,r11d"},
	{"MovRR", func(a *Asm) { a.MovRR(true, RSP, RBP) }, "48 89 ec", "mov rsp,rbp"},

	// MovImm: zero-extended b8+r id, sign-extended REX.W c7 /0 id, or
	// REX.W b8+r io.
	{"MovImm", func(a *Asm) { a.MovImm(RAX, 0) }, "b8 00 00 00 00", "mov eax,0x0"},
	{"MovImm", func(a *Asm) { a.MovImm(RDI, math.MaxInt32) }, "bf ff ff ff 7f", "mov edi,0x7fffffff"},
	{"MovImm", func(a *Asm) { a.MovImm(R9, math.MaxUint32) }, "41 b9 ff ff ff ff", "mov r9d,0xffffffff"},
	{"MovImm", func(a *Asm) { a.MovImm(RAX, -1) }, "48 c7 c0 ff ff ff ff", "mov rax,0xffffffffffffffff"},
	{"MovImm", func(a *Asm) { a.MovImm(R12, math.MinInt32) }, "49 c7 c4 00 00 00 80", "mov r12,0xffffffff80000000"},
	{"MovImm", func(a *Asm) { a.MovImm(RCX, 1<<32) }, "48 b9 00 00 00 00 01 00 00 00", "movabs rcx,0x100000000"},
	{"MovImm", func(a *Asm) { a.MovImm(R15, 0x1122334455667788) }, "49 bf 88 77 66 55 44 33 22 11", "movabs r15,0x1122334455667788"},
	{"MovImm", func(a *Asm) { a.MovImm(RDX, math.MinInt32-1) }, "48 ba ff ff ff 7f ff ff ff ff", "movabs rdx,0xffffffff7fffffff"},
	{"MovImm", func(a *Asm) { a.MovImm(RSP, math.MinInt64) }, "48 bc 00 00 00 00 00 00 00 80", "movabs rsp,0x8000000000000000"},

	// Load: mov, movsxd, movzx and movsx from [base + disp].
	{"Load", func(a *Asm) { a.Load(8, false, RAX, RCX, 0) }, "48 8b 01", "mov rax,QWORD PTR [rcx]"},
	{"Load", func(a *Asm) { a.Load(8, true, R8, RSP, 8) }, "4c 8b 44 24 08", "mov r8,QWORD PTR [rsp+0x8]"},
	{"Load", func(a *Asm) { a.Load(8, false, RBP, RBP, 0x12345678) }, "48 8b ad 78 56 34 12", "mov rbp,QWORD PTR [rbp+0x12345678]"},
	{"Load", func(a *Asm) { a.Load(4, false, RAX, RBP, 0) }, "8b 45 00", "mov eax,DWORD PTR [rbp+0x0]"},
	{"Load", func(a *Asm) { a.Load(4, false, R11, R12, 0) }, "45 8b 1c 24", "mov r11d,DWORD PTR [r12]"},
	{"Load", func(a *Asm) { a.Load(4, true, RAX, R13, 0) }, "49 63 45 00", "movsxd rax,DWORD PTR [r13+0x0]"},
	{"Load", func(a *Asm) { a.Load(4, true, R14, RDX, -128) }, "4c 63 72 80", "movsxd r14,DWORD PTR [rdx-0x80]"},
	{"Load", func(a *Asm) { a.Load(2, false, R10, R12, 127) }, "45 0f b7 54 24 7f", "movzx r10d,WORD PTR [r12+0x7f]"},
	{"Load", func(a *Asm) { a.Load(2, true, RSI, RDI, -128) }, "48 0f bf 77 80", "movsx rsi,WORD PTR [rdi-0x80]"},
	{"Load", func(a *Asm) { a.Load(1, false, RSI, RAX, 128) }, "0f b6 b0 80 00 00 00", "movzx esi,BYTE PTR [rax+0x80]"},
	{"Load", func(a *Asm) { a.Load(1, false, RDI, RSP, 0) }, "0f b6 3c 24", "movzx edi,BYTE PTR [rsp]"},
	{"Load", func(a *Asm) { a.Load(1, true, R15, R9, -129) }, "4d 0f be b9 7f ff ff ff", "movsx r15,BYTE PTR [r9-0x81]"},

	// Store: 0x89 /r (0x66 for 2 bytes, REX.W for 8) or 0x88 /r for one
	// byte, where registers 4-7 need a REX prefix to mean spl..dil.
	{"Store", func(a *Asm) { a.Store(8, RAX, 0, RCX) }, "48 89 08", "mov QWORD PTR [rax],rcx"},
	{"Store", func(a *Asm) { a.Store(8, RSP, 8, R8) }, "4c 89 44 24 08", "mov QWORD PTR [rsp+0x8],r8"},
	{"Store", func(a *Asm) { a.Store(4, RBP, 0, RAX) }, "89 45 00", "mov DWORD PTR [rbp+0x0],eax"},
	{"Store", func(a *Asm) { a.Store(4, R13, -128, R9) }, "45 89 4d 80", "mov DWORD PTR [r13-0x80],r9d"},
	{"Store", func(a *Asm) { a.Store(2, R12, 128, RDX) }, "66 41 89 94 24 80 00 00 00", "mov WORD PTR [r12+0x80],dx"},
	{"Store", func(a *Asm) { a.Store(2, RAX, 0, R15) }, "66 44 89 38", "mov WORD PTR [rax],r15w"},
	{"Store", func(a *Asm) { a.Store(2, RSI, 0, RSP) }, "66 89 26", "mov WORD PTR [rsi],sp"},
	{"Store", func(a *Asm) { a.Store(1, RAX, 0, RCX) }, "88 08", "mov BYTE PTR [rax],cl"},
	{"Store", func(a *Asm) { a.Store(1, RAX, 0, RSP) }, "40 88 20", "mov BYTE PTR [rax],spl"},
	{"Store", func(a *Asm) { a.Store(1, RCX, 0, RBP) }, "40 88 29", "mov BYTE PTR [rcx],bpl"},
	{"Store", func(a *Asm) { a.Store(1, RDX, 0, RSI) }, "40 88 32", "mov BYTE PTR [rdx],sil"},
	{"Store", func(a *Asm) { a.Store(1, RBX, -129, RDI) }, "40 88 bb 7f ff ff ff", "mov BYTE PTR [rbx-0x81],dil"},
	{"Store", func(a *Asm) { a.Store(1, RSP, 0, RAX) }, "88 04 24", "mov BYTE PTR [rsp],al"},
	{"Store", func(a *Asm) { a.Store(1, RDI, 127, RBX) }, "88 5f 7f", "mov BYTE PTR [rdi+0x7f],bl"},
	{"Store", func(a *Asm) { a.Store(1, R12, 0, R8) }, "45 88 04 24", "mov BYTE PTR [r12],r8b"},
	{"Store", func(a *Asm) { a.Store(1, R13, 0, R15) }, "45 88 7d 00", "mov BYTE PTR [r13+0x0],r15b"},
	{"Store", func(a *Asm) { a.Store(1, R8, 0, RSI) }, "41 88 30", "mov BYTE PTR [r8],sil"},

	// StoreImm: 0xc6 /0 ib or 0xc7 /0 iw/id.
	{"StoreImm", func(a *Asm) { a.StoreImm(1, RAX, 0, 0x12) }, "c6 00 12", "mov BYTE PTR [rax],0x12"},
	{"StoreImm", func(a *Asm) { a.StoreImm(1, R12, 1, -1) }, "41 c6 44 24 01 ff", "mov BYTE PTR [r12+0x1],0xff"},
	{"StoreImm", func(a *Asm) { a.StoreImm(1, RSI, 0, 1) }, "c6 06 01", "mov BYTE PTR [rsi],0x1"},
	{"StoreImm", func(a *Asm) { a.StoreImm(2, RBP, 0, 0x1234) }, "66 c7 45 00 34 12", "mov WORD PTR [rbp+0x0],0x1234"},
	{"StoreImm", func(a *Asm) { a.StoreImm(2, R9, 128, -2) }, "66 41 c7 81 80 00 00 00 fe ff", "mov WORD PTR [r9+0x80],0xfffe"},
	{"StoreImm", func(a *Asm) { a.StoreImm(4, RSP, -128, 0x12345678) }, "c7 44 24 80 78 56 34 12", "mov DWORD PTR [rsp-0x80],0x12345678"},
	{"StoreImm", func(a *Asm) { a.StoreImm(4, R13, 0, -1) }, "41 c7 45 00 ff ff ff ff", "mov DWORD PTR [r13+0x0],0xffffffff"},
	{"StoreImm", func(a *Asm) { a.StoreImm(8, RAX, 8, -1) }, "48 c7 40 08 ff ff ff ff", "mov QWORD PTR [rax+0x8],0xffffffffffffffff"},
	{"StoreImm", func(a *Asm) { a.StoreImm(8, R15, -129, math.MaxInt32) }, "49 c7 87 7f ff ff ff ff ff ff 7f", "mov QWORD PTR [r15-0x81],0x7fffffff"},

	// Lea: REX.W 0x8d /r.
	{"Lea", func(a *Asm) { a.Lea(RAX, RCX, 8) }, "48 8d 41 08", "lea rax,[rcx+0x8]"},
	{"Lea", func(a *Asm) { a.Lea(R8, RSP, 0) }, "4c 8d 04 24", "lea r8,[rsp]"},
	{"Lea", func(a *Asm) { a.Lea(RSP, RBP, -128) }, "48 8d 65 80", "lea rsp,[rbp-0x80]"},
	{"Lea", func(a *Asm) { a.Lea(R13, R12, 128) }, "4d 8d ac 24 80 00 00 00", "lea r13,[r12+0x80]"},
	{"Lea", func(a *Asm) { a.Lea(RDI, R13, 0) }, "49 8d 7d 00", "lea rdi,[r13+0x0]"},
	{"Lea", func(a *Asm) { a.Lea(R10, R11, -129) }, "4d 8d 93 7f ff ff ff", "lea r10,[r11-0x81]"},

	// Imul: 0x0f 0xaf /r; ImulImm: 0x69 /r id.
	{"Imul", func(a *Asm) { a.Imul(true, RAX, RCX) }, "48 0f af c1", "imul rax,rcx"},
	{"Imul", func(a *Asm) { a.Imul(false, R8, RAX) }, "44 0f af c0", "imul r8d,eax"},
	{"Imul", func(a *Asm) { a.Imul(true, RDX, R15) }, "49 0f af d7", "imul rdx,r15"},
	{"Imul", func(a *Asm) { a.Imul(false, RSP, R12) }, "41 0f af e4", "imul esp,r12d"},
	{"ImulImm", func(a *Asm) { a.ImulImm(true, RAX, RCX, 10) }, "48 69 c1 0a 00 00 00", "imul rax,rcx,0xa"},
	{"ImulImm", func(a *Asm) { a.ImulImm(false, R9, R10, -1) }, "45 69 ca ff ff ff ff", "imul r9d,r10d,0xffffffff"},
	{"ImulImm", func(a *Asm) { a.ImulImm(true, R15, RAX, math.MinInt32) }, "4c 69 f8 00 00 00 80", "imul r15,rax,0xffffffff80000000"},
	{"ImulImm", func(a *Asm) { a.ImulImm(false, RBP, R13, 0x10000) }, "41 69 ed 00 00 01 00", "imul ebp,r13d,0x10000"},

	// Unary: 0xf7 /op.
	{"Unary", func(a *Asm) { a.Unary(Not, true, RAX) }, "48 f7 d0", "not rax"},
	{"Unary", func(a *Asm) { a.Unary(Not, false, R12) }, "41 f7 d4", "not r12d"},
	{"Unary", func(a *Asm) { a.Unary(Neg, false, RCX) }, "f7 d9", "neg ecx"},
	{"Unary", func(a *Asm) { a.Unary(Neg, true, R8) }, "49 f7 d8", "neg r8"},
	{"Unary", func(a *Asm) { a.Unary(Div, true, RCX) }, "48 f7 f1", "div rcx"},
	{"Unary", func(a *Asm) { a.Unary(Div, false, R11) }, "41 f7 f3", "div r11d"},
	{"Unary", func(a *Asm) { a.Unary(Idiv, true, R15) }, "49 f7 ff", "idiv r15"},
	{"Unary", func(a *Asm) { a.Unary(Idiv, false, RSI) }, "f7 fe", "idiv esi"},

	// ShiftImm: 0xc1 /op ib; ShiftCL: 0xd3 /op.
	{"ShiftImm", func(a *Asm) { a.ShiftImm(Shl, true, RAX, 3) }, "48 c1 e0 03", "shl rax,0x3"},
	{"ShiftImm", func(a *Asm) { a.ShiftImm(Shr, false, R9, 31) }, "41 c1 e9 1f", "shr r9d,0x1f"},
	{"ShiftImm", func(a *Asm) { a.ShiftImm(Sar, true, R15, 63) }, "49 c1 ff 3f", "sar r15,0x3f"},
	{"ShiftImm", func(a *Asm) { a.ShiftImm(Rol, false, RDX, 1) }, "c1 c2 01", "rol edx,0x1"},
	{"ShiftImm", func(a *Asm) { a.ShiftImm(Ror, true, RSP, 8) }, "48 c1 cc 08", "ror rsp,0x8"},
	{"ShiftCL", func(a *Asm) { a.ShiftCL(Shl, true, RAX) }, "48 d3 e0", "shl rax,cl"},
	{"ShiftCL", func(a *Asm) { a.ShiftCL(Shr, false, R8) }, "41 d3 e8", "shr r8d,cl"},
	{"ShiftCL", func(a *Asm) { a.ShiftCL(Sar, true, RDI) }, "48 d3 ff", "sar rdi,cl"},
	{"ShiftCL", func(a *Asm) { a.ShiftCL(Rol, true, R13) }, "49 d3 c5", "rol r13,cl"},
	{"ShiftCL", func(a *Asm) { a.ShiftCL(Ror, false, RCX) }, "d3 c9", "ror ecx,cl"},

	// Rol16: 0x66 0xc1 /0 ib.
	{"Rol16", func(a *Asm) { a.Rol16(RAX, 8) }, "66 c1 c0 08", "rol ax,0x8"},
	{"Rol16", func(a *Asm) { a.Rol16(R9, 8) }, "66 41 c1 c1 08", "rol r9w,0x8"},
	{"Rol16", func(a *Asm) { a.Rol16(RSP, 4) }, "66 c1 c4 04", "rol sp,0x4"},

	// Bswap: 0x0f 0xc8+r.
	{"Bswap", func(a *Asm) { a.Bswap(true, RAX) }, "48 0f c8", "bswap rax"},
	{"Bswap", func(a *Asm) { a.Bswap(false, RCX) }, "0f c9", "bswap ecx"},
	{"Bswap", func(a *Asm) { a.Bswap(true, R12) }, "49 0f cc", "bswap r12"},
	{"Bswap", func(a *Asm) { a.Bswap(false, R15) }, "41 0f cf", "bswap r15d"},
	{"Bswap", func(a *Asm) { a.Bswap(false, RDI) }, "0f cf", "bswap edi"},

	// MovzxRR: 0x0f 0xb6/0xb7 /r; a byte source in 4-7 needs REX.
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, RAX, RCX) }, "0f b6 c1", "movzx eax,cl"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, RAX, RSP) }, "40 0f b6 c4", "movzx eax,spl"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, RSP, RAX) }, "0f b6 e0", "movzx esp,al"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, RBP, RBP) }, "40 0f b6 ed", "movzx ebp,bpl"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, R8, RDI) }, "44 0f b6 c7", "movzx r8d,dil"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(1, RSI, R15) }, "41 0f b6 f7", "movzx esi,r15b"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(2, RAX, R10) }, "41 0f b7 c2", "movzx eax,r10w"},
	{"MovzxRR", func(a *Asm) { a.MovzxRR(2, R11, RSP) }, "44 0f b7 dc", "movzx r11d,sp"},

	// MovsxRR: 0x0f 0xbe/0xbf /r, or REX.W 0x63 /r for 4 bytes.
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 1, RAX, RCX) }, "48 0f be c1", "movsx rax,cl"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 1, R9, RSI) }, "4c 0f be ce", "movsx r9,sil"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 1, RSP, RBP) }, "48 0f be e5", "movsx rsp,bpl"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(false, 1, RAX, RDI) }, "40 0f be c7", "movsx eax,dil"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(false, 1, RDI, RAX) }, "0f be f8", "movsx edi,al"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(false, 1, R8, R12) }, "45 0f be c4", "movsx r8d,r12b"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 2, RDX, R12) }, "49 0f bf d4", "movsx rdx,r12w"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(false, 2, R13, RBX) }, "44 0f bf eb", "movsx r13d,bx"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 4, RAX, RCX) }, "48 63 c1", "movsxd rax,ecx"},
	{"MovsxRR", func(a *Asm) { a.MovsxRR(true, 4, R15, R8) }, "4d 63 f8", "movsxd r15,r8d"},

	// Test: 0x85 /r; TestImm: 0xf7 /0 id.
	{"Test", func(a *Asm) { a.Test(true, RAX, RCX) }, "48 85 c8", "test rax,rcx"},
	{"Test", func(a *Asm) { a.Test(false, R8, RSP) }, "41 85 e0", "test r8d,esp"},
	{"Test", func(a *Asm) { a.Test(true, RDI, R15) }, "4c 85 ff", "test rdi,r15"},
	{"Test", func(a *Asm) { a.Test(false, RAX, RAX) }, "85 c0", "test eax,eax"},
	{"TestImm", func(a *Asm) { a.TestImm(true, RAX, 1) }, "48 f7 c0 01 00 00 00", "test rax,0x1"},
	{"TestImm", func(a *Asm) { a.TestImm(false, R14, -1) }, "41 f7 c6 ff ff ff ff", "test r14d,0xffffffff"},
	{"TestImm", func(a *Asm) { a.TestImm(true, RSP, -128) }, "48 f7 c4 80 ff ff ff", "test rsp,0xffffffffffffff80"},
	{"TestImm", func(a *Asm) { a.TestImm(false, RBX, 0x80) }, "f7 c3 80 00 00 00", "test ebx,0x80"},

	{"Cqo", func(a *Asm) { a.Cqo() }, "48 99", "cqo"},
	{"Cdq", func(a *Asm) { a.Cdq() }, "99", "cdq"},

	// Jcc: 0x0f 0x80+cc rel32, to labels behind and ahead.
	{"Jcc", back(func(a *Asm, l Label) { a.Jcc(CondE, l) }), "0f 84 fa ff ff ff", "je {0x0}"},
	{"Jcc", fwd(func(a *Asm, l Label) { a.Jcc(CondNE, l) }), "0f 85 00 00 00 00", "jne {0x6}"},
	{"Jcc", back(func(a *Asm, l Label) { a.Jcc(CondB, l) }), "0f 82 fa ff ff ff", "jb {0x0}"},
	{"Jcc", fwd(func(a *Asm, l Label) { a.Jcc(CondAE, l) }), "0f 83 00 00 00 00", "jae {0x6}"},
	{"Jcc", back(func(a *Asm, l Label) { a.Jcc(CondBE, l) }), "0f 86 fa ff ff ff", "jbe {0x0}"},
	{"Jcc", fwd(func(a *Asm, l Label) { a.Jcc(CondA, l) }), "0f 87 00 00 00 00", "ja {0x6}"},
	{"Jcc", back(func(a *Asm, l Label) { a.Jcc(CondL, l) }), "0f 8c fa ff ff ff", "jl {0x0}"},
	{"Jcc", fwd(func(a *Asm, l Label) { a.Jcc(CondGE, l) }), "0f 8d 00 00 00 00", "jge {0x6}"},
	{"Jcc", back(func(a *Asm, l Label) { a.Jcc(CondLE, l) }), "0f 8e fa ff ff ff", "jle {0x0}"},
	{"Jcc", fwd(func(a *Asm, l Label) { a.Jcc(CondG, l) }), "0f 8f 00 00 00 00", "jg {0x6}"},

	// Jmp: 0xe9 rel32.
	{"Jmp", back(func(a *Asm, l Label) { a.Jmp(l) }), "e9 fb ff ff ff", "jmp {0x0}"},
	{"Jmp", fwd(func(a *Asm, l Label) { a.Jmp(l) }), "e9 00 00 00 00", "jmp {0x5}"},

	// JmpReg and JmpMem: 0xff /4.
	{"JmpReg", func(a *Asm) { a.JmpReg(RAX) }, "ff e0", "jmp rax"},
	{"JmpReg", func(a *Asm) { a.JmpReg(RSP) }, "ff e4", "jmp rsp"},
	{"JmpReg", func(a *Asm) { a.JmpReg(R11) }, "41 ff e3", "jmp r11"},
	{"JmpReg", func(a *Asm) { a.JmpReg(R15) }, "41 ff e7", "jmp r15"},
	{"JmpMem", func(a *Asm) { a.JmpMem(RAX, 8) }, "ff 60 08", "jmp QWORD PTR [rax+0x8]"},
	{"JmpMem", func(a *Asm) { a.JmpMem(R12, 0) }, "41 ff 24 24", "jmp QWORD PTR [r12]"},
	{"JmpMem", func(a *Asm) { a.JmpMem(RBP, 0) }, "ff 65 00", "jmp QWORD PTR [rbp+0x0]"},
	{"JmpMem", func(a *Asm) { a.JmpMem(R13, 128) }, "41 ff a5 80 00 00 00", "jmp QWORD PTR [r13+0x80]"},
	{"JmpMem", func(a *Asm) { a.JmpMem(RSP, -129) }, "ff a4 24 7f ff ff ff", "jmp QWORD PTR [rsp-0x81]"},

	// LeaLabel: REX.W 0x8d /r with a rip-relative disp32.
	{"LeaLabel", back(func(a *Asm, l Label) { a.LeaLabel(RAX, l) }), "48 8d 05 f9 ff ff ff", "lea rax,[rip+0xfffffffffffffff9] # {0x0}"},
	{"LeaLabel", fwd(func(a *Asm, l Label) { a.LeaLabel(R12, l) }), "4c 8d 25 00 00 00 00", "lea r12,[rip+0x0] # {0x7}"},
	{"LeaLabel", fwd(func(a *Asm, l Label) { a.LeaLabel(RBP, l) }), "48 8d 2d 00 00 00 00", "lea rbp,[rip+0x0] # {0x7}"},

	{"Ret", func(a *Asm) { a.Ret() }, "c3", "ret"},
	{"Int3", func(a *Asm) { a.Int3() }, "cc", "int3"},
}

func (c encCase) name() string { return c.method + "/" + c.text }

// assemble runs c in a fresh Asm and returns the finished code.
func (c encCase) assemble(t *testing.T) []byte {
	t.Helper()
	var a Asm
	c.emit(&a)
	n := a.Len()
	code, err := a.Finish()
	if err != nil {
		t.Fatalf("%s: Finish: %v", c.name(), err)
	}
	if len(code) != n {
		t.Fatalf("%s: Finish changed the length from %d to %d", c.name(), n, len(code))
	}
	return code
}

func (c encCase) want(t *testing.T) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(c.hex, " ", ""))
	if err != nil {
		t.Fatalf("%s: bad hex %q: %v", c.name(), c.hex, err)
	}
	return b
}

func TestEncode(t *testing.T) {
	for _, c := range encCases {
		t.Run(c.name(), func(t *testing.T) {
			got, want := c.assemble(t), c.want(t)
			if !bytes.Equal(got, want) {
				t.Errorf("got % x, want % x", got, want)
			}
		})
	}
}

// TestEncodeCoverage checks that the table calls every emitting method.
func TestEncodeCoverage(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range encCases {
		seen[c.method] = true
	}
	for _, m := range []string{"ALURR", "ALURI", "ALURM", "ALUMI", "MovRR", "MovImm", "Load", "Store", "StoreImm", "Lea", "Imul", "ImulImm", "Unary", "ShiftImm", "ShiftCL", "Rol16", "Bswap", "MovzxRR", "MovsxRR", "Test", "TestImm", "Cqo", "Cdq", "Jcc", "Jmp", "JmpReg", "JmpMem", "LeaLabel", "Ret", "Int3"} {
		if !seen[m] {
			t.Errorf("no case calls %s", m)
		}
	}
}

var addrRef = regexp.MustCompile(`\{0x([0-9a-f]+)\}`)

// TestEncodeObjdump disassembles every case with GNU objdump and checks
// that it reads each one back as one instruction with the table's bytes
// and text.
func TestEncodeObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("objdump (GNU binutils) is required when CI=true: %v", err)
		}
		t.Skipf("objdump (GNU binutils) not found, cannot cross-check the encodings: %v", err)
	}
	type want struct {
		start int
		bytes []byte
		text  string
		name  string
	}
	var buf []byte
	var wants []want
	for _, c := range encCases {
		start := len(buf)
		text := addrRef.ReplaceAllStringFunc(c.text, func(s string) string {
			n, _ := strconv.ParseUint(addrRef.FindStringSubmatch(s)[1], 16, 64)
			return fmt.Sprintf("%#x", start+int(n))
		})
		wants = append(wants, want{start, c.want(t), text, c.name()})
		buf = append(buf, c.assemble(t)...)
	}
	path := filepath.Join(t.TempDir(), "code.bin")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(objdump, "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel", "--insn-width=16", path).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	// Instruction lines look like "   1f:\t48 01 c8 \tadd    rax,rcx".
	insn := regexp.MustCompile(`^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$`)
	var got []want
	for _, line := range strings.Split(string(out), "\n") {
		m := insn.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		addr, _ := strconv.ParseUint(m[1], 16, 64)
		b, err := hex.DecodeString(strings.ReplaceAll(m[2], " ", ""))
		if err != nil {
			t.Fatalf("objdump line %q: %v", line, err)
		}
		got = append(got, want{start: int(addr), bytes: b, text: strings.Join(strings.Fields(m[3]), " ")})
	}
	for i, w := range wants {
		if i >= len(got) {
			t.Fatalf("objdump printed %d instructions, want %d", len(got), len(wants))
		}
		g := got[i]
		if g.start != w.start || !bytes.Equal(g.bytes, w.bytes) || g.text != w.text {
			t.Errorf("%s: objdump reads %#x: % x %q, want %#x: % x %q", w.name, g.start, g.bytes, g.text, w.start, w.bytes, w.text)
		}
	}
	if len(got) != len(wants) {
		t.Errorf("objdump printed %d instructions, want %d", len(got), len(wants))
	}
}

func rel32At(code []byte, at int) int32 { return int32(binary.LittleEndian.Uint32(code[at:])) }

func TestLabels(t *testing.T) {
	var a Asm
	top := a.NewLabel()
	end := a.NewLabel()
	a.NewLabel() // never targeted, never bound: fine
	if _, ok := a.Bound(top); ok {
		t.Fatal("new label reports bound")
	}
	a.Bind(top) // 0
	if p, ok := a.Bound(top); !ok || p != 0 {
		t.Fatalf("Bound(top) = %d, %v, want 0, true", p, ok)
	}
	a.Jcc(CondE, end)             // 0..6, disp at 2
	a.MovRR(true, RAX, RCX)       // 6..9
	a.Jmp(top)                    // 9..14, disp at 10
	a.LeaLabel(R11, end)          // 14..21, disp at 17
	a.LeaLabel(RAX, top)          // 21..28, disp at 24
	a.ALURI(Add, true, RAX, 1000) // 28..35
	a.Bind(end)                   // 35
	a.Jcc(CondL, top)             // 35..41, disp at 37
	a.Jmp(end)                    // 41..46, disp at 42
	mid := a.NewLabel()
	a.Jmp(mid) // 46..51, disp at 47: a jump to the next instruction
	a.Bind(mid)
	a.Ret() // 51
	if p, ok := a.Bound(end); !ok || p != 35 {
		t.Fatalf("Bound(end) = %d, %v, want 35, true", p, ok)
	}
	code, err := a.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := "0f 84 1d 00 00 00" + // je +29 (35-6)
		" 48 89 c8" +
		" e9 f2 ff ff ff" + // jmp -14 (0-14)
		" 4c 8d 1d 0e 00 00 00" + // lea r11,[rip+14] (35-21)
		" 48 8d 05 e4 ff ff ff" + // lea rax,[rip-28] (0-28)
		" 48 81 c0 e8 03 00 00" +
		" 0f 8c d7 ff ff ff" + // jl -41 (0-41)
		" e9 f5 ff ff ff" + // jmp -11 (35-46)
		" e9 00 00 00 00" +
		" c3"
	for _, j := range []struct{ at, target int }{{2, 35}, {10, 0}, {17, 35}, {24, 0}, {37, 0}, {42, 35}, {47, 51}} {
		if d := rel32At(code, j.at); int(d) != j.target-(j.at+4) {
			t.Errorf("displacement at %d = %d, want %d", j.at, d, j.target-(j.at+4))
		}
	}
	wantB, _ := hex.DecodeString(strings.ReplaceAll(want, " ", ""))
	if !bytes.Equal(code, wantB) {
		t.Errorf("code\n% x\nwant\n% x", code, wantB)
	}
}

func TestFinishUnbound(t *testing.T) {
	for _, tc := range []struct {
		name string
		emit func(a *Asm, l Label)
	}{
		{"Jcc", func(a *Asm, l Label) { a.Jcc(CondNE, l) }},
		{"Jmp", func(a *Asm, l Label) { a.Jmp(l) }},
		{"LeaLabel", func(a *Asm, l Label) { a.LeaLabel(RAX, l) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a Asm
			ok := a.NewLabel()
			a.Bind(ok)
			a.Jmp(ok)
			l := a.NewLabel()
			tc.emit(&a, l)
			code, err := a.Finish()
			if !errors.Is(err, ErrUnbound) {
				t.Fatalf("Finish = % x, %v; want an error wrapping ErrUnbound", code, err)
			}
			if code != nil {
				t.Errorf("Finish returned code % x with its error", code)
			}
			// Binding the label afterwards lets Finish succeed.
			a.Bind(l)
			if _, err := a.Finish(); err != nil {
				t.Errorf("Finish after Bind: %v", err)
			}
		})
	}
}

// fuzzInput hands out the bytes of a fuzz input; past its end it yields
// zeros.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) more() bool { return len(in.b) > 0 }

func (in *fuzzInput) u8() uint8 {
	if len(in.b) == 0 {
		return 0
	}
	v := in.b[0]
	in.b = in.b[1:]
	return v
}

func (in *fuzzInput) raw(n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		v |= uint64(in.u8()) << (8 * i)
	}
	return v
}

func (in *fuzzInput) reg() Reg  { return Reg(in.u8() & 15) }
func (in *fuzzInput) w64() bool { return in.u8()&1 != 0 }

// Values at the edges of the imm8/disp8 and imm32 encodings.
var edges32 = []int32{0, 1, -1, 8, 127, 128, -128, -129, 255, 256, 0x7fff, -0x8000, 0xffff, math.MaxInt32, math.MinInt32, math.MaxInt32 - 1}

// i32 is an edge value or, when the selector's top bit is set, 4 raw bytes.
func (in *fuzzInput) i32() int32 {
	s := in.u8()
	if s&0x80 != 0 {
		return int32(uint32(in.raw(4)))
	}
	return edges32[int(s)%len(edges32)]
}

var edges64 = []int64{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxUint32, math.MaxUint32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64, 0x1122334455667788}

func (in *fuzzInput) i64() int64 {
	s := in.u8()
	if s&0x80 != 0 {
		return int64(in.raw(8))
	}
	return edges64[int(s)%len(edges64)]
}

var (
	fuzzALU    = []ALU{Add, Or, And, Sub, Xor, Cmp}
	fuzzShift  = []Shift{Rol, Ror, Shl, Shr, Sar}
	fuzzUnary  = []Unary{Not, Neg, Div, Idiv}
	fuzzCond   = []Cond{CondB, CondAE, CondE, CondNE, CondBE, CondA, CondL, CondGE, CondLE, CondG}
	fuzzSize   = []int{1, 2, 4, 8}
	fuzzLabels = 4
)

// fuzzOps is the number of operations fuzzStep can decode.
const fuzzOps = 33

// fuzzStep decodes one operation from in and emits it. It returns the
// label a Jcc, Jmp or LeaLabel targets (whose rel32 is then the last four
// bytes emitted) and whether the operation was a Bind, which emits nothing.
func fuzzStep(a *Asm, in *fuzzInput, labels []Label) (target Label, jump, bind bool) {
	target = -1
	pick := func() Label { return labels[int(in.u8())%len(labels)] }
	switch in.u8() % fuzzOps {
	case 0:
		a.ALURR(fuzzALU[int(in.u8())%len(fuzzALU)], in.w64(), in.reg(), in.reg())
	case 1:
		a.ALURI(fuzzALU[int(in.u8())%len(fuzzALU)], in.w64(), in.reg(), in.i32())
	case 2:
		a.ALURM(fuzzALU[int(in.u8())%len(fuzzALU)], in.w64(), in.reg(), in.reg(), in.i32())
	case 3:
		a.ALUMI(fuzzALU[int(in.u8())%len(fuzzALU)], in.w64(), in.reg(), in.i32(), in.i32())
	case 4:
		a.MovRR(in.w64(), in.reg(), in.reg())
	case 5:
		a.MovImm(in.reg(), in.i64())
	case 6:
		a.Load(fuzzSize[in.u8()&3], in.w64(), in.reg(), in.reg(), in.i32())
	case 7:
		a.Store(fuzzSize[in.u8()&3], in.reg(), in.i32(), in.reg())
	case 8:
		a.StoreImm(fuzzSize[in.u8()&3], in.reg(), in.i32(), in.i32())
	case 9:
		a.Lea(in.reg(), in.reg(), in.i32())
	case 10:
		a.Imul(in.w64(), in.reg(), in.reg())
	case 11:
		a.ImulImm(in.w64(), in.reg(), in.reg(), in.i32())
	case 12:
		a.Unary(fuzzUnary[int(in.u8())%len(fuzzUnary)], in.w64(), in.reg())
	case 13:
		a.ShiftImm(fuzzShift[int(in.u8())%len(fuzzShift)], in.w64(), in.reg(), in.u8())
	case 14:
		a.ShiftCL(fuzzShift[int(in.u8())%len(fuzzShift)], in.w64(), in.reg())
	case 15:
		a.Rol16(in.reg(), in.u8())
	case 16:
		a.Bswap(in.w64(), in.reg())
	case 17:
		a.MovzxRR(1+int(in.u8()&1), in.reg(), in.reg())
	case 18:
		size := []int{1, 2, 4}[int(in.u8())%3]
		w := in.w64() || size == 4
		a.MovsxRR(w, size, in.reg(), in.reg())
	case 19:
		a.Test(in.w64(), in.reg(), in.reg())
	case 20:
		a.TestImm(in.w64(), in.reg(), in.i32())
	case 21:
		a.Cqo()
	case 22:
		a.Cdq()
	case 23:
		target = pick()
		a.Jcc(fuzzCond[int(in.u8())%len(fuzzCond)], target)
		jump = true
	case 24:
		target = pick()
		a.Jmp(target)
		jump = true
	case 25:
		a.JmpReg(in.reg())
	case 26:
		a.JmpMem(in.reg(), in.i32())
	case 27:
		target = pick()
		a.LeaLabel(in.reg(), target)
		jump = true
	case 28:
		a.Ret()
	case 29:
		a.Int3()
	case 30, 31, 32:
		a.Bind(pick())
		bind = true
	}
	return target, jump, bind
}

// FuzzEncode decodes its input into a sequence of encoder calls and checks
// that none panics, that each emits 1 to 15 bytes (a Bind none), that the
// code's length is the sum of those, and that Finish resolves every jump
// to its label, or fails with ErrUnbound when a target was never bound.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 1, 23, 0, 4, 30, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{data}
		var a Asm
		labels := make([]Label, fuzzLabels)
		for i := range labels {
			labels[i] = a.NewLabel()
		}
		type jump struct {
			end   int // just past the rel32
			label Label
		}
		var jumps []jump
		sum := 0
		for n := 0; in.more() && n < 4096; n++ {
			before := a.Len()
			target, isJump, bind := fuzzStep(&a, in, labels)
			delta := a.Len() - before
			switch {
			case bind && delta != 0:
				t.Fatalf("step %d: Bind emitted %d bytes", n, delta)
			case !bind && (delta < 1 || delta > 15):
				t.Fatalf("step %d: emitted %d bytes, want 1 to 15", n, delta)
			}
			if isJump {
				jumps = append(jumps, jump{a.Len(), target})
			}
			sum += delta
		}
		if a.Len() != sum {
			t.Fatalf("Len() = %d, want the sum of the steps' lengths %d", a.Len(), sum)
		}
		unbound := false
		for _, j := range jumps {
			if _, ok := a.Bound(j.label); !ok {
				unbound = true
			}
		}
		code, err := a.Finish()
		if unbound {
			if !errors.Is(err, ErrUnbound) {
				t.Fatalf("Finish with an unbound target: err = %v, want ErrUnbound", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Finish: %v", err)
		}
		if len(code) != sum {
			t.Fatalf("len(code) = %d, want %d", len(code), sum)
		}
		for _, j := range jumps {
			p, _ := a.Bound(j.label)
			if d := rel32At(code, j.end-4); int(d) != p-j.end {
				t.Fatalf("jump ending at %d to label %d at %d: rel32 = %d, want %d", j.end, j.label, p, d, p-j.end)
			}
		}
	})
}
