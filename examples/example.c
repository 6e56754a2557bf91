/*
 * The bundled example: a small piece of kernel-style C, compiled by scripts/example.sh with the
 * flags a 6.12 x86-64 kernel build uses for a module, then checked by bin/objtool the way the
 * module link runs objtool.
 */
struct ops {
	int (*handler)(int);
};

extern void external_log(const char *msg, int value);
extern int external_counter;

static int __attribute__((noinline)) square(int x)
{
	return x * x;
}

int example_dispatch(const struct ops *ops, int x)
{
	int v;

	switch (x & 7) {
	case 0: v = square(x); break;
	case 1: v = x + 3; break;
	case 2: v = x * 7; break;
	case 3: v = -x; break;
	case 4: v = x ^ 0x55; break;
	case 5: v = x << 2; break;
	default: v = ops->handler(x); break;
	}
	external_log("dispatch", v);
	return v + external_counter;
}

int example_recursive(int n)
{
	if (n <= 1)
		return 1;
	return n * example_recursive(n - 1) + square(n);
}
