// Global data in every kind of data section, static and global subprograms
// with bpf-to-bpf calls, a bpf_loop callback and a string literal in
// .rodata.str1.1 (bpf_printk).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 5;                                   /* .data */
const volatile int limit = 10;                     /* .rodata */
__u64 total;                                       /* .bss */
int custom_data SEC(".data.custom") = 3;           /* .data.custom */
const volatile char greeting[8] SEC(".rodata.custom") = "hello";

static __attribute__((noinline)) int add_static(int a, int b)
{
	return a + b + limit;
}

__attribute__((noinline)) int add_global(int a)
{
	total += a;
	return add_static(a, counter);
}

static int loop_body(__u32 index, void *ctx)
{
	__u64 *sum = ctx;
	*sum += index + custom_data;
	return 0;
}

SEC("syscall")
int with_calls(void *ctx)
{
	__u64 sum = 0;
	bpf_loop(4, loop_body, &sum, 0);
	bpf_printk("sum %llu", sum);
	counter++;
	return add_global((int)sum) + greeting[1];
}

SEC("syscall")
int with_static(void *ctx)
{
	return add_static(1, 2);
}

char _license[] SEC("license") = "Dual BSD/GPL";
