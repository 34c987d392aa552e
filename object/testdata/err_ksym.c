// An extern kernel variable (__ksym).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

SEC("syscall")
int ksym(void *ctx)
{
	return bpf_prog_active;
}

char _license[] SEC("license") = "GPL";
