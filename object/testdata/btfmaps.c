// BTF-defined maps of several types, map-in-map and prog-array initialisers,
// several programs per section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct value_with_lock {
	__u64 n;
	struct bpf_spin_lock lock;
	__u64 m;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct value_with_lock);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, __u32);
} lru SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} trie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__uint(map_extra, 3);
	__type(value, __u32);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array inner1 SEC(".maps");
struct inner_array inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = { [0] = &inner1, [2] = &inner2 },
};

int tail_a(struct xdp_md *ctx);
int tail_b(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&tail_a, [1] = (void *)&tail_b },
};

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tail_b(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&percpu, &k);
	if (c)
		*c += 1;
	struct value_with_lock *l = bpf_map_lookup_elem(&locked, &k);
	if (l) {
		bpf_spin_lock(&l->lock);
		l->n++;
		bpf_spin_unlock(&l->lock);
	}
	__u64 lk = 7;
	bpf_map_update_elem(&lru, &lk, &k, BPF_ANY);
	struct lpm_key key = {32, 0x0100007f};
	bpf_map_lookup_elem(&trie, &key);
	bpf_ringbuf_output(&events, &k, sizeof(k), 0);
	bpf_map_push_elem(&queue, &k, 0);
	bpf_map_push_elem(&bloom, &k, 0);
	bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &k, sizeof(k));
	bpf_tail_call(ctx, &jumps, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int outer_lookup(struct xdp_md *ctx)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (in) {
		__u32 *v = bpf_map_lookup_elem(in, &k);
		if (v)
			*v += 1;
	}
	return XDP_PASS;
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	return skb->len > 100;
}

SEC("syscall")
int from_syscall(void *ctx)
{
	return 42;
}

SEC("tracepoint/syscalls/sys_enter_write")
int on_write(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
