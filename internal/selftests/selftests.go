// Package selftests turns the Linux kernel's own verifier tests
// (tools/testing/selftests/bpf/progs/verifier_*.c from Debian's
// linux-source-6.12 package) into a corpus for gbpf's verifier: it unpacks
// the sources into the user's cache directory, compiles them with clang,
// and reads each program's expected verdict and messages from the BTF decl
// tags the selftests' bpf_misc.h macros leave in the object (__success,
// __failure, __msg, __retval, __description, __auxiliary). Nothing of the
// kernel's sources is part of this repository.
package selftests

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/object"
	"github.com/gbpf/gbpf/verifier"
)

// Tarball is where Debian's linux-source-6.12 package puts the sources.
const Tarball = "/usr/src/linux-source-6.12.tar.xz"

// topDir is the directory the tarball unpacks into.
const topDir = "linux-source-6.12"

// progsDir is the selftests' program directory inside the sources.
const progsDir = topDir + "/tools/testing/selftests/bpf/progs"

// Corpus is an unpacked and compiled selftest corpus.
type Corpus struct {
	Dir     string   // cache directory
	Objects []string // compiled objects, one per verifier_*.c
	Failed  []string // sources clang could not compile, with its first error line
}

// Program is one test program with its annotations.
type Program struct {
	File        string // source file name without .c
	Name        string // function name
	Section     string
	Description string
	Insns       []isa.Instruction
	ExpectFail  bool     // __failure
	Msgs        []string // __msg, in order
	Retval      string   // __retval, as written
	Auxiliary   bool     // __auxiliary: not a test of its own
	// Unpriv reports that the program has unprivileged expectations
	// (__success_unpriv, __failure_unpriv or __msg_unpriv); UnprivFail
	// and UnprivMsgs are those expectations.
	Unpriv     bool
	UnprivFail bool
	UnprivMsgs []string
	// StrictAlignment reports __flag(BPF_F_STRICT_ALIGNMENT).
	StrictAlignment bool
	// Funcs is the functions' BTF information, as the kernel gets it.
	Funcs   []verifier.FuncInfo
	LoadErr error // the instructions could not be extracted
	Spec    *ebpf.ProgramSpec
	// Collection is the object the program comes from, for its maps.
	Collection *ebpf.CollectionSpec
	// Maps describes the object's maps for the verifier, indexed as the
	// program's map references (lddw src=1 and src=2) name them: the
	// object's maps sorted by name.
	Maps []verifier.MapInfo
	// MapsUnsupported, if not empty, says why the program's maps cannot
	// be described to the verifier (e.g. values with BTF-defined special
	// fields such as bpf_spin_lock, which the verifier does not model).
	MapsUnsupported string
}

// Setup unpacks the selftests from Tarball into dir (once), writes
// vmlinux.h from the running kernel's BTF, and compiles every
// verifier_*.c with clang (in parallel; objects are kept in dir and reused).
func Setup(dir, clang string) (*Corpus, error) {
	progs := filepath.Join(dir, progsDir)
	_, err := os.Stat(filepath.Join(progs, "bpf_misc.h"))
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, topDir, "tools/include/linux/filter.h"))
	}
	if err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		cmd := exec.Command("tar", "-xJf", Tarball, "-C", dir, "--wildcards",
			topDir+"/tools/testing/selftests/bpf/progs/*", topDir+"/tools/testing/selftests/bpf/*.h",
			// For the programs written as raw instructions (BPF_RAW_INSN).
			topDir+"/include/linux/filter.h", topDir+"/tools/include/linux/filter.h")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("selftests: unpacking %s: %v: %s", Tarball, err, out)
		}
	}
	vmlinux := filepath.Join(dir, "vmlinux.h")
	if _, err := os.Stat(vmlinux); err != nil {
		out, err := exec.Command("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c").Output()
		if err != nil {
			return nil, fmt.Errorf("selftests: bpftool btf dump: %w", err)
		}
		if err := os.WriteFile(vmlinux, out, 0o644); err != nil {
			return nil, err
		}
	}
	sources, err := filepath.Glob(filepath.Join(progs, "verifier_*.c"))
	if err != nil {
		return nil, err
	}
	sort.Strings(sources)
	objDir := filepath.Join(dir, "obj")
	if err := os.MkdirAll(objDir, 0o755); err != nil {
		return nil, err
	}
	c := &Corpus{Dir: dir}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for _, src := range sources {
		obj := filepath.Join(objDir, strings.TrimSuffix(filepath.Base(src), ".c")+".o")
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if fi, err := os.Stat(obj); err == nil && fi.Size() > 0 {
				mu.Lock()
				c.Objects = append(c.Objects, obj)
				mu.Unlock()
				return
			}
			args := []string{"-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86",
				"-I" + progs, "-I" + filepath.Dir(progs), "-I" + dir, "-I/usr/include/x86_64-linux-gnu",
				// "../../../include/linux/filter.h" resolves from here.
				"-I" + filepath.Join(dir, topDir, "tools/testing/selftests"),
				"-c", src, "-o", obj}
			out, err := exec.Command(clang, args...).CombinedOutput()
			if err != nil && strings.Contains(string(out), "undeclared function 'bpf_iter_num_") {
				// The kernel's build declares kfuncs in vmlinux.h, which
				// bpftool before 7.4 does not: declare the numbers
				// iterator's.
				out, err = exec.Command(clang, append([]string{"-include", iterNumHeader(dir)}, args...)...).CombinedOutput()
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first, _, _ := strings.Cut(string(out), "\n")
				c.Failed = append(c.Failed, filepath.Base(src)+": "+first)
				return
			}
			c.Objects = append(c.Objects, obj)
		}()
	}
	wg.Wait()
	sort.Strings(c.Objects)
	sort.Strings(c.Failed)
	return c, nil
}

// Tag prefixes of bpf_misc.h.
const (
	tagFailure     = "comment:test_expect_failure"
	tagMsg         = "comment:test_expect_msg="
	tagRetval      = "comment:test_retval="
	tagDescription = "comment:test_description="
	tagAuxiliary   = "comment:test_auxiliary"
	tagFailUnpriv  = "comment:test_expect_failure_unpriv"
	tagOKUnpriv    = "comment:test_expect_success_unpriv"
	tagMsgUnpriv   = "comment:test_expect_msg_unpriv="
	tagFlag        = "comment:test_prog_flags="
)

// Programs reads every program of a compiled object with its annotations.
func Programs(obj string) ([]Program, error) {
	spec, err := ebpf.LoadCollectionSpec(obj)
	if err != nil {
		return nil, fmt.Errorf("selftests: %s: %w", filepath.Base(obj), err)
	}
	file := strings.TrimSuffix(filepath.Base(obj), ".o")
	mapNames := make([]string, 0, len(spec.Maps))
	for name := range spec.Maps {
		mapNames = append(mapNames, name)
	}
	sort.Strings(mapNames)
	mapIndex := map[string]int{}
	infos := make([]verifier.MapInfo, len(mapNames))
	special := map[string]string{}
	for k, name := range mapNames {
		ms := spec.Maps[name]
		mapIndex[name] = k
		infos[k] = mapInfo(name, ms)
		fields, err := specialFields(ms.Value)
		if err != nil {
			special[name] = err.Error()
		}
		infos[k].Fields = fields
		if in := ms.InnerMap; in != nil {
			// The kernel's inner map template has no name.
			inner := mapInfo("", in)
			fields, err := specialFields(in.Value)
			if err != nil {
				special[name] = err.Error() + " (in its inner maps)"
			}
			inner.Fields = fields
			infos[k].Inner = &inner
		}
	}
	var out []Program
	for name, ps := range spec.Programs {
		p := Program{File: file, Name: name, Section: ps.SectionName, Spec: ps, Collection: spec, Maps: infos}
		type numbered struct {
			n   int
			msg string
		}
		var msgs, umsgs []numbered
		explicitUnpriv := false
		if len(ps.Instructions) > 0 {
			if fn := btf.FuncMetadata(&ps.Instructions[0]); fn != nil {
				for _, tag := range fn.Tags {
					switch {
					case tag == tagFailure:
						p.ExpectFail = true
					case strings.HasPrefix(tag, tagMsg):
						// "comment:test_expect_msg=COUNTER=message"
						n, msg, _ := strings.Cut(strings.TrimPrefix(tag, tagMsg), "=")
						var k int
						fmt.Sscan(n, &k)
						msgs = append(msgs, numbered{k, msg})
					case strings.HasPrefix(tag, tagRetval):
						p.Retval = strings.TrimPrefix(tag, tagRetval)
					case strings.HasPrefix(tag, tagDescription):
						p.Description = strings.TrimPrefix(tag, tagDescription)
					case tag == tagAuxiliary:
						p.Auxiliary = true
					case tag == tagFlag+"BPF_F_STRICT_ALIGNMENT":
						p.StrictAlignment = true
					case tag == tagFailUnpriv:
						p.Unpriv, p.UnprivFail, explicitUnpriv = true, true, true
					case tag == tagOKUnpriv:
						p.Unpriv, explicitUnpriv = true, true
					case strings.HasPrefix(tag, tagMsgUnpriv):
						n, msg, _ := strings.Cut(strings.TrimPrefix(tag, tagMsgUnpriv), "=")
						var k int
						fmt.Sscan(n, &k)
						p.Unpriv = true
						umsgs = append(umsgs, numbered{k, msg})
					}
				}
			}
		}
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].n < msgs[j].n })
		for _, m := range msgs {
			p.Msgs = append(p.Msgs, m.msg)
		}
		sort.Slice(umsgs, func(i, j int) bool { return umsgs[i].n < umsgs[j].n })
		for _, m := range umsgs {
			p.UnprivMsgs = append(p.UnprivMsgs, m.msg)
		}
		if p.Unpriv && !explicitUnpriv {
			// Without its own verdict the unprivileged run expects
			// the privileged one, as the selftests' test_loader.
			p.UnprivFail = p.ExpectFail
		}
		for k := range ps.Instructions {
			if fn := btf.FuncMetadata(&ps.Instructions[k]); fn != nil {
				p.Funcs = append(p.Funcs, verifier.FuncInfo{Insn: k, ScalarReturn: object.ReturnsScalar(fn)})
			}
		}
		insns := make(asm.Instructions, len(ps.Instructions))
		copy(insns, ps.Instructions)
		for k := range insns {
			ins := &insns[k]
			if !ins.IsLoadFromMap() {
				continue
			}
			ref := ins.Reference()
			idx, ok := mapIndex[ref]
			if !ok {
				p.MapsUnsupported = fmt.Sprintf("reference to %q, which is not a map of the object", ref)
				continue
			}
			if f := special[ref]; f != "" {
				p.MapsUnsupported = fmt.Sprintf("map %s: %s", ref, f)
			}
			// The index in the low 32 bits; a direct value load keeps
			// its offset in the high ones.
			ins.Constant = int64(uint64(ins.Constant)&^0xffffffff | uint64(idx))
		}
		var buf bytes.Buffer
		if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
			p.LoadErr = err
		} else if p.Insns, err = isa.Decode(buf.Bytes()); err != nil {
			p.LoadErr = err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// mapInfo describes a map of the object to the verifier. cilium/ebpf
// freezes the .rodata sections it creates, as libbpf does, so their
// contents are the verifier's constants.
func mapInfo(name string, ms *ebpf.MapSpec) verifier.MapInfo {
	mi := verifier.MapInfo{Name: name, Type: maps.Type(ms.Type), KeySize: ms.KeySize,
		ValueSize: ms.ValueSize, MaxEntries: ms.MaxEntries, Flags: ms.Flags}
	if strings.HasPrefix(name, ".rodata") && mi.Type == maps.Array && mi.MaxEntries == 1 &&
		mi.Flags&maps.FlagRdOnlyProg != 0 && len(ms.Contents) == 1 {
		if b, ok := ms.Contents[0].Value.([]byte); ok {
			mi.Frozen = b
		}
	}
	return mi
}

// specialFields lists the BTF-defined special fields of a map value type
// (the kernel's btf_parse_fields): spin locks, timers, workqueues, list and
// tree roots, refcounts and kptrs, in structs nested at any depth and in
// arrays. Special fields in unions are an error: the verifier is not told
// about them.
func specialFields(t btf.Type) ([]verifier.Field, error) {
	var out []verifier.Field
	var walk func(t btf.Type, off uint32) error
	walk = func(t btf.Type, off uint32) error {
		switch t := btf.UnderlyingType(t).(type) {
		case *btf.Struct:
			kind := map[string]verifier.FieldKind{
				"bpf_spin_lock": verifier.SpinLock, "bpf_timer": verifier.Timer, "bpf_wq": verifier.Workqueue,
				"bpf_list_head": verifier.ListHead, "bpf_rb_root": verifier.RBRoot, "bpf_refcount": verifier.Refcount,
			}[t.Name]
			if kind != 0 {
				out = append(out, verifier.Field{Kind: kind, Off: off, Size: t.Size})
				return nil
			}
			switch t.Name {
			case "bpf_res_spin_lock", "bpf_list_node", "bpf_rb_node", "bpf_task_work":
				return fmt.Errorf("its values hold a struct %s, which the verifier does not model", t.Name)
			}
			for _, m := range t.Members {
				if err := walk(m.Type, off+uint32(m.Offset)/8); err != nil {
					return err
				}
			}
		case *btf.Union:
			before := len(out)
			for _, m := range t.Members {
				if err := walk(m.Type, off+uint32(m.Offset)/8); err != nil {
					return err
				}
			}
			if len(out) != before {
				return errors.New("its values hold a special field in a union")
			}
		case *btf.Array:
			size, err := btf.Sizeof(t.Type)
			if err != nil {
				return nil
			}
			before := len(out)
			if err := walk(t.Type, off); err != nil || len(out) == before {
				return err
			}
			for k := uint32(1); k < t.Nelems; k++ {
				if err := walk(t.Type, off+k*uint32(size)); err != nil {
					return err
				}
			}
		case *btf.Pointer:
			// A tagged pointer is a kptr; what it points to is not part
			// of the value.
			for tt, ok := t.Target.(*btf.TypeTag); ok; tt, ok = tt.Type.(*btf.TypeTag) {
				if strings.Contains(tt.Value, "kptr") || tt.Value == "uptr" {
					out = append(out, verifier.Field{Kind: verifier.Kptr, Off: off, Size: 8})
				}
			}
		}
		return nil
	}
	if t == nil {
		return nil, nil
	}
	err := walk(t, 0)
	return out, err
}

// ErrNoSources reports that the kernel sources are not installed.
var ErrNoSources = errors.New("selftests: " + Tarball + " is missing (apt-get install linux-source-6.12)")

// iterNumHeader writes (once) and returns a header declaring the numbers
// iterator's kfuncs, as a newer vmlinux.h would.
func iterNumHeader(dir string) string {
	path := filepath.Join(dir, "gbpf_iter_num.h")
	const decls = `struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __attribute__((weak)) __attribute__((section(".ksyms")));
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __attribute__((weak)) __attribute__((section(".ksyms")));
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __attribute__((weak)) __attribute__((section(".ksyms")));
`
	if b, err := os.ReadFile(path); err != nil || string(b) != decls {
		_ = os.WriteFile(path, []byte(decls), 0o644)
	}
	return path
}

// Options returns the verifier options the program's annotations ask for,
// for program type pt.
func (p Program) Options(pt verifier.ProgType) verifier.Options {
	return verifier.Options{ProgType: pt, Maps: p.Maps, StrictAlignment: p.StrictAlignment, Funcs: p.Funcs}
}
