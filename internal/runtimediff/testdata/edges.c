// Error returns and edge cases of map operations and helpers, all recorded
// in an array: bad flags, missing keys, full maps, out-of-range indexes,
// bpf_loop limits, bpf_for_each_map_elem over hash and per-CPU maps, and
// atomic operations on map values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 2);
	__type(value, __u64);
} q SEC(".maps");

/* Odd key and value sizes: 3-byte keys, 12-byte per-CPU values, 1-byte
 * array values. */
struct key3 { __u8 b[3]; };
struct val12 { __u32 w[3]; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key3);
	__type(value, struct val12);
} odd_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, struct key3);
	__type(value, struct val12);
} odd_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u8);
} bytes SEC(".maps");

static __always_inline void put(__u32 key, __s64 n)
{
	__s64 *v = bpf_map_lookup_elem(&res, &key);
	if (v)
		*v += n;
}

static long count_cb(__u64 i, __u64 *n)
{
	*n += 1;
	return 0;
}

static long sum_hash(void *map, __u32 *key, __u64 *val, __u64 *sum)
{
	*sum += *key * 1000 + *val;
	if (*val > 3)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long sum_pcpu(void *map, __u32 *key, __u64 *val, __u64 *sum)
{
	*sum += *val;
	*val += *key;
	return 0;
}

SEC("xdp")
int xdp_edges(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, k = len % 7, big = 1000;
	__u64 v = len, n = 0;

	put(0, bpf_map_update_elem(&small, &k, &v, BPF_NOEXIST));
	put(1, bpf_map_update_elem(&small, &k, &v, BPF_EXIST));
	put(2, bpf_map_update_elem(&small, &k, &v, 7));
	put(3, bpf_map_delete_elem(&small, &big));
	put(4, bpf_map_update_elem(&res, &big, &v, BPF_ANY));
	put(5, bpf_map_update_elem(&res, &k, &v, BPF_NOEXIST));
	put(6, bpf_map_delete_elem(&res, &k));
	put(7, bpf_map_lookup_elem(&res, &big) == 0);
	put(8, bpf_map_pop_elem(&q, &v));
	put(9, bpf_map_push_elem(&q, &v, 0));
	put(10, bpf_map_push_elem(&q, &v, 42));

	put(11, bpf_loop(len % 100, count_cb, &n, 0));
	put(13, bpf_loop(3, count_cb, &n, 1));
	put(14, n);

	n = 0;
	put(15, bpf_for_each_map_elem(&small, sum_hash, &n, 0));
	put(16, n);
	n = 0;
	put(17, bpf_for_each_map_elem(&pcpu, sum_pcpu, &n, 0));
	put(18, n);
	put(19, bpf_for_each_map_elem(&pcpu, sum_pcpu, &n, 1));

	__s64 *a = bpf_map_lookup_elem(&res, &(__u32){ 20 });
	if (a) {
		put(21, __sync_fetch_and_add(a, len));
		put(22, __sync_fetch_and_or(a, 0x100));
		put(23, __sync_fetch_and_xor(a, 0x3));
		put(24, __sync_fetch_and_and(a, ~0x10LL));
		put(25, __sync_val_compare_and_swap(a, len, 7));
		put(26, __sync_lock_test_and_set(a, *a + 1));
	}
	char buf[8];
	put(27, bpf_snprintf(buf, sizeof(buf), "%u-%u-%u", (__u64[]){ len, len * 1000, 12345 }, 24));
	put(28, buf[7] + buf[0] * 256);
	struct key3 k3 = { { len & 0xff, len >> 8, len % 3 } };
	struct val12 v12 = { { len, len * 2, 0xabcdef } };
	bpf_map_update_elem(&odd_hash, &k3, &v12, BPF_ANY);
	struct val12 *p12 = bpf_map_lookup_elem(&odd_pcpu, &k3);
	if (p12)
		p12->w[1] += 1;
	else
		bpf_map_update_elem(&odd_pcpu, &k3, &v12, BPF_NOEXIST);
	__u8 *b = bpf_map_lookup_elem(&bytes, &(__u32){ len % 5 });
	if (b)
		*b += len;
	put(29, bpf_xdp_adjust_tail(ctx, 4096));
	put(30, bpf_xdp_adjust_head(ctx, len));
	return XDP_PASS;
}

/* More loops than BPF_MAX_LOOPS (1 << 23). */
SEC("xdp")
int xdp_loop_limit(struct xdp_md *ctx)
{
	__u64 n = 0;

	put(0, bpf_loop(1 << 24, count_cb, &n, 0));
	put(1, n);
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	/* No max_entries: one per CPU on both sides (cilium/ebpf clamps a
	 * larger number to the CPUs, gbpf's loader does not). */
	__uint(key_size, 4);
	__uint(value_size, 4);
} perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} empty_jumps SEC(".maps");

/* Refusals of the ring buffer, perf event and tail call helpers. */
SEC("xdp")
int xdp_output_edges(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u64 word = len;

	put(0, bpf_ringbuf_output(&rb, &word, 8, BPF_RB_NO_WAKEUP));
	put(1, bpf_ringbuf_output(&rb, &word, 8, BPF_RB_FORCE_WAKEUP));
	put(2, bpf_ringbuf_output(&rb, &word, 8, 4));
	put(3, bpf_ringbuf_output(&rb, &word, 0, 0));
	void *r = bpf_ringbuf_reserve(&rb, 8192, 0);
	put(4, r == 0);
	if (r)
		bpf_ringbuf_discard(r, 0);
	r = bpf_ringbuf_reserve(&rb, 16, 1);
	put(5, r == 0);
	if (r)
		bpf_ringbuf_submit(r, 0);
	put(6, bpf_perf_event_output(ctx, &perf, 7, &word, 8));
	put(7, bpf_perf_event_output(ctx, &perf, 1, &word, 8));
	put(8, bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU | (1ULL << 40), &word, 8));
	put(9, bpf_snprintf(0, 0, "%u", &word, 8));
	bpf_tail_call(ctx, &empty_jumps, len);
	bpf_tail_call(ctx, &empty_jumps, 1);
	put(10, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
