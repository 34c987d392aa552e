// Tail calls from bpf-to-bpf subprograms: the target replaces the
// subprogram's frame, and its return value is the subprogram's, back in
// the caller. One target tail-calls again from a subprogram of its own;
// an empty slot falls through inside the subprogram.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void hit(__u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &key);
	if (v)
		*v += n;
}

int leaf(struct xdp_md *ctx);
int middle(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} targets SEC(".maps") = {
	.values = {
		[0] = (void *)&leaf,
		[1] = (void *)&middle,
	},
};

static __noinline int jump(struct xdp_md *ctx, __u32 slot)
{
	volatile __u64 local = slot * 7; /* a frame of its own */

	bpf_tail_call(ctx, &targets, slot);
	return 100 + local;
}

SEC("xdp")
int leaf(struct xdp_md *ctx)
{
	hit(8, 1);
	return 10 + (ctx->data_end - ctx->data) % 4;
}

SEC("xdp")
int middle(struct xdp_md *ctx)
{
	int r;

	hit(9, 1);
	r = jump(ctx, 0); /* leaf's value */
	hit(10, r);
	return r + 20;
}

SEC("xdp")
int xdp_subtail(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u64 keep = len; /* callee-saved across the call */
	int r;

	r = jump(ctx, len % 3); /* 0: leaf, 1: middle, 2: empty slot */
	hit(r & 7, 1);
	hit(11, r);
	hit(12, keep);
	return r >= 100 ? XDP_PASS : (r & 1 ? XDP_DROP : XDP_TX);
}

char LICENSE[] SEC("license") = "GPL";
