package io.objtool.api;

import io.objtool.api.arch.CfiRegs;

/**
 * The call frame state at one instruction, as objtool tracks it, read-only: the CFA rule, where
 * each callee-saved register was saved ({@code reg}), what value registers hold relative to the
 * CFA ({@code val}, for {@code mov %rsp,%reg} style copies), the stack size, the DRAP register
 * state (a register holding the pre-alignment stack pointer), the unwind type
 * ({@link UnwindHint}) and the signal/end flags.
 *
 * <p>The engine owns the only implementation; states recorded at instructions are interned and
 * shared, so a pass can compare them with {@code equals} but never change them.
 */
public interface CfiState {
  /** Number of CFI registers tracked ({@link CfiRegs#NUM_REGS}). */
  int NUM_REGS = CfiRegs.NUM_REGS;

  /**
   * Number of registers this state tracks: the architecture's {@code cfiRegCount()}
   * ({@link #NUM_REGS} on x86-64, 32 on arm64).
   */
  default int regCount() {
    return NUM_REGS;
  }

  /** The CFA's base register ({@link CfiRegs}), or {@link CfiRegs#UNDEFINED}. */
  int cfaBase();

  /** The CFA's offset from its base. */
  int cfaOffset();

  /** Where register {@code r}'s caller value is saved: the base. */
  int regBase(int r);

  /** Where register {@code r}'s caller value is saved: the offset. */
  int regOffset(int r);

  /** What register {@code r} holds relative to the CFA: the base ({@link CfiRegs#UNDEFINED} when untracked). */
  int valBase(int r);

  /** What register {@code r} holds relative to the CFA: the offset. */
  int valOffset(int r);

  /** The stack size objtool tracks (bytes pushed since the function entry, plus the return address). */
  int stackSize();

  /** The DRAP register, or {@link CfiRegs#UNDEFINED}. */
  int drapReg();

  /** Where the DRAP register was saved, or -1. */
  int drapOffset();

  /** The unwind type ({@link UnwindHint} {@code TYPE_*}). */
  int type();

  /** Whether the frame pointer holds a scratch value (not a frame). */
  boolean bpScratch();

  /** Whether a DRAP register is in use. */
  boolean drap();

  /** Whether this is a signal frame (the return address is not a call site). */
  boolean signal();

  /** Whether this state ends the unwind (end of stack). */
  boolean end();

  /** Whether the CFI is undefined by force (an {@code UNWIND_HINT_UNDEFINED}). */
  boolean forceUndefined();

  /** The CFA rule. */
  CfiReg cfa();

  /** Where register {@code r}'s caller value is saved. */
  CfiReg reg(int r);

  /** What register {@code r} holds relative to the CFA. */
  CfiReg val(int r);
}
