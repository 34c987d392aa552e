// Maps, helper calls, global data and bpf-to-bpf calls.
#include "common.h"

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

u64 total = 7;
const char fmt[] = "n=%d\n";
static volatile u32 seen;

static __attribute__((noinline)) u64 scale(u64 x, u32 k)
{
	return x * k + total;
}

static __attribute__((noinline)) int bump(u32 key)
{
	u64 one = 1, *v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		bpf_map_update_elem(&counts, &key, &one, 0);
		return 0;
	}
	__sync_fetch_and_add(v, 1);
	return (int)scale(*v, key);
}

SEC("xdp") int count_packets(void *ctx)
{
	u32 key = *(u32 *)ctx & 63;
	int r = bump(key);
	seen++;
	if (r > 100)
		bpf_trace_printk(fmt, sizeof(fmt), r);
	return r > 1000 ? 1 : 2;
}

SEC("tracepoint/syscalls/sys_enter_write") int on_write(u64 *ctx)
{
	u64 t = bpf_ktime_get_ns();
	total += t & 0xff;
	return bump((u32)ctx[1]);
}

char LICENSE[] SEC("license") = "GPL";
