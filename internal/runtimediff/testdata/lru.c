// Eviction in full LRU hash maps (common and per-CPU LRU lists), keyed by
// the IPv4 source address.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru_pcpu SEC(".maps");

static __always_inline void inc(void *map, __u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

SEC("xdp")
int xdp_lru(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 34 > end || *(__be16 *)(data + 12) != bpf_htons(0x0800))
		return XDP_PASS;
	inc(&lru, *(__u32 *)(data + 26));
	inc(&lru_pcpu, *(__u32 *)(data + 30));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
