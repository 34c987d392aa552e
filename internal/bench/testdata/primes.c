// primes: the memory is an array of 32-bit candidates; count those that are
// prime, by trial division with odd divisors up to the square root.

typedef unsigned int u32;
typedef unsigned long long u64;

static inline __attribute__((always_inline)) int is_prime(u32 n)
{
	if (n < 2)
		return 0;
	if (n < 4)
		return 1;
	if (n % 2 == 0)
		return 0;
	// d <= 65535 keeps d * d inside 32 bits; every candidate is below 2^32.
	for (u32 d = 3; d <= 65535 && d * d <= n; d += 2) {
		if (n % d == 0)
			return 0;
	}
	return 1;
}

u64 prog(void *mem, u64 len)
{
	const u32 *w = mem;
	u64 n = len / 4;
	u64 count = 0;

	for (u64 i = 0; i < n; i++)
		count += is_prime(w[i]);
	return count;
}
