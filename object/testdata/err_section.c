// A variable in a section that is neither code, maps nor global data.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int odd SEC(".mysection") = 1;

SEC("xdp")
int reads_odd(struct xdp_md *ctx)
{
	return odd;
}

char _license[] SEC("license") = "GPL";
