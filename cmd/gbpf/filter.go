package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/internal/pktprint"
	"github.com/gbpf/gbpf/pcap"
	"github.com/gbpf/gbpf/pcap/filter"
)

// filterArgs is the parsed command line of gbpf filter.
type filterArgs struct {
	read, write, iface, dlt string
	count                   int // 0: no limit
	nflag, eflag, qflag     int
	tflag, dflag            int
	noOpt                   bool
	expr                    string
}

// parseFilterArgs parses tcpdump-style options: single-dash letters that
// combine (-nn, -tttt, -nnr FILE), option values attached or in the next
// argument (-c5, -c 5), options anywhere among the expression's words, and
// "--" ending the options.
func parseFilterArgs(args []string) (*filterArgs, error) {
	fa := &filterArgs{}
	var words []string
	usage := "usage: gbpf filter " + synopsis["filter"]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		if a == "--help" || a == "-help" {
			return nil, usagef("%s", usage)
		}
		if len(a) < 2 || a[0] != '-' {
			words = append(words, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'n':
				fa.nflag++
			case 'e':
				fa.eflag++
			case 'q':
				fa.qflag++
			case 't':
				fa.tflag++
			case 'd':
				fa.dflag++
			case 'O':
				fa.noOpt = true
			case 'h':
				return nil, usagef("%s", usage)
			case 'r', 'w', 'i', 'c', 'y':
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, usagef("gbpf filter: option -%c needs a value (%s)", c, usage)
					}
					i++
					val = args[i]
				}
				switch c {
				case 'r':
					fa.read = val
				case 'w':
					fa.write = val
				case 'i':
					fa.iface = val
				case 'y':
					fa.dlt = val
				case 'c':
					n, err := strconv.Atoi(val)
					if err != nil || n <= 0 {
						return nil, usagef("gbpf filter: invalid packet count %s", val)
					}
					fa.count = n
				}
				j = len(a)
			default:
				return nil, usagef("gbpf filter: unknown option -%c (%s)", c, usage)
			}
		}
	}
	fa.expr = strings.Join(words, " ")
	if fa.tflag > 5 {
		return nil, usagef("gbpf filter: only -t, -tt, -ttt, -tttt and -ttttt exist")
	}
	if fa.dflag > 3 {
		return nil, usagef("gbpf filter: only -d, -dd and -ddd exist")
	}
	if fa.read != "" && fa.iface != "" {
		return nil, usagef("gbpf filter: -r and -i exclude each other")
	}
	return fa, nil
}

// printOptions are the summary-line options of the flags.
func (fa *filterArgs) printOptions() pktprint.Options {
	return pktprint.Options{
		Time:       []pktprint.TimeFormat{pktprint.TimeOfDay, pktprint.TimeNone, pktprint.TimeUnix, pktprint.TimeDelta, pktprint.TimeDate, pktprint.TimeSinceFirst}[fa.tflag],
		LinkHeader: fa.eflag > 0,
		Quiet:      fa.qflag > 0,
	}
}

// dumpProgram prints a compiled program in the -d, -dd or -ddd format.
func dumpProgram(w io.Writer, prog []cbpf.Instruction, level int) error {
	var text string
	switch level {
	case 1:
		text = cbpf.Disasm(prog)
	case 2:
		text = cbpf.DumpC(prog)
	default:
		text = cbpf.DumpDecimal(prog)
	}
	_, err := io.WriteString(w, text)
	return err
}

func cmdFilter(e *env, args []string) error {
	fa, err := parseFilterArgs(args)
	if err != nil {
		return err
	}
	switch {
	case fa.read != "":
		return filterFile(e, fa)
	case fa.iface != "":
		return filterLive(e, fa)
	case fa.dflag > 0:
		lt := pcap.LinkTypeEN10MB
		if fa.dlt != "" {
			var ok bool
			if lt, ok = pcap.LinkTypeByName(fa.dlt); !ok {
				return fmt.Errorf("invalid data link type %s", fa.dlt)
			}
		}
		prog, err := filter.Compile(fa.expr, filter.Options{
			LinkType: lt, Snaplen: pcap.MaxSnaplen, NetmaskSet: true, Optimize: !fa.noOpt,
		})
		if err != nil {
			return err
		}
		return dumpProgram(e.stdout, prog, fa.dflag)
	default:
		return usagef("gbpf filter: -r FILE or -i IFACE is needed (-d with -y DLT prints the program)")
	}
}

// openInput opens -r's file, "-" being the standard input.
func openInput(e *env, name string) (io.Reader, func(), error) {
	if name == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("%s: %v", name, pe.Err)
		}
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// createOutput opens -w's file, "-" being the standard output.
func createOutput(e *env, name string) (*bufio.Writer, func() error, error) {
	if name == "-" {
		bw := bufio.NewWriterSize(e.stdout, 1<<16)
		return bw, bw.Flush, nil
	}
	f, err := os.Create(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("%s: %v", name, pe.Err)
		}
		return nil, nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	return bw, func() error {
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

func filterFile(e *env, fa *filterArgs) error {
	in, closeIn, err := openInput(e, fa.read)
	if err != nil {
		return err
	}
	defer closeIn()
	r, err := pcap.NewReader(bufio.NewReaderSize(in, 1<<16))
	if err != nil {
		return err
	}
	lt := r.LinkType()
	insns, err := filter.Compile(fa.expr, filter.Options{
		LinkType:   lt,
		Snaplen:    uint32(r.Snaplen()),
		NetmaskSet: true,
		Optimize:   !fa.noOpt,
		Offline:    true,
		Swapped:    r.ByteOrder() != binary.NativeEndian,
	})
	if err != nil {
		return err
	}
	header := fmt.Sprintf("reading from file %s, link-type %s, snapshot length %d\n", fa.read, lt, r.Snaplen())
	if fa.dflag > 0 {
		fmt.Fprint(e.stderr, header)
		return dumpProgram(e.stdout, insns, fa.dflag)
	}
	prog, err := cbpf.NewProgram(insns)
	if err != nil {
		return err
	}
	if fa.write != "" {
		out, finish, err := createOutput(e, fa.write)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stderr, header)
		err = copyMatching(r, out, prog, fa.count)
		if ferr := finish(); err == nil {
			err = ferr
		}
		return err
	}
	fmt.Fprint(e.stderr, header)
	out := bufio.NewWriterSize(e.stdout, 1<<16)
	p := pktprint.New(fa.printOptions())
	n := 0
	for fa.count == 0 || n < fa.count {
		pkt, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Flush()
			return err
		}
		if prog.Run(pkt.Data, uint32(pkt.Length)) == 0 {
			continue
		}
		n++
		out.WriteString(p.Line(pkt))
		out.WriteByte('\n')
	}
	return out.Flush()
}

// copyMatching copies the packets prog accepts, at most count of them
// (0 = all), keeping r's format.
func copyMatching(r pcap.Reader, w io.Writer, prog *cbpf.Program, count int) error {
	c, err := pcap.NewCopier(w, r)
	if err != nil {
		return err
	}
	n := 0
	for count == 0 || n < count {
		pkt, err := c.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if prog.Run(pkt.Data, uint32(pkt.Length)) == 0 {
			continue
		}
		if err := c.Keep(); err != nil {
			return err
		}
		n++
	}
	return nil
}
