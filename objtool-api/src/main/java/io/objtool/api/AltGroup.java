package io.objtool.api;

import io.objtool.api.internal.Cfi;

/**
 * A run of instructions patched as one unit by the alternatives mechanism: the original
 * instructions, or one replacement. A replacement group points at its original group; both share
 * one per-byte CFI array, so the stack layout of every alternative must agree byte by byte. A
 * replacement shorter than the original is padded with a {@code nop} pseudo-instruction.
 */
public final class AltGroup {
  AltGroup origGroup;
  Instruction firstInsn;
  Instruction lastInsn;
  Instruction nop;
  /** CFI per byte offset from {@code firstInsn} of the original group. */
  Cfi[] cfi;

  AltGroup() {}

  /** The original group of a replacement, or null for an original group. */
  public AltGroup origGroup() { return origGroup; }

  /** The first instruction of the group. */
  public Instruction firstInsn() { return firstInsn; }

  /** The last instruction of the group. */
  public Instruction lastInsn() { return lastInsn; }

  /** The NOP pseudo-instruction padding a short replacement, or null. */
  public Instruction nop() { return nop; }

  /** The CFI recorded at byte {@code offset} of the original group, or null. */
  public CfiState cfiAt(int offset) {
    return offset >= 0 && offset < cfi.length ? cfi[offset] : null;
  }

  /** Byte length of the group from the first instruction to the end of the last. */
  public int length() {
    return (int) (lastInsn.offset() + lastInsn.length() - firstInsn.offset());
  }
}
