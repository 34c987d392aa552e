// Package cbpf is classic BPF: the instruction set of the BSD packet filter
// as libpcap generates it and the Linux kernel runs it in socket filters.
//
// # Instructions and text
//
// An Instruction has the layout of the kernel's struct sock_filter (Op, Jt,
// Jf, K); the Op* constants name every opcode, the SKFAd* constants the
// Linux ancillary loads. Four text formats are read and written:
//
//   - `tcpdump -d` (libpcap's bpf_image): Disasm, Image, ParseDisasm
//   - `tcpdump -dd` (C initializers): DumpC, ParseC
//   - `tcpdump -ddd` (decimal): DumpDecimal, ParseDecimal
//   - the kernel's bpf_asm syntax with labels: FormatAsm, ParseAsm
//
// The tcpdump formats are printed byte for byte as tcpdump 1.10.3 prints them.
// Parse errors are *ParseError values with line and column.
//
// # Running
//
// NewProgram is the only constructor of a runnable Program: it applies
// libpcap's validator (Validate) and pre-decodes the program. Program.Run has
// the semantics of libpcap's pcap_offline_filter: loads outside the captured
// bytes, and division or modulo by zero, return 0; `len` is the wire length;
// shifts by 32 or more give 0; backward jumps (libpcap's protochain) are
// bounded, so every run terminates. Run does not allocate.
//
// CheckKernel applies the Linux kernel's socket-filter checks
// (bpf_check_classic and check_load_and_stores) and names the instruction and
// rule that fails.
//
// # eBPF
//
// ToEBPF translates a program to eBPF as the kernel converts socket filters,
// for a raw convention (r1 = packet, r2 = captured length, r3 = wire
// length); ToEBPFMem adds a prologue for vm.Run's single memory block, built
// by PacketMem (wire length as 4 little-endian bytes, then the packet). The
// translation returns what Run returns on every packet.
package cbpf
