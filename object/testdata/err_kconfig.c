// An extern variable from .kconfig.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("syscall")
int kversion(void *ctx)
{
	return LINUX_KERNEL_VERSION;
}

char _license[] SEC("license") = "GPL";
