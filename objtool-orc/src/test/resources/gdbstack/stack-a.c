/* Call chains for GdbStackTest: deep, recursive, with frames of many shapes. */
#include <alloca.h>
#include <string.h>

#define KEEP __attribute__((noinline, noclone))

extern volatile long sink;
long walk_b(long n, long acc);
long leaf_b(long x);

/* A leaf: no frame at all, the cfa is sp + 8 everywhere. */
KEEP long leaf_a(long x)
{
  return x * 7 + (x >> 3);
}

/* A local array used through memset: a sub of rsp, saved registers. */
KEEP long arr_frame(long n)
{
  volatile char buf[200];
  memset((char *)buf, (int)n, sizeof(buf));
  long s = 0;
  for (int i = 0; i < 200; i += 17) s += buf[i];
  return s + leaf_a(n) + leaf_b(s);
}

/* alloca: the frame size is only known at run time, so gcc sets up rbp. */
KEEP long alloca_frame(long n)
{
  long words = (n & 15) + 3;
  long *p = alloca(words * sizeof(long));
  for (long i = 0; i < words; i++) p[i] = i * n;
  sink = p[words - 1];
  long r = arr_frame(n + p[1]);
  return r + p[0];
}

/* A variable length array with a recursive call inside its scope. */
KEEP long vla_rec(long n)
{
  char v[n * 8 + 5];
  for (long i = 0; i < n * 8 + 5; i++) v[i] = (char)(i ^ n);
  sink = v[n];
  if (n <= 0) return alloca_frame(v[2]);
  return vla_rec(n - 1) + v[3];
}

/* Eight arguments: two go on the stack, so rsp moves around the call. */
KEEP long many_args(long a, long b, long c, long d, long e, long f, long g, long h)
{
  return leaf_b(a + b * c + d - e + f * g + h);
}

KEEP long pass_many(long n)
{
  long r = many_args(n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7);
  r += many_args(r, n, r, n, r, n, r, n);
  return r;
}

/* Recursion with callee-saved registers pushed. */
KEEP long walk_a(long n, long acc)
{
  if (n <= 0) return pass_many(acc) + vla_rec(acc & 3);
  long x = acc * 3 + n;
  long y = walk_b(n - 1, x);
  return x ^ y ^ leaf_a(y);
}

/* Over-aligned locals: the stack is realigned, gcc keeps the cfa in rbp. */
KEEP long aligned_frame(long n)
{
  long buf[8] __attribute__((aligned(64)));
  for (int i = 0; i < 8; i++) buf[i] = n + i;
  sink = (long)buf;
  return buf[n & 7] + walk_a(n & 7, n);
}

/* A sibling call: this frame vanishes before the callee runs. */
KEEP long tail_to_aligned(long n)
{
  sink = n;
  return aligned_frame(n + 1);
}
