// Syscall programs with a context buffer: bpf_strncmp, bpf_strtol,
// bpf_strtoul, bpf_snprintf into a global buffer, bpf_probe_read_kernel and
// bpf_probe_read_kernel_str of stack buffers, bpf_ktime_get_ns (not stored) and
// bpf_get_smp_processor_id.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	char text[32];
	__s64 strncmp_res;
	__s64 strtol_res, strtol_val;
	__s64 strtoul_res;
	__u64 strtoul_val;
	__s64 snprintf_res;
	__s64 probe_res;
	__u64 probe_val;
	__s64 str_res;
	__u32 cpu, time_ok;
};

char out[64];		/* .bss: the snprintf output */
__u64 calls;		/* .bss */

SEC("syscall")
int syscall_strings(struct args *a)
{
	char stack[16] = "stack buffer!!!";
	__u64 vals[3];

	char text[32];
	long sval = 0;
	unsigned long uval = 0;

	calls++;
	__builtin_memcpy(text, a->text, sizeof(text));
	text[31] = 0;
	/* The kernel takes no context pointer for these string arguments. */
	a->strncmp_res = bpf_strncmp(text, 8, "1234abcd");
	a->strtol_res = bpf_strtol(text, sizeof(text), 0, &sval);
	a->strtol_val = sval;
	a->strtoul_res = bpf_strtoul(text, sizeof(text), 10, &uval);
	a->strtoul_val = uval;
	vals[0] = a->strtol_val;
	vals[1] = calls;
	vals[2] = (__u64)(long)a->strtol_res;
	a->snprintf_res = bpf_snprintf(out, sizeof(out), "%ld|%llu|%x", vals, sizeof(vals));
	__u64 probed = 0;
	a->probe_res = bpf_probe_read_kernel(&probed, 8, stack + 3);
	a->probe_val = probed;
	char copy[8];
	a->str_res = bpf_probe_read_kernel_str(copy, sizeof(copy), stack + 9) << 32;
	a->str_res |= copy[0] | copy[6] << 8;
	a->str_res += bpf_probe_read_kernel_str(copy, sizeof(copy), text) << 16;
	a->cpu = bpf_get_smp_processor_id();
	a->time_ok = bpf_ktime_get_ns() != 0;
	return a->strncmp_res == 0;
}

char LICENSE[] SEC("license") = "GPL";
