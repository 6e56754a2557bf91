/* The function of docs/explain.png (scripts/explain-screenshot.sh): one path returns with a register still pushed. */
extern void note(int v);

int demo(int x, int y)
{
	int r = x;

	if (x > 3) {
		asm volatile("push %%rbx" ::: "memory");
		if (y > 10)
			return x * 2;	/* the pushed %rbx is still on the stack */
		asm volatile("pop %%rbx" ::: "memory");
		r += y;
	}
	note(r);
	return r;
}
