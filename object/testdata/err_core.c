// A CO-RE field access against a kernel type.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("syscall")
int core_offset(void *ctx)
{
	return bpf_core_field_offset(struct task_struct, tgid);
}

char _license[] SEC("license") = "GPL";
