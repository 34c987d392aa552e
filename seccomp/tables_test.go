package seccomp

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// requireFile skips (fails under CI=true) when a system file is missing.
func requireFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skipf("%v", err)
	}
}

// TestTablesMatchHeaders checks the generated x86_64, i386 and x32 tables
// against the installed UAPI headers, both ways.
func TestTablesMatchHeaders(t *testing.T) {
	cases := []struct {
		header string
		table  map[string]uint32
		re     *regexp.Regexp
		bit    uint32
	}{
		{"/usr/include/x86_64-linux-gnu/asm/unistd_64.h", syscallsX86_64, regexp.MustCompile(`^#define __NR_(\w+) (\d+)$`), 0},
		{"/usr/include/x86_64-linux-gnu/asm/unistd_32.h", syscallsI386, regexp.MustCompile(`^#define __NR_(\w+) (\d+)$`), 0},
		{"/usr/include/x86_64-linux-gnu/asm/unistd_x32.h", syscallsX32, regexp.MustCompile(`^#define __NR_(\w+) \(__X32_SYSCALL_BIT \+ (\d+)\)$`), X32SyscallBit},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			requireFile(t, c.header)
			f, err := os.Open(c.header)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			seen := 0
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				g := c.re.FindStringSubmatch(sc.Text())
				if g == nil {
					continue
				}
				n, _ := strconv.Atoi(g[2])
				seen++
				if got, ok := c.table[g[1]]; !ok || got != c.bit|uint32(n) {
					t.Errorf("%s: table %d (present %v), header %d", g[1], got, ok, c.bit|uint32(n))
				}
			}
			if seen != len(c.table) || seen < 300 {
				t.Errorf("header has %d calls, table %d", seen, len(c.table))
			}
		})
	}
}

// TestTableSpotChecks pins well-known numbers of every generated table.
func TestTableSpotChecks(t *testing.T) {
	cases := []struct {
		arch, name string
		nr         uint32
	}{
		{"x86_64", "read", 0}, {"x86_64", "getpid", 39}, {"x86_64", "execve", 59}, {"x86_64", "openat", 257}, {"x86_64", "clone3", 435},
		{"i386", "exit", 1}, {"i386", "getpid", 20}, {"i386", "socketcall", 102},
		{"x32", "getpid", X32SyscallBit | 39}, {"x32", "execve", X32SyscallBit | 520},
		{"aarch64", "io_setup", 0}, {"aarch64", "openat", 56}, {"aarch64", "renameat", 38}, {"aarch64", "fstat", 80},
		{"aarch64", "getpid", 172}, {"aarch64", "mmap", 222}, {"aarch64", "execve", 221}, {"aarch64", "clone3", 435}, {"aarch64", "memfd_secret", 447},
		{"riscv64", "getpid", 172}, {"riscv64", "riscv_flush_icache", 259}, {"riscv64", "fstat", 80},
	}
	for _, c := range cases {
		got, err := SyscallNumber(c.arch, c.name)
		if err != nil || got != c.nr {
			t.Errorf("SyscallNumber(%s, %s) = %d, %v; want %d", c.arch, c.name, got, err, c.nr)
		}
		if name := SyscallName(c.arch, c.nr); name != c.name {
			t.Errorf("SyscallName(%s, %d) = %q, want %q", c.arch, c.nr, name, c.name)
		}
	}
	for _, absent := range []struct{ arch, name string }{{"aarch64", "open"}, {"aarch64", "fork"}, {"riscv64", "renameat"}, {"x86_64", "socketcall"}} {
		if n, err := SyscallNumber(absent.arch, absent.name); err == nil {
			t.Errorf("%s has no %s, got %d", absent.arch, absent.name, n)
		}
	}
}
