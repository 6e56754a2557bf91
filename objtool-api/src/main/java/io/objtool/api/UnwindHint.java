package io.objtool.api;

/** Unwind hint types: the {@code type} of a {@link CfiState} and of an {@code UNWIND_HINT} annotation. */
public final class UnwindHint {
  private UnwindHint() {}

  /** The CFI is unknown (no unwind information). */
  public static final int TYPE_UNDEFINED = 0;
  /** The bottom of the stack: the unwind ends here. */
  public static final int TYPE_END_OF_STACK = 1;
  /** A normal call frame. */
  public static final int TYPE_CALL = 2;
  /** A full {@code pt_regs} frame. */
  public static final int TYPE_REGS = 3;
  /** An iret-only {@code pt_regs} frame. */
  public static final int TYPE_REGS_PARTIAL = 4;
  /** A function entry: the state is the architecture's initial function CFI. */
  public static final int TYPE_FUNC = 5;
  /** {@code UNWIND_HINT_SAVE}: remember the CFI. */
  public static final int TYPE_SAVE = 6;
  /** {@code UNWIND_HINT_RESTORE}: take the remembered CFI. */
  public static final int TYPE_RESTORE = 7;
}
