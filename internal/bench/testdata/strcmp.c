// strcmp: the memory holds two tables of 64-byte records, one per half; each
// record is a NUL-terminated string (a record without a NUL ends at the
// record's end). Record i of the first table is compared with record i of the
// second with a byte-wise strcmp; the signs are folded into a hash.

typedef unsigned char u8;
typedef unsigned long long u64;

#define RECORD 64

static inline __attribute__((always_inline)) int cmp(const u8 *a, const u8 *b)
{
	for (u64 i = 0; i < RECORD; i++) {
		u8 ca = a[i];
		u8 cb = b[i];

		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == 0)
			return 0;
	}
	return 0;
}

u64 prog(void *mem, u64 len)
{
	const u8 *a = mem;
	const u8 *b = a + len / 2;
	u64 records = len / 2 / RECORD;
	u64 h = 0;

	for (u64 r = 0; r < records; r++)
		h = h * 3 + (u64)(cmp(a + r * RECORD, b + r * RECORD) + 1);
	return h;
}
