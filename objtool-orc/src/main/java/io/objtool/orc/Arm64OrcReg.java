package io.objtool.orc;

/**
 * A base register of an arm64 orc entry, in the semantics of the 2022 arm64 objtool series: the
 * cfa is {@link #SP} or {@link #FP} plus the sp offset, and the caller's x29 is saved at
 * {@link #PREV_SP} (the cfa) plus the fp offset, or is still in x29 ({@link #UNDEFINED}). The
 * 4-bit codes sit where x86's sp and bp registers do in the flag word; an entry that is all zero
 * says the frame pointer is not reliable at that address.
 */
public enum Arm64OrcReg {
  /** No rule: for the fp, the caller's x29 is still in x29; for the cfa, unknown. */
  UNDEFINED(0, "(und)"),
  /** The cfa, the stack pointer of the previous frame: the base of the saved x29. */
  PREV_SP(1, "prev_sp"),
  /** The stack pointer. */
  SP(2, "sp"),
  /** The frame pointer, x29. */
  FP(3, "fp");

  private static final Arm64OrcReg[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  Arm64OrcReg(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The 4-bit field value. */
  public int code() {
    return code;
  }

  /** The register with this 4-bit code, or null for an unassigned code. */
  public static Arm64OrcReg ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The dump text of a rule: {@code (und)}, {@code sp+32}, {@code prev_sp-32}, {@code ?+N} for an unassigned code. */
  public static String describe(int code, int offset) {
    if (code == UNDEFINED.code) return "(und)";
    Arm64OrcReg r = ofCode(code);
    return (r == null ? "?" : r.dumpName) + (offset < 0 ? Integer.toString(offset) : "+" + offset);
  }
}
