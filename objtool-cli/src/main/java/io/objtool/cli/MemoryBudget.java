package io.objtool.cli;

/**
 * Memory-aware admission for the objtool server: each request reserves an estimate of the heap it
 * will need before it runs, and waits while the reservations would exceed the budget. A request
 * is always admitted when nothing else holds memory, so a large object waits for the small ones
 * to finish rather than starving.
 */
final class MemoryBudget {
  private final long total;
  private long used;

  MemoryBudget(long total) {
    this.total = total;
  }

  long total() {
    return total;
  }

  synchronized long used() {
    return used;
  }

  /** The heap an object of {@code size} bytes needs while it is checked and written, estimated. */
  static long estimate(long size) {
    // measured: amdgpu.ko (29 MB) peaks at ~320 MB of heap; small modules stay under 20 MB
    return 12 * size + (16L << 20);
  }

  /** Reserves {@code bytes}, waiting at most {@code millis}; false when it could not. */
  synchronized boolean tryAcquire(long bytes, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (used > 0 && used + bytes > total) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) return false;
      wait(left);
    }
    used += bytes;
    return true;
  }

  synchronized void release(long bytes) {
    used -= bytes;
    notifyAll();
  }
}
