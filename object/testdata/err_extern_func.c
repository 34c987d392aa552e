// Calls a function that is declared but defined nowhere in the object.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int defined_elsewhere(int x);

SEC("syscall")
int calls_extern(void *ctx)
{
	return defined_elsewhere(1);
}

char _license[] SEC("license") = "GPL";
