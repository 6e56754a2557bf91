package io.objtool.orc.unwind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack snapshot in byte arrays: one or more regions, each at a base address and on a numbered
 * stack. Everything outside the regions is unreadable.
 */
public final class ByteArrayMemory implements StackMemory {
  private record Region(long base, ByteBuffer bytes, int stack) {
    boolean covers(long addr, int len) {
      long off = addr - base;
      // memory does not wrap past 2^64: neither the read nor the region may
      return Long.compareUnsigned(addr, base) >= 0 && off >= 0 && len >= 0 && off <= bytes.capacity() - len
          && Long.compareUnsigned(addr + len, addr) >= 0;
    }
  }

  private final List<Region> regions = new ArrayList<>();

  /** A region of {@code bytes} at {@code base} on stack 0 (the array is used, not copied). */
  public ByteArrayMemory add(long base, byte[] bytes) {
    return add(base, bytes, 0);
  }

  /** A region of {@code bytes} at {@code base} on stack {@code stack}. */
  public ByteArrayMemory add(long base, byte[] bytes, int stack) {
    regions.add(new Region(base, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), stack));
    return this;
  }

  /** A zero-filled region of {@code size} bytes at {@code base} on stack 0. */
  public ByteArrayMemory zeroed(long base, int size) {
    return add(base, new byte[size]);
  }

  /** Stores a word (the region must cover it). */
  public ByteArrayMemory put64(long addr, long value) {
    Region r = region(addr, 8);
    if (r == null) throw new IllegalArgumentException("no region covers 0x" + Long.toHexString(addr));
    r.bytes.putLong((int) (addr - r.base), value);
    return this;
  }

  private Region region(long addr, int len) {
    for (Region r : regions) if (r.covers(addr, len)) return r;
    return null;
  }

  @Override
  public boolean readable(long addr, int len) {
    return region(addr, len) != null;
  }

  @Override
  public long read64(long addr) {
    Region r = region(addr, 8);
    if (r == null) throw new IllegalArgumentException("unreadable 0x" + Long.toHexString(addr));
    return r.bytes.getLong((int) (addr - r.base));
  }

  @Override
  public int stackOf(long addr) {
    Region r = region(addr, 1);
    return r == null ? -1 : r.stack;
  }
}
