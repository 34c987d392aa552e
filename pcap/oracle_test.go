package pcap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// unavailable skips the test for a missing tool or input, except under
// CI=true, where everything must be present and the test fails instead.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", msg)
	}
	t.Skip(msg)
}

// capturesDir is the shared capture collection (see ../../shared/pcap/README.md).
const capturesDir = "../../shared/pcap/captures"

// captureFiles returns the paths of every capture in the shared collection's
// manifest, and fails the test when the collection is missing: a test that
// reads ../shared never passes silently.
func captureFiles(t testing.TB) []string {
	t.Helper()
	manifest, err := os.ReadFile(filepath.Join(capturesDir, "manifest.tsv"))
	if err != nil {
		t.Fatalf("../shared/pcap/captures is missing (it must sit beside the project): %v", err)
	}
	var files []string
	for i, line := range strings.Split(strings.TrimSpace(string(manifest)), "\n") {
		if i == 0 {
			continue // column names
		}
		name, _, _ := strings.Cut(line, "\t")
		files = append(files, filepath.Join(capturesDir, name))
	}
	if len(files) == 0 {
		t.Fatalf("%s/manifest.tsv lists no captures", capturesDir)
	}
	return files
}

// fnv1a is FNV-1a 64 as testdata/oracle.c computes it.
func fnv1a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// describe reads a capture file with this package and prints what
// testdata/oracle.c prints for it with libpcap (without the FILE line).
func describe(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "OPENERR " + err.Error() + "\n"
	}
	defer f.Close()
	return describeReader(f)
}

// describeReader is describe for a capture file's contents.
func describeReader(in io.Reader) string {
	var out strings.Builder
	r, err := NewReader(in)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return "OPENERR " + pe.Msg + "\n"
		}
		return "OPENERR " + err.Error() + "\n"
	}
	major, minor := r.Version()
	swapped := 0
	if r.ByteOrder() != hostOrder {
		swapped = 1
	}
	fmt.Fprintf(&out, "OPEN %d %d %d %d %d\n", int32(r.LinkType()), r.Snaplen(), major, minor, swapped)
	for {
		p, err := r.Next()
		if err == io.EOF {
			out.WriteString("END EOF\n")
			break
		}
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				out.WriteString("END ERR " + pe.Msg + "\n")
			} else {
				out.WriteString("END ERR " + err.Error() + "\n")
			}
			break
		}
		fmt.Fprintf(&out, "P %d %d %d %d %016x\n", p.Seconds, p.Nanoseconds, p.CaptureLength, p.Length, fnv1a(p.Data))
	}
	return out.String()
}

var (
	oracleOnce sync.Once
	oracleDir  string
	oracleBin  string
	oracleErr  error
)

// TestMain removes the compiled oracle after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if oracleDir != "" {
		os.RemoveAll(oracleDir)
	}
	os.Exit(code)
}

// oracleBinary compiles testdata/oracle.c against libpcap, once for all tests.
func oracleBinary(t *testing.T) (string, error) {
	t.Helper()
	oracleOnce.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			oracleErr = fmt.Errorf("gcc not found: %v", err)
			return
		}
		if oracleDir, err = os.MkdirTemp("", "pcap-oracle"); err != nil {
			oracleErr = err
			return
		}
		bin := filepath.Join(oracleDir, "oracle")
		cmd := exec.Command(gcc, "-O2", "-o", bin, "testdata/oracle.c", "-lpcap")
		if out, err := cmd.CombinedOutput(); err != nil {
			oracleErr = fmt.Errorf("cannot build the libpcap oracle (libpcap-dev missing?): %v\n%s", err, out)
			return
		}
		oracleBin = bin
	})
	return oracleBin, oracleErr
}

// buildOracle compiles the oracle or skips the test (fails it under CI=true).
func buildOracle(t *testing.T) string {
	t.Helper()
	bin, err := oracleBinary(t)
	if err != nil {
		unavailable(t, "%v", err)
	}
	return bin
}

// runOracle returns libpcap's description of each file, by path.
func runOracle(t *testing.T, bin string, files []string) map[string]string {
	t.Helper()
	return runOracleInput(t, bin, strings.NewReader(strings.Join(files, "\n")+"\n"))
}

// runOracleBlobs returns libpcap's description of each capture given by
// its contents, by name (names must not contain newlines).
func runOracleBlobs(t *testing.T, bin string, names []string, blobs [][]byte) map[string]string {
	t.Helper()
	var in bytes.Buffer
	for i, n := range names {
		fmt.Fprintf(&in, "BLOB %s %d\n", n, len(blobs[i]))
		in.Write(blobs[i])
	}
	return runOracleInput(t, bin, &in)
}

// runOracleInput runs the oracle on the given standard input.
func runOracleInput(t *testing.T, bin string, stdin io.Reader) map[string]string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	res := map[string]string{}
	var cur string
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "FILE "); ok {
			if cur != "" {
				res[cur] = b.String()
			}
			cur = name
			b.Reset()
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if cur != "" {
		res[cur] = b.String()
	}
	return res
}

// firstDifference returns the first differing line of two descriptions.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n\tlibpcap: %s\n\tpcap:    %s", i+1, w, g)
		}
	}
	return ""
}

// TestOracle compares every shared capture file, read by this package, with
// libpcap reading it: whether it opens, link type, snapshot length, version,
// byte order, every packet's time stamp, lengths and data, and the error
// that ends the file.
func TestOracle(t *testing.T) {
	files := captureFiles(t)
	bin := buildOracle(t)
	want := runOracle(t, bin, files)

	got := make([]string, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				got[i] = describe(files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	agree, failing, packets := 0, 0, 0
	for i, f := range files {
		w, ok := want[f]
		if !ok {
			t.Errorf("%s: no output from the oracle", f)
			continue
		}
		if strings.Contains(w, "OPENERR") || strings.Contains(w, "END ERR") {
			failing++
		}
		packets += strings.Count(w, "\nP ") + strings.Count(w[:min(2, len(w))], "P ")
		if w == got[i] {
			agree++
			continue
		}
		t.Errorf("%s differs from libpcap at %s", f, firstDifference(w, got[i]))
	}
	t.Logf("%d/%d capture files agree with libpcap exactly (%d of them end in an error for libpcap; %d packets)",
		agree, len(files), failing, packets)
}
