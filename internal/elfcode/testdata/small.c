// Source of small.o: clang-19 -O2 -target bpf -mcpu=v4 -c small.c -o small.o
#define SEC(name) __attribute__((section(name), used))
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct {
	int (*type)[2];
	int (*max_entries)[4];
	int *key;
	long *value;
} arr SEC(".maps");

long counter;

static __attribute__((noinline)) long twice(long x)
{
	return 2 * x + counter;
}

SEC("socket") int first(void *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&arr, &k);
	return v ? (int)twice(*v) : 0;
}

SEC("socket") int second(void *ctx)
{
	return (int)twice(3);
}

SEC("xdp") int third(void *ctx)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
