// Counters in every keyed map type, and an LPM trie lookup of the source IP.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define COUNTER(name, kind, n) \
struct { \
	__uint(type, kind); \
	__uint(max_entries, n); \
	__type(key, __u32); \
	__type(value, __u64); \
} name SEC(".maps")

COUNTER(hash, BPF_MAP_TYPE_HASH, 32);
COUNTER(pcpu_hash, BPF_MAP_TYPE_PERCPU_HASH, 32);
COUNTER(lru, BPF_MAP_TYPE_LRU_HASH, 64);
COUNTER(lru_pcpu, BPF_MAP_TYPE_LRU_PERCPU_HASH, 64);
COUNTER(arr, BPF_MAP_TYPE_ARRAY, 16);
COUNTER(pcpu_arr, BPF_MAP_TYPE_PERCPU_ARRAY, 16);
COUNTER(lpm_hits, BPF_MAP_TYPE_ARRAY, 4);

struct lpm_key { __u32 prefixlen; __u8 addr[4]; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} trie SEC(".maps");

static __always_inline void inc(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);
	if (v) {
		*v += n;
		return;
	}
	/* A full hash map refuses the new key (the LRU maps never fill here:
	 * see lru.c for eviction). */
	long err = bpf_map_update_elem(map, &key, &n, BPF_NOEXIST);
	__u32 k = 3;
	v = bpf_map_lookup_elem(&lpm_hits, &k);
	if (v && err)
		*v += 1;
}

SEC("xdp")
int xdp_counters(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 len = end - data;
	__u8 *p = data;

	if (data + 34 > end)
		return XDP_PASS;
	__u32 b = p[33] ^ p[29];	/* low bytes of the IPv4 addresses (or whatever is there) */
	inc(&hash, b % 48, len);
	inc(&pcpu_hash, b % 40, 1);
	inc(&lru, b % 12, len);
	inc(&lru_pcpu, b % 11, 1);
	inc(&arr, b % 16, len);
	inc(&pcpu_arr, len % 16, 1);
	if (*(__be16 *)(p + 12) != bpf_htons(0x0800))
		return XDP_PASS;

	struct lpm_key k = { .prefixlen = 32 };
	__builtin_memcpy(k.addr, p + 26, 4);
	__u32 *hit = bpf_map_lookup_elem(&trie, &k), idx = hit ? *hit % 3 : 0, n;
	__u64 *c = bpf_map_lookup_elem(&lpm_hits, &idx);
	if (c)
		*c += 1;
	/* Grow the trie: a /16 for every source, a /24 for TCP sources. */
	k.prefixlen = 16;
	n = 1;
	bpf_map_update_elem(&trie, &k, &n, BPF_ANY);
	if (p[23] == 6) {
		k.prefixlen = 24;
		n = 2;
		bpf_map_update_elem(&trie, &k, &n, BPF_ANY);
	}
	if (p[23] == 17 && (p[29] & 1)) {
		k.prefixlen = 16;
		bpf_map_delete_elem(&trie, &k);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
