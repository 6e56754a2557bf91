package io.objtool.api;

/**
 * A run of instructions patched as one unit by the alternatives mechanism: the original
 * instructions, or one replacement. A replacement group points at its original group; both share
 * one per-byte CFI array, so the stack layout of every alternative must agree byte by byte. A
 * replacement shorter than the original is padded with a {@code nop} pseudo-instruction.
 */
public final class AltGroup {
  public AltGroup origGroup;
  public Instruction firstInsn;
  public Instruction lastInsn;
  public Instruction nop;
  /** CFI per byte offset from {@code firstInsn} of the original group. */
  public CfiState[] cfi;

  /** Byte length of the group from the first instruction to the end of the last. */
  public int length() {
    return (int) (lastInsn.offset() + lastInsn.length() - firstInsn.offset());
  }
}
