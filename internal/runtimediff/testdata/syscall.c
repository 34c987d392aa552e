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

char formats[4][96];	/* .bss: the outputs of syscall_formats */
__s64 format_res[8];	/* .bss */

/* bpf_snprintf with the conversions whose output is deterministic, and the
 * ring buffer and string helpers' refusals. */
SEC("syscall")
int syscall_formats(struct args *a)
{
	char text[16];
	__u8 ip6[16];
	__u32 ip4;
	__u64 args[8];

	__builtin_memcpy(text, a->text, sizeof(text));
	text[15] = 0;
	__builtin_memcpy(&ip4, a->text, 4);
	__builtin_memcpy(ip6, a->text, 16);
	args[0] = (__u64)(long)text;
	args[1] = ip4;
	args[2] = (__u64)(long)&ip4;
	args[3] = (__u64)(long)ip6;
	args[4] = (__u64)-5;
	args[5] = 0x1234abcd;
	args[6] = 'Z';
	args[7] = 077;
	format_res[0] = bpf_snprintf(formats[0], sizeof(formats[0]), "[%s] %u %pI4 %pi4", args, 32);
	format_res[1] = bpf_snprintf(formats[1], sizeof(formats[1]), "%pI6|%pi6", (__u64[]){ args[3], args[3] }, 16);
	format_res[2] = bpf_snprintf(formats[2], sizeof(formats[2]), "%5d|%-6ld|%c|%08x|%%", &args[4], 32);
	format_res[3] = bpf_snprintf(formats[3], 10, "%s-%s-%s", (__u64[]){ args[0], args[0], args[0] }, 24);
	long v = 0;
	format_res[4] = bpf_strtol(text, sizeof(text), 16, &v) + (v << 8);
	format_res[5] = bpf_strtol(text, sizeof(text), 8, &v) + (v << 8);
	format_res[6] = bpf_strtol(text, sizeof(text), 3, &v);
	format_res[7] = bpf_strncmp(text, sizeof(text), "-42");
	return 0;
}

char chars[16];	/* .bss: the output of syscall_char */

/* %c of a value over 0x7f: the kernel writes its low byte. */
SEC("syscall")
int syscall_char(struct args *a)
{
	__u64 args[2] = { (__u8)a->text[0] | 0x80, 0x1234abcd };
	return bpf_snprintf(chars, sizeof(chars), "%c%c", args, sizeof(args));
}

char LICENSE[] SEC("license") = "GPL";
