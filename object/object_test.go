package object_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// missing skips the test for a missing tool or kernel feature, or fails it
// under CI=true, where everything must be present.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
}

// multiarchInclude is the directory of asm/types.h for this machine.
func multiarchInclude() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	return "/usr/include/" + arch + "-linux-gnu"
}

var (
	compileMu  sync.Mutex
	compileDir string
	compiled   = map[string]string{}
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if compileDir != "" {
		os.RemoveAll(compileDir)
	}
	os.Exit(code)
}

// compile builds testdata/name.c with clang-19 into a temporary object file,
// once per test binary.
func compile(t testing.TB, name string) string {
	t.Helper()
	compileMu.Lock()
	defer compileMu.Unlock()
	if path, ok := compiled[name]; ok {
		return path
	}
	clang, err := exec.LookPath("clang-19")
	if err != nil {
		missing(t, "clang-19 not installed: %v", err)
	}
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		missing(t, "libbpf headers (libbpf-dev) not installed: %v", err)
	}
	if compileDir == "" {
		dir, err := os.MkdirTemp("", "gbpf-object-test")
		if err != nil {
			t.Fatal(err)
		}
		compileDir = dir
	}
	out := filepath.Join(compileDir, name+".o")
	cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-c", "-I"+multiarchInclude(),
		filepath.Join("testdata", name+".c"), "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang-19 %s.c: %v\n%s", name, err, b)
	}
	compiled[name] = out
	return out
}

// format prints a Spec as the golden files hold it.
func format(s *object.Spec) string {
	var b strings.Builder
	for i, m := range s.Maps {
		fmt.Fprintf(&b, "map %d %s\n", i, mapLine(m))
		if m.InnerMap != nil {
			fmt.Fprintf(&b, "  inner %s\n", mapLine(m.InnerMap))
		}
		for _, kv := range m.Contents {
			switch v := kv.Value.(type) {
			case []byte:
				fmt.Fprintf(&b, "  [%d] = %x\n", kv.Key, v)
			case object.ProgramRef:
				fmt.Fprintf(&b, "  [%d] = program %s\n", kv.Key, v)
			case object.MapRef:
				fmt.Fprintf(&b, "  [%d] = map %s\n", kv.Key, v)
			}
		}
	}
	names := make([]string, 0, len(s.Programs))
	for n := range s.Programs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := s.Programs[n]
		fmt.Fprintf(&b, "\nprogram %s section %q type %v attach %q license %q\n", p.Name, p.Section, p.Type, p.AttachTo, p.License)
		for _, f := range p.Funcs {
			fmt.Fprintf(&b, "  func %s at %d\n", f.Name, f.Index)
		}
		b.WriteString(asm.Disassemble(p.Insns, asm.Kernel))
	}
	return b.String()
}

func mapLine(m *object.MapSpec) string {
	return fmt.Sprintf("%s section %q type %v key %d value %d max %d flags %#x extra %d spinlock %d",
		m.Name, m.Section, m.Type, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags, m.MapExtra, m.SpinLockOff)
}

func TestLoadSpecGolden(t *testing.T) {
	for _, name := range []string{"legacy", "btfmaps", "globals"} {
		t.Run(name, func(t *testing.T) {
			spec, err := object.LoadSpec(compile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			got := format(spec)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("spec differs from %s (rerun with -update to accept):\n%s", golden, got)
			}
		})
	}
}

// TestLinkedCalls checks the invariants of linking on every program: each
// local call and function pointer lands on the first instruction of a
// function of the program, map references are in range.
func TestLinkedCalls(t *testing.T) {
	for _, name := range []string{"legacy", "btfmaps", "globals"} {
		spec, err := object.LoadSpec(compile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range spec.Programs {
			starts := make(map[int]bool)
			for _, f := range p.Funcs {
				starts[f.Index] = true
			}
			if len(p.Funcs) == 0 || p.Funcs[0].Name != p.Name || p.Funcs[0].Index != 0 {
				t.Errorf("%s/%s: entry function is not first: %v", name, p.Name, p.Funcs)
			}
			si := isa.NewSlotIndex(p.Insns)
			for i, ins := range p.Insns {
				isFunc := ins.IsLocalCall() || (ins.IsLoadImm64() && ins.Src == isa.PseudoFunc)
				if isFunc {
					target := si.Index(si.Slot(i) + 1 + int(int32(ins.Constant)))
					if !starts[target] {
						t.Errorf("%s/%s insn %d: %v does not land on a function start (insn %d)", name, p.Name, i, ins, target)
					}
				}
				if ins.IsLoadImm64() && (ins.Src == isa.PseudoMapIdx || ins.Src == isa.PseudoMapIdxValue) {
					idx := int(uint32(ins.Constant))
					if idx >= len(spec.Maps) {
						t.Errorf("%s/%s insn %d: map index %d out of range", name, p.Name, i, idx)
					} else if ins.Src == isa.PseudoMapIdxValue && uint32(ins.Constant>>32) >= spec.Maps[idx].ValueSize {
						t.Errorf("%s/%s insn %d: offset %d outside %s", name, p.Name, i, ins.Constant>>32, spec.Maps[idx].Name)
					}
				}
			}
		}
	}
}

func TestSpecDetails(t *testing.T) {
	spec, err := object.LoadSpec(compile(t, "btfmaps"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what string
		got  any
		want any
	}{
		{"xdp programs", len(sectionPrograms(spec, "xdp")), 4},
		{"entry type", spec.Programs["entry"].Type, object.XDP},
		{"classify type", spec.Programs["classify"].Type, object.SchedCLS},
		{"syscall type", spec.Programs["from_syscall"].Type, object.Syscall},
		{"tracepoint type", spec.Programs["on_write"].Type, object.Tracepoint},
		{"tracepoint attach", spec.Programs["on_write"].AttachTo, "syscalls/sys_enter_write"},
		{"license", spec.Programs["entry"].License, "GPL"},
		{"spin lock offset", spec.Map("locked").SpinLockOff, uint32(9)},
		{"inner map type", spec.Map("outer").InnerMap.Type, maps.Array},
		{"bloom hashes", spec.Map("bloom").MapExtra, uint64(3)},
		{"Program by section (ambiguous)", progErr(spec, "xdp"), `object: 4 programs in section "xdp"; the programs are: classify (tc), entry (xdp), from_syscall (syscall), on_write (tracepoint/syscalls/sys_enter_write), outer_lookup (xdp), tail_a (xdp), tail_b (xdp)`},
		{"Program unknown", progErr(spec, "nope"), `object: no program "nope"; the programs are: classify (tc), entry (xdp), from_syscall (syscall), on_write (tracepoint/syscalls/sys_enter_write), outer_lookup (xdp), tail_a (xdp), tail_b (xdp)`},
		{"Program by section", progName(spec, "tc"), "classify"},
		{"Program by name", progName(spec, "tail_b"), "tail_b"},
		{"MapIndex unknown", spec.MapIndex("nope"), -1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.what, tt.got, tt.want)
		}
	}

	g, err := object.LoadSpec(compile(t, "globals"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		flags uint32
		value []byte
	}{
		{".data", 0, []byte{5, 0, 0, 0}},
		{".rodata", maps.FlagRdOnlyProg, []byte("\x0a\x00\x00\x00sum %llu\x00")}, // clang-19 puts the bpf_printk format here
		{".bss", 0, make([]byte, 8)},
		{".data.custom", 0, []byte{3, 0, 0, 0}},
		{".rodata.custom", maps.FlagRdOnlyProg, []byte("hello\x00\x00\x00")},
	} {
		m := g.Map(tt.name)
		if m == nil {
			t.Errorf("no map %s", tt.name)
			continue
		}
		if m.Type != maps.Array || m.MaxEntries != 1 || m.KeySize != 4 || m.Flags != tt.flags {
			t.Errorf("%s: %+v", tt.name, *m)
		}
		if len(m.Contents) != 1 || !bytes.Equal(m.Contents[0].Value.([]byte), tt.value) {
			t.Errorf("%s: contents %v, want %x", tt.name, m.Contents, tt.value)
		}
	}
}

func progErr(s *object.Spec, name string) string {
	if _, err := s.Program(name); err != nil {
		return err.Error()
	}
	return "no error"
}

func progName(s *object.Spec, name string) string {
	p, err := s.Program(name)
	if err != nil {
		return err.Error()
	}
	return p.Name
}

func sectionPrograms(s *object.Spec, sec string) []string {
	var out []string
	for n, p := range s.Programs {
		if p.Section == sec {
			out = append(out, n)
		}
	}
	return out
}

// TestDeterministic: the same bytes give the same spec.
func TestDeterministic(t *testing.T) {
	path := compile(t, "globals")
	a, err := object.LoadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := object.LoadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	if format(a) != format(b) {
		t.Error("two loads of the same object differ")
	}
}

func TestUnsupported(t *testing.T) {
	tests := []struct {
		file    string
		section string
		symbol  string
		feature string
	}{
		{"err_kfunc", "tc", "bpf_rcu_read_lock", "kfunc"},
		{"err_core", "syscall", "core_offset", "CO-RE relocation"},
		{"err_maptype", ".maps", "socks", "map type SockMap"},
		{"err_kconfig", "syscall", "LINUX_KERNEL_VERSION", ".kconfig"},
		{"err_ksym", ".ksyms", "bpf_prog_active", "extern kernel variable"},
		{"err_ksym_void", ".ksyms", "bpf_prog_active", "extern kernel variable"},
		{"err_extern_func", "syscall", "defined_elsewhere", "undefined (extern) function"},
		{"err_section", "xdp", "odd", `against section ".mysection"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := object.LoadSpec(compile(t, tt.file))
			if err == nil {
				t.Fatalf("loaded: %s", format(spec))
			}
			if spec != nil {
				t.Error("spec returned with an error")
			}
			if !errors.Is(err, object.ErrNotSupported) {
				t.Errorf("%v does not wrap ErrNotSupported", err)
			}
			var oe *object.Error
			if !errors.As(err, &oe) {
				t.Fatalf("%v is not an *object.Error", err)
			}
			if oe.Section != tt.section || oe.Symbol != tt.symbol || !strings.Contains(oe.Feature, tt.feature) {
				t.Errorf("got section %q symbol %q feature %q, want %q %q %q", oe.Section, oe.Symbol, oe.Feature, tt.section, tt.symbol, tt.feature)
			}
			for _, part := range []string{tt.section, tt.symbol, tt.feature} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q lacks %q", err, part)
				}
			}
		})
	}
}

// TestCOREWithKernelTypes resolves the CO-RE relocation of err_core.c
// against the running kernel's BTF: the result is the kernel's offset of
// task_struct.tgid.
func TestCOREWithKernelTypes(t *testing.T) {
	kernel, err := btf.LoadKernelSpec()
	if err != nil {
		missing(t, "no kernel BTF: %v", err)
	}
	var task *btf.Struct
	if err := kernel.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	var want int64 = -1
	for _, m := range task.Members {
		if m.Name == "tgid" {
			want = int64(m.Offset.Bytes())
		}
	}
	f, err := os.Open(compile(t, "err_core"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spec, err := object.LoadSpecWithOptions(f, object.LoadOptions{KernelTypes: kernel})
	if err != nil {
		t.Fatal(err)
	}
	insns := spec.Programs["core_offset"].Insns
	if len(insns) != 2 || insns[0].Constant != want {
		t.Errorf("CO-RE result %v, want r0 = %d", insns, want)
	}
}

func TestLoadSpecErrors(t *testing.T) {
	if _, err := object.LoadSpec(filepath.Join(t.TempDir(), "absent.o")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for _, data := range [][]byte{nil, []byte("not an ELF file"), []byte("\x7fELF\x02\x01\x01")} {
		if spec, err := object.LoadSpecFromReader(bytes.NewReader(data)); err == nil || spec != nil {
			t.Errorf("%q: spec %v, err %v", data, spec, err)
		}
	}
}
