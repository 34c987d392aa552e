package pcap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
)

// swapPcapOrder rewrites a pcap file in the other byte order: the file header
// and every record header, leaving packet data alone. It returns nil for
// input that is not a well-formed pcap file.
func swapPcapOrder(in []byte) []byte {
	if len(in) < pcapHeaderLen {
		return nil
	}
	var order binary.ByteOrder
	var recLen int
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch o.Uint32(in) {
		case magicMicro, magicNano:
			order, recLen = o, pcapRecordLen
		case magicModified:
			order, recLen = o, pcapModifiedRecordLen
		}
	}
	if order == nil {
		return nil
	}
	other := otherOrder(order)
	out := append([]byte(nil), in...)
	flip := func(off, size int) {
		switch size {
		case 2:
			other.PutUint16(out[off:], order.Uint16(in[off:]))
		case 4:
			other.PutUint32(out[off:], order.Uint32(in[off:]))
		}
	}
	flip(0, 4)
	flip(4, 2)
	flip(6, 2)
	for off := 8; off < pcapHeaderLen; off += 4 {
		flip(off, 4)
	}
	for off := pcapHeaderLen; off+recLen <= len(in); {
		for f := 0; f < 16; f += 4 {
			flip(off+f, 4)
		}
		if recLen == pcapModifiedRecordLen {
			flip(off+16, 4)
			flip(off+20, 2)
		}
		caplen := order.Uint32(in[off+8:])
		off += recLen + int(caplen)
		if caplen > uint32(len(in)) {
			break
		}
	}
	return out
}

// mutations returns deterministic variants of a capture file: truncated,
// corrupted, and (for pcap) written in the other byte order.
func mutations(in []byte, rng *rand.Rand) map[string][]byte {
	out := map[string][]byte{}
	if s := swapPcapOrder(in); s != nil {
		out["swapped"] = s
	}
	if len(in) == 0 {
		return out
	}
	out["cut-1"] = in[:len(in)-1]
	for i := range 2 {
		out[fmt.Sprintf("cut%d", i)] = in[:rng.Intn(len(in))]
	}
	for i := range 3 {
		b := append([]byte(nil), in...)
		span := len(b)
		if i == 0 {
			span = min(span, 96) // the file header and first records
		}
		for range 1 + rng.Intn(3) {
			pos := rng.Intn(span)
			switch rng.Intn(3) {
			case 0:
				b[pos] = byte(rng.Intn(256))
			case 1:
				b[pos] ^= 0x80
			default:
				b[pos] = 0xff
			}
		}
		out[fmt.Sprintf("flip%d", i)] = b
	}
	return out
}

// TestOracleMutations writes truncated, corrupted and byte-swapped variants
// of every shared capture and compares this package with libpcap on each:
// the error paths and the byte-order conversions get the same scrutiny as
// the well-formed files.
func TestOracleMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the mutated-capture oracle")
	}
	files := captureFiles(t)
	bin := buildOracle(t)
	rng := rand.New(rand.NewSource(1))
	var variants []string
	var blobs [][]byte
	for i, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		muts := mutations(in, rng)
		names := make([]string, 0, len(muts))
		for name := range muts {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			variants = append(variants, fmt.Sprintf("%03d-%s-%s", i, name, filepath.Base(f)))
			blobs = append(blobs, muts[name])
		}
	}
	want := runOracleBlobs(t, bin, variants, blobs)
	got := make([]string, len(variants))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				got[i] = describeReader(bytes.NewReader(blobs[i]))
			}
		}()
	}
	for i := range variants {
		next <- i
	}
	close(next)
	wg.Wait()
	agree, errs, shown := 0, 0, 0
	for i, v := range variants {
		w := want[v]
		if w == got[i] {
			agree++
			if len(w) > 0 && (w[0] == 'O' && w[4] == 'E' || containsErr(w)) {
				errs++
			}
			continue
		}
		if shown++; shown <= 20 {
			t.Errorf("%s differs from libpcap at %s", v, firstDifference(w, got[i]))
		}
	}
	if shown > 20 {
		t.Errorf("... and %d more differences", shown-20)
	}
	t.Logf("%d/%d mutated captures agree with libpcap exactly (%d of them rejected or cut short by an error)",
		agree, len(variants), errs)
}

func containsErr(s string) bool {
	for i := 0; i+8 <= len(s); i++ {
		if s[i:i+8] == "END ERR " {
			return true
		}
	}
	return false
}

// synthPacket returns random packet data for a link type whose pseudo-header
// libpcap converts or corrects, with the fields that steer the conversion set
// to interesting values most of the time.
func synthPacket(lt LinkType, rng *rand.Rand, order binary.ByteOrder) (data []byte, length uint32) {
	n := rng.Intn(140)
	data = make([]byte, n)
	rng.Read(data)
	length = uint32(n)
	if rng.Intn(4) == 0 {
		length += uint32(rng.Intn(200))
	}
	put32 := func(off int, v uint32) {
		if off+4 <= len(data) {
			order.PutUint32(data[off:], v)
		}
	}
	switch lt {
	case LinkTypePFLOG:
		if n > 0 {
			data[0] = byte(40 + rng.Intn(28))
		}
	case LinkTypeLINUX_SLL, LinkTypeLINUX_SLL2:
		off := 14
		if lt == LinkTypeLINUX_SLL2 {
			off = 0
		}
		if off+2 <= n && rng.Intn(4) != 0 {
			binary.BigEndian.PutUint16(data[off:], uint16(0x000C+rng.Intn(2)))
		}
	case LinkTypeUSB_LINUX, LinkTypeUSB_LINUX_MMAPPED:
		if n > 15 && rng.Intn(4) != 0 {
			data[8] = 'C'
			data[9] = 0 // isochronous
			data[10] |= 0x80
			data[15] = 0
		}
		ndesc := uint32(rng.Intn(6))
		urbLen := uint32(rng.Intn(100))
		put32(32, urbLen)
		put32(60, ndesc)
		for d := 0; d < int(ndesc); d++ {
			put32(64+16*d+4, uint32(rng.Intn(80)))
			put32(64+16*d+8, uint32(rng.Intn(40)))
		}
		if rng.Intn(2) == 0 {
			length = 64 + ndesc*16 + urbLen
			if length < uint32(n) {
				length = uint32(n)
			}
		}
	case LinkTypeNFLOG:
		if n > 1 {
			data[1] = byte(rng.Intn(2) * rng.Intn(2))
		}
		for off := 4; off+4 <= n; {
			size := 4 + rng.Intn(12)
			order.PutUint16(data[off:], uint16(size))
			off += (size + 3) / 4 * 4
		}
	}
	return data, length
}

// TestOracleSynthetic compares this package with libpcap on generated files
// of the link types whose pseudo-headers libpcap converts between byte orders
// (pflog, Linux cooked v1 and v2, Linux USB, NFLOG), written in both orders:
// the shared captures have few or none of them.
func TestOracleSynthetic(t *testing.T) {
	bin := buildOracle(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(2))
	var files []string
	for _, lt := range []LinkType{LinkTypePFLOG, LinkTypeLINUX_SLL, LinkTypeLINUX_SLL2,
		LinkTypeUSB_LINUX, LinkTypeUSB_LINUX_MMAPPED, LinkTypeNFLOG, LinkTypeEN10MB} {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for _, ng := range []bool{false, true} {
				path := filepath.Join(dir, fmt.Sprintf("%s-%v-%v", lt.Name(), order, ng))
				f, err := os.Create(path)
				if err != nil {
					t.Fatal(err)
				}
				var write func(Packet) error
				if ng {
					w, err := NewNgWriter(f, NgWriterOptions{ByteOrder: order})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := w.AddInterface(lt, 0); err != nil {
						t.Fatal(err)
					}
					write = w.WritePacket
				} else {
					w, err := NewWriter(f, lt, WriterOptions{ByteOrder: order, Nanosecond: rng.Intn(2) == 0})
					if err != nil {
						t.Fatal(err)
					}
					write = w.WritePacket
				}
				for i := range 300 {
					data, length := synthPacket(lt, rng, order)
					p := Packet{Seconds: int64(i), Nanoseconds: int64(rng.Intn(1e9)), Data: data, Length: int(length)}
					if length == 0 {
						p.Length = 0
					}
					if err := write(p); err != nil {
						t.Fatal(err)
					}
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				files = append(files, path)
			}
		}
	}
	want := runOracle(t, bin, files)
	for _, f := range files {
		if got := describe(f); got != want[f] {
			t.Errorf("%s differs from libpcap at %s", filepath.Base(f), firstDifference(want[f], got))
		}
	}
}
