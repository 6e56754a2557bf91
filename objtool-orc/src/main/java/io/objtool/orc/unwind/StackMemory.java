package io.objtool.orc.unwind;

/**
 * The memory an unwind reads: stack words (return addresses, saved bp, indirect cfa slots) and
 * {@code pt_regs} frames. Reads are checked first with {@link #readable}, like the kernel's
 * on-stack checks; a failed check stops the unwind.
 */
public interface StackMemory {
  /** Whether {@code len} bytes at {@code addr} can be read. */
  boolean readable(long addr, int len);

  /** The little-endian 64-bit word at {@code addr}; only called after {@link #readable} said yes. */
  long read64(long addr);

  /**
   * Which stack {@code addr} is on (task, irq, exception stacks...). The wrong-direction guard
   * only compares sps on the same stack. One stack unless overridden.
   */
  default int stackOf(long addr) {
    return 0;
  }
}
