/*
 * Training input with a warning: the callee never returns, which the check cannot know, so the
 * function runs off the end of its section. Puts the warning paths into the AOT cache.
 */
extern void give_up(const char *why) __attribute__((noreturn));
extern long try_once(long n);

long retry(long n)
{
	while (n-- > 0)
		if (try_once(n))
			return n;
	give_up("no luck");
}
