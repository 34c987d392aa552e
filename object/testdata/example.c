// The object of Example (testdata/example.o, committed so that the example
// runs without clang). Rebuild with:
//   clang-19 -O2 -g -target bpf -c -I/usr/include/x86_64-linux-gnu example.c -o example.o
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

const volatile __u32 factor = 3;

static __attribute__((noinline)) __u64 scale(__u64 x)
{
	return x * factor;
}

SEC("syscall")
int count(void *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&runs, &key);
	if (!n)
		return -1;
	*n += 1;
	return scale(*n);
}

char _license[] SEC("license") = "GPL";
