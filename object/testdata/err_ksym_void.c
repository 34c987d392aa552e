// An untyped extern kernel symbol (__ksym of type void).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void bpf_prog_active __ksym;

SEC("syscall")
int ksym_addr(void *ctx)
{
	const void *p = &bpf_prog_active;

	asm volatile("" : "+r"(p));
	return p != 0;
}

char _license[] SEC("license") = "GPL";
