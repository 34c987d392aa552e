//go:build cgo

package libpcap

/*
#cgo LDFLAGS: -lpcap
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

typedef struct {
	pcap_t *p;
	struct bpf_program prog;
} fb_filter;

// fb_compile compiles expr on a dead EN10MB handle with netmask 0. It returns
// NULL and writes libpcap's message into err on failure.
static fb_filter *fb_compile(const char *expr, int snaplen, int optimize, char *err, size_t errlen) {
	fb_filter *f = calloc(1, sizeof *f);
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->p = pcap_open_dead(DLT_EN10MB, snaplen);
	if (f->p == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		free(f);
		return NULL;
	}
	if (pcap_compile(f->p, &f->prog, expr, optimize, 0) != 0) {
		snprintf(err, errlen, "%s", pcap_geterr(f->p));
		pcap_close(f->p);
		free(f);
		return NULL;
	}
	return f;
}

static void fb_free(fb_filter *f) {
	pcap_freecode(&f->prog);
	pcap_close(f->p);
	free(f);
}

static unsigned int fb_len(fb_filter *f) { return f->prog.bf_len; }

// fb_run filters n packets with pcap_offline_filter and returns how many it
// accepted; verdicts, when not NULL, receives each packet's return value.
static long fb_run(fb_filter *f, const unsigned char *data, const unsigned int *offs,
		const unsigned int *caplens, const unsigned int *wirelens, long n, unsigned int *verdicts) {
	struct pcap_pkthdr h;
	long accepted = 0;
	memset(&h, 0, sizeof h);
	for (long i = 0; i < n; i++) {
		h.caplen = caplens[i];
		h.len = wirelens[i];
		int r = pcap_offline_filter(&f->prog, &h, data + offs[i]);
		if (verdicts != NULL)
			verdicts[i] = (unsigned int)r;
		if (r != 0)
			accepted++;
	}
	return accepted;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Available reports whether libpcap can be called (the package was built with
// cgo).
const Available = true

// Filter is a program compiled by libpcap's pcap_compile.
type Filter struct {
	f *C.fb_filter
}

// Compile compiles expr with pcap_compile on a pcap_open_dead(DLT_EN10MB,
// snaplen) handle, with netmask 0 and the optimizer on when optimize is true.
// The error carries libpcap's message.
func Compile(expr string, snaplen int, optimize bool) (*Filter, error) {
	cexpr := C.CString(expr)
	defer C.free(unsafe.Pointer(cexpr))
	var errbuf [C.PCAP_ERRBUF_SIZE + 64]C.char
	opt := C.int(0)
	if optimize {
		opt = 1
	}
	f := C.fb_compile(cexpr, C.int(snaplen), opt, &errbuf[0], C.size_t(len(errbuf)))
	if f == nil {
		return nil, fmt.Errorf("libpcap: compiling %q: %s", expr, C.GoString(&errbuf[0]))
	}
	return &Filter{f: f}, nil
}

// Len returns the number of instructions of the compiled program.
func (f *Filter) Len() int { return int(C.fb_len(f.f)) }

// Run filters every packet of b with pcap_offline_filter in one C call and
// returns the number accepted. If verdicts is not nil it must have one element
// per packet and receives pcap_offline_filter's return value for each.
// Run panics if verdicts has the wrong length, since C would then write out
// of bounds.
func (f *Filter) Run(b *Batch, verdicts []uint32) int {
	n := len(b.offsets)
	if verdicts != nil && len(verdicts) != n {
		panic(fmt.Errorf("libpcap: Run: %d verdicts for %d packets", len(verdicts), n))
	}
	if n == 0 {
		return 0
	}
	data := (*C.uchar)(unsafe.Pointer(unsafe.SliceData(b.data)))
	var out *C.uint
	if verdicts != nil {
		out = (*C.uint)(unsafe.Pointer(unsafe.SliceData(verdicts)))
	}
	return int(C.fb_run(f.f, data,
		(*C.uint)(unsafe.Pointer(unsafe.SliceData(b.offsets))),
		(*C.uint)(unsafe.Pointer(unsafe.SliceData(b.capLens))),
		(*C.uint)(unsafe.Pointer(unsafe.SliceData(b.wireLens))),
		C.long(n), out))
}

// Close frees the program and its handle; f must not be used afterwards.
func (f *Filter) Close() {
	if f.f != nil {
		C.fb_free(f.f)
		f.f = nil
	}
}
