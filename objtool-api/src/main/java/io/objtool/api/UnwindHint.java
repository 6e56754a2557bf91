package io.objtool.api;

/** Unwind hint types: the {@code type} of a {@link CfiState} and of an {@code UNWIND_HINT} annotation. */
public final class UnwindHint {
  private UnwindHint() {}

  public static final int TYPE_UNDEFINED = 0;
  public static final int TYPE_END_OF_STACK = 1;
  public static final int TYPE_CALL = 2;
  public static final int TYPE_REGS = 3;
  public static final int TYPE_REGS_PARTIAL = 4;
  /** A function entry: the state is the architecture's initial function CFI. */
  public static final int TYPE_FUNC = 5;
  public static final int TYPE_SAVE = 6;
  public static final int TYPE_RESTORE = 7;
}
