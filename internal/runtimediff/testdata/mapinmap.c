// Lookups in an array of maps and a hash of maps from the program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner in0 SEC(".maps"), in1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { &in0, &in1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [1] = &in1 },
};

SEC("xdp")
int xdp_mapinmap(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, k = len & 1, slot = len % 4;
	void *inner = bpf_map_lookup_elem(&outer_arr, &k);
	if (inner) {
		__u64 *v = bpf_map_lookup_elem(inner, &slot);
		if (v)
			*v += 1;
	}
	inner = bpf_map_lookup_elem(&outer_hash, &k);
	if (inner) {
		__u64 *v = bpf_map_lookup_elem(inner, &slot);
		if (v)
			*v += len;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
