// Queue and stack push/pop, bloom filter push/peek, ring buffer output of
// packet headers (output, reserve/submit, reserve/discard) and perf event
// output without a reader.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u32);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1000);
	__uint(map_extra, 5);
	__type(value, __u32);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} events SEC(".maps");

/* results[i]: sums of helper results, see below. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void add(__u32 key, __s64 n)
{
	__s64 *v = bpf_map_lookup_elem(&results, &key);
	if (v)
		*v += n;
}

SEC("xdp")
int xdp_queues(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 len = end - data, v = 0;
	static __u32 n;

	if (data + 34 > end)
		return XDP_PASS;
	n++;
	/* Queue: push every packet, overwriting the oldest when full every
	 * other time, pop every third. */
	add(0, bpf_map_push_elem(&queue, &len, (n & 1) ? BPF_EXIST : 0));
	if (n % 3 == 0) {
		add(1, bpf_map_pop_elem(&queue, &v));
		add(2, v);
		add(3, bpf_map_peek_elem(&queue, &v));
		add(4, v);
	}
	add(5, bpf_map_push_elem(&stack, &len, 0));
	if (n % 2 == 0) {
		v = 0;
		add(6, bpf_map_pop_elem(&stack, &v));
		add(7, v);
	}
	/* Bloom filter: push the source address, peek the destination. */
	__u32 saddr = *(__u32 *)(data + 26), daddr = *(__u32 *)(data + 30);
	__u8 hdr[34];
	__builtin_memcpy(hdr, data, 34);
	add(8, bpf_map_push_elem(&bloom, &saddr, 0));
	add(9, bpf_map_peek_elem(&bloom, &daddr) == 0);
	add(10, bpf_map_peek_elem(&bloom, &saddr) == 0);

	/* Ring buffer: the first 34 bytes, with every way to write a record. */
	add(11, bpf_ringbuf_output(&rb, hdr, 34, 0));
	__u8 *rec = bpf_ringbuf_reserve(&rb, 20, 0);
	if (rec) {
		__builtin_memcpy(rec, hdr + 14, 20);
		if (n % 4 == 0)
			bpf_ringbuf_discard(rec, 0);
		else
			bpf_ringbuf_submit(rec, 0);
	} else {
		add(12, 1);
	}
	/* No perf event is attached: the output fails the same way. */
	add(13, bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, hdr, 14));
	add(14, bpf_get_smp_processor_id());
	/* Positions and sizes of the ring buffer, all deterministic. */
	add(15, bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) + (bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE) << 16) +
		(bpf_ringbuf_query(&rb, BPF_RB_CONS_POS) << 32) + (bpf_ringbuf_query(&rb, BPF_RB_PROD_POS) << 40));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
