// Global data (.data, .rodata, .bss), bpf-to-bpf calls, bpf_loop,
// bpf_for_each_map_elem and spin locks in a hash value.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile const __u32 weights[4] = { 3, 5, 7, 11 };	/* .rodata */
__u64 total = 1000;					/* .data */
__u64 packets;						/* .bss */
__u64 loop_sum, each_sum, each_count;			/* .bss */

struct locked {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 count;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct locked);
} locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

static __noinline __u64 mix(__u64 a, __u64 b)
{
	return (a * 31 + b) ^ (a >> 3);
}

static __noinline __u64 weigh(__u32 len, __u32 i)
{
	return mix(len, weights[i & 3]) % 1000;
}

struct loop_ctx { __u8 *data; __u32 len; __u64 sum; };

static long loop_step(__u64 i, struct loop_ctx *c)
{
	if (i >= c->len)
		return 1;
	c->sum += (i + 1) * weights[i & 3];
	return 0;
}

static long each_elem(void *map, __u32 *key, __u64 *val, __u64 *limit)
{
	each_count++;
	each_sum += *key * *val;
	return *key >= *limit;
}

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, key = len % 16, slot = len % 8;
	struct loop_ctx lc = { .len = len % 40 };

	packets++;
	total += weigh(len, packets);
	bpf_loop(len % 50, loop_step, &lc, 0);
	loop_sum += lc.sum;

	__u64 *a = bpf_map_lookup_elem(&arr, &slot);
	if (a)
		*a += mix(packets, len) & 0xff;
	__u64 limit = len % 8;
	long n = bpf_for_each_map_elem(&arr, each_elem, &limit, 0);
	each_sum += n << 32;

	struct locked *l = bpf_map_lookup_elem(&locks, &key);
	if (!l) {
		struct locked init = {};
		bpf_map_update_elem(&locks, &key, &init, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&locks, &key);
		if (!l)
			return XDP_ABORTED;
	}
	bpf_spin_lock(&l->lock);
	l->count++;
	l->bytes += len;
	bpf_spin_unlock(&l->lock);
	return packets & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
