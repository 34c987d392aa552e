package asm

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		syntax    Syntax
		src       string
		line, col int
		msg       string
	}{
		// Kernel syntax.
		{Kernel, "r0 = 1\nfoo r1\n", 2, 1, `expected an instruction (register, "*", if, goto, gotol, call, callx, lock, exit), found "foo"`},
		{Kernel, "r0 ! 1", 1, 4, `expected an assignment operator (=, +=, -=, *=, /=, s/=, %=, s%=, |=, &=, ^=, <<=, >>=, s>>=), found "!"`},
		{Kernel, "r0 = é", 1, 6, `unexpected character 'é'`},
		{Kernel, "r0 ^ 1", 1, 4, `expected an assignment operator`},
		{Kernel, "r0 = ", 1, 5, `expected register, immediate or expression, found end of line`},
		{Kernel, "r0 += 0x1ffffffff", 1, 7, `register or immediate 8589934591 does not fit in 32 bits`},
		{Kernel, "w0 = 0x1ffffffff", 1, 6, `immediate 8589934591 does not fit in 32 bits`},
		{Kernel, "r0 = 99999999999999999999", 1, 6, `does not fit in 64 bits`},
		{Kernel, "r0 = 0xzz", 1, 6, `expected register, immediate or expression, found "0xzz"`},
		{Kernel, "r11 = 1", 1, 1, `expected an instruction`},
		{Kernel, "r0 += w1", 1, 7, `expected an r register in a 64-bit operation, found "w1"`},
		{Kernel, "w0 += r1", 1, 7, `expected a w register in a 32-bit operation, found "r1"`},
		{Kernel, "r0 = *(u64 *)(r1 + 0x8000)", 1, 18, `offset 32768 does not fit in 16 bits`},
		{Kernel, "r0 = *(u128 *)(r1 + 0)", 1, 8, `expected a type u8, u16, u32, u64, s8, s16 or s32, found "u128"`},
		{Kernel, "r0 = *(u64 *)(r1 + 0", 1, 21, `expected ")", found end of line`},
		{Kernel, "r0 = *(u64 *)[r1]", 1, 14, `expected "(", found "["`},
		{Kernel, "*(s8 *)(r1 + 0) = 1", 1, 3, `expected an unsigned type in a store`},
		{Kernel, "*(u8 *)(r1 + 0) == 1", 1, 17, `expected "=", found "=="`},
		{Kernel, "if r0 =! 0 goto +1", 1, 7, `expected a comparison`},
		{Kernel, "if r0 == 0 got +1", 1, 12, `expected "goto", found "got"`},
		{Kernel, "if r0 == 0 goto", 1, 16, `expected jump offset or label, found end of line`},
		{Kernel, "goto +40000", 1, 6, `jump offset 40000 does not fit in 16 bits (use gotol)`},
		{Kernel, "goto +0x1 <foo", 1, 15, `expected ">", found end of line`},
		{Kernel, "goto nowhere", 1, 6, `undefined label "nowhere"`},
		{Kernel, "a:\na: exit", 2, 1, `label "a" defined twice`},
		{Kernel, "call", 1, 5, `expected helper id, pc+OFFSET, kernel-function#ID or function label, found end of line`},
		{Kernel, "call pc 3", 1, 9, `expected "+" or "-" after pc, found "3"`},
		{Kernel, "callx 3", 1, 7, `expected register r0..r10 or w0..w10, found "3"`},
		{Kernel, "lock *(u8 *)(r1 + 0) += r2", 1, 8, `expected u32 or u64 in an atomic operation, found "u8"`},
		{Kernel, "lock *(u64 *)(r1 + 0) -= r2", 1, 23, `expected +=, |=, &= or ^=, found "-="`},
		{Kernel, "r1 = atomic_fetch_sub((u64 *)(r1 + 0), r1)", 1, 6, `expected atomic_fetch_add, _or, _and or _xor, found "atomic_fetch_sub"`},
		{Kernel, "r1 = atomic_fetch_add((u64 *)(r1 + 0), r2)", 1, 40, `expected r1: the fetched value goes to the source register`},
		{Kernel, "r1 = cmpxchg_64(r1 + 0, r0, r2)", 1, 25, `expected r0 (cmpxchg compares with and loads into r0)`},
		{Kernel, "r1 = frob r1", 1, 6, `expected an immediate, register, byte swap (be16, le32, bswap64) or atomic operation, found "frob"`},
		{Kernel, "r1 = be16 r2", 1, 11, `expected the destination register again in a byte swap, found "r2"`},
		{Kernel, "r1 = -r2", 1, 7, `expected the destination register again in a negation, found "r2"`},
		{Kernel, "r1 = (s64)r2", 1, 7, `expected s8, s16 or s32, found "s64"`},
		{Kernel, "w1 = (s32)w2", 1, 1, `reserved fields`},
		{Kernel, "w1 = 1 ll", 1, 6, `expected an r register on the left of this instruction`},
		{Kernel, "r1 = *(u64 *)skb[0]", 1, 8, `expected r0 = *(u8|u16|u32 *)skb[...]`},
		{Kernel, "ld_pseudo r1, 0x7, 0x1", 1, 15, `expected pseudo source 0..6, found 7`},
		{Kernel, "r1 = map_fd(1", 1, 14, `expected ")", found end of line`},
		{Kernel, "exit r0", 1, 6, `expected end of instruction, found "r0"`},
		// Conformance syntax.
		{Conformance, "mov %r0", 1, 8, `expected ",", found end of line`},
		{Conformance, "mov r0, 1", 1, 5, `expected register %r0..%r10, found "r0"`},
		{Conformance, "mov %r11, 1", 1, 5, `expected register %r0..%r10, found "%r11"`},
		{Conformance, "frob %r0, 1", 1, 1, `expected a mnemonic (mov, add, ldxw, stxdw, jeq, ja, call, exit, ...), found "frob"`},
		{Conformance, "[%r0]", 1, 1, `expected a mnemonic, found "["`},
		{Conformance, "ldxq %r1, [%r2]", 1, 1, `expected ldxb, ldxh, ldxw, ldxdw, ldxsb, ldxsh or ldxsw, found "ldxq"`},
		{Conformance, "ldxw %r1, %r2", 1, 11, `expected "[", found "%r2"`},
		{Conformance, "ldxw %r1, [%r2+", 1, 16, `expected offset, found end of line`},
		{Conformance, "ldxw %r1, [%r2+4", 1, 17, `expected "]", found end of line`},
		{Conformance, "stxw [%r1], 5", 1, 13, `expected register %r0..%r10, found "5"`},
		{Conformance, "stw [%r1], %r2", 1, 12, `expected immediate, found "%r2"`},
		{Conformance, "jeq %r1, 5", 1, 11, `expected ",", found end of line`},
		{Conformance, "jeq %r1, 5, nowhere", 1, 13, `undefined label "nowhere"`},
		{Conformance, "ja 40000", 1, 4, `jump offset 40000 does not fit in 16 bits (use ja32)`},
		{Conformance, "lock sub [%r1], %r2", 1, 6, `expected an atomic operation (add, or, and, xor, fetch OP, xchg, cmpxchg, with 32 for 32 bits), found "sub"`},
		{Conformance, "lock fetch xchg [%r1], %r2", 1, 12, `expected an atomic operation`},
		{Conformance, "movsx6464 %r1, %r2", 1, 1, `expected movsx832, movsx1632, movsx864, movsx1664 or movsx3264, found "movsx6464"`},
		{Conformance, "ldabsdw 4", 1, 1, `expected ldabsb, ldabsh or ldabsw, found "ldabsdw"`},
		{Conformance, "ldindq %r1, 4", 1, 1, `expected ldindb, ldindh or ldindw, found "ldindq"`},
		{Conformance, "swap8 %r0", 1, 1, `expected swap16, swap32 or swap64, found "swap8"`},
		{Conformance, "call", 1, 5, `expected helper id, local TARGET, kfunc ID or register, found end of line`},
		{Conformance, "lddw %r1, map_fd(1, 2)", 1, 19, `expected ")", found ","`},
		{Conformance, "lddw %r1, pseudo(9, 1, 2)", 1, 18, `pseudo source must be 1..6, found 9`},
		{Conformance, "lddw %r1, frob(1)", 1, 11, `expected 64-bit immediate, found "frob"`},
		{Conformance, "mov32 %r0, 1\n\n  add %r0, 0x100000000", 3, 12, `register or immediate 4294967296 does not fit in 32 bits`},
	}
	for _, tt := range tests {
		insns, err := Assemble(tt.src, tt.syntax)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s %q: got %v, %v; want a *SyntaxError", tt.syntax, tt.src, insns, err)
			continue
		}
		if insns != nil {
			t.Errorf("%s %q: result %v with an error", tt.syntax, tt.src, insns)
		}
		if se.Line != tt.line || se.Column != tt.col || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%s %q:\n got line %d, column %d: %s\nwant line %d, column %d: ...%s...", tt.syntax, tt.src, se.Line, se.Column, se.Msg, tt.line, tt.col, tt.msg)
		}
		if want := "line " + itoa(se.Line) + ", column " + itoa(se.Column) + ": " + se.Msg; err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestParseSyntax(t *testing.T) {
	for _, s := range []Syntax{Kernel, Conformance} {
		got, err := ParseSyntax(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSyntax(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseSyntax("intel"); err == nil || !strings.Contains(err.Error(), `"intel"`) {
		t.Errorf("ParseSyntax(intel): %v", err)
	}
	if _, err := Assemble("exit", Syntax(7)); err == nil {
		t.Error("Assemble with an unknown syntax succeeded")
	}
	if Syntax(7).String() != "Syntax(7)" {
		t.Errorf("Syntax(7).String() = %q", Syntax(7).String())
	}
}
