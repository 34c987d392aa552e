// A syscall program calling the helpers about the current task, time,
// randomness and tracing: bpf_get_current_pid_tgid, _uid_gid and _comm
// (both sides run on the same OS thread), bpf_ktime_get_boot_ns and
// bpf_jiffies64 (stored as properties, not values; the kernel refuses
// bpf_ktime_get_coarse_ns here, redirect.c calls it),
// bpf_get_prandom_u32, bpf_get_numa_node_id, bpf_trace_printk (its
// length) and bpf_probe_read_user(_str) of an unmapped address.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

static void set(__u32 slot, __u64 v)
{
	bpf_map_update_elem(&out, &slot, &v, BPF_ANY);
}

SEC("syscall")
int syscall_current(void *ctx)
{
	char comm[16];
	char buf[8] = "xxxxxxx";
	__u64 mono, boot, jiffies, rnd = 0;
	long r;

	set(0, bpf_get_current_pid_tgid());
	set(1, bpf_get_current_uid_gid());
	r = bpf_get_current_comm(comm, sizeof(comm));
	set(2, r);
	set(3, *(__u64 *)comm);
	set(4, *(__u64 *)(comm + 8));

	mono = bpf_ktime_get_ns();
	boot = bpf_ktime_get_boot_ns();
	jiffies = bpf_jiffies64();
	set(5, boot >= mono);
	set(6, bpf_ktime_get_ns() >= mono);
	set(7, jiffies > 0);

	for (int i = 0; i < 32; i++)
		rnd |= bpf_get_prandom_u32();
	set(8, rnd != 0);
	set(9, bpf_get_numa_node_id());

	static const char fmt[] = "gbpf corpus %d\n";
	set(10, bpf_trace_printk(fmt, sizeof(fmt), 42));

	set(11, bpf_probe_read_user(buf, sizeof(buf), (void *)8));
	set(12, *(__u64 *)buf);
	set(13, bpf_probe_read_user_str(buf, sizeof(buf), (void *)8));
	set(14, *(__u64 *)buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
