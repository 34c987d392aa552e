// Programs whose acceptance at load time is compared: the kernel's verifier
// and gbpf's must both accept or both refuse each one. None uses maps or
// helpers, which gbpf's verifier does not model yet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Refused: a socket filter may not write __sk_buff.mark. */
SEC("socket")
int sock_store_mark(struct __sk_buff *skb)
{
	skb->mark = 5;
	return 0;
}

/* Accepted: a socket filter may write the cb words. */
SEC("socket")
int sock_store_cb(struct __sk_buff *skb)
{
	skb->cb[0] = 5;
	return 0;
}

/* Accepted: a tc program may write __sk_buff.mark. */
SEC("tc")
int tc_store_mark(struct __sk_buff *skb)
{
	skb->mark = 5;
	return 0;
}

/* Refused: an XDP program reading past a packet bounds check. */
SEC("xdp")
int xdp_past_check(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 4 > end)
		return XDP_DROP;
	return data[4];
}

/* Accepted: the same read inside the bounds check. */
SEC("xdp")
int xdp_in_check(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 5 > end)
		return XDP_DROP;
	return data[4];
}

char LICENSE[] SEC("license") = "GPL";
