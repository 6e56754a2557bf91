/* The other half of the call chains for GdbStackTest, and main. */
#include <stdio.h>
#include <stdlib.h>

#define KEEP __attribute__((noinline, noclone))

volatile long sink;
long walk_a(long n, long acc);
long tail_to_aligned(long n);
long leaf_a(long x);

KEEP long leaf_b(long x)
{
  return x ^ (x << 5);
}

KEEP long walk_b(long n, long acc)
{
  volatile long pad[3] = { n, acc, n ^ acc };
  long r = walk_a(n, acc + pad[2]);
  return r + pad[0] + leaf_b(pad[1]);
}

/* Plain recursion, deep enough to make long backtraces. */
KEEP long fib(long n)
{
  if (n < 2) return leaf_b(n) & 1;
  return fib(n - 1) + fib(n - 2);
}

typedef long (*step_fn)(long);

/* Calls through a function pointer table. */
KEEP long dispatch(long n, step_fn const *fns, int count)
{
  long r = 0;
  for (int i = 0; i < count; i++) r += fns[i](n + i);
  return r;
}

KEEP long deep(long n)
{
  if (n == 0) {
    static step_fn const fns[] = { tail_to_aligned, fib, leaf_a };
    return dispatch(9, fns, 3);
  }
  long r = deep(n - 1);
  sink = r;
  return r + n;
}

/* Never returns: main's call to it is main's last instruction, so the return address main's
   frame holds is past main's end. */
KEEP __attribute__((noreturn)) void finish(long r)
{
  printf("%ld\n", leaf_b(r));
  fflush(stdout);
  exit(0);
}

int main(void)
{
  long r = deep(24);
  r += walk_a(7, 1);
  finish(r);
}
