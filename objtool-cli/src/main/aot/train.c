/*
 * Training input for the AOT cache of bin/objtool (objtool-cli/src/main/sh/aot-train.sh):
 * a few functions with the shapes the check meets most (frames, calls, loops, a switch, early
 * returns), compiled like a kernel module and checked with --orc --link --module.
 */
extern void sink(long v);

struct item { long key; long value; struct item *next; };

long train_sum(const struct item *it)
{
	long s = 0;
	for (; it; it = it->next)
		s += it->key * it->value;
	return s;
}

int train_lookup(struct item *head, long key, long *out)
{
	struct item *it;
	for (it = head; it; it = it->next) {
		if (it->key == key) {
			*out = it->value;
			return 0;
		}
	}
	return -2;
}

long train_switch(int op, long a, long b)
{
	switch (op) {
	case 0: return a + b;
	case 1: return a - b;
	case 2: return a * b;
	case 3: return b ? a / b : 0;
	case 4: sink(a); return b;
	default: break;
	}
	return -1;
}

void train_frames(long n)
{
	volatile char buf[256];
	long i;
	for (i = 0; i < n && i < 256; i++)
		buf[i] = (char)i;
	sink(buf[n & 255]);
	if (n < 0)
		sink(-n);
}
