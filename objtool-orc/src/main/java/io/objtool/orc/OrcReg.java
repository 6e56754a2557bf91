package io.objtool.orc;

/**
 * A base register of an orc entry: what the sp (cfa) or bp rule is relative to. The 4-bit codes
 * are the same in both kernel formats; codes 10 to 15 are unassigned (dumped as {@code ?}).
 */
public enum OrcReg {
  /** No rule: the value is not known. */
  UNDEFINED(0, "(und)"),
  /** The stack pointer of the previous frame. */
  PREV_SP(1, "prevsp"),
  /** %rdx (a DRAP register). */
  DX(2, "dx"),
  /** %rdi (a DRAP register). */
  DI(3, "di"),
  /** %rbp, the frame pointer. */
  BP(4, "bp"),
  /** %rsp, the stack pointer. */
  SP(5, "sp"),
  /** %r10 (a DRAP register). */
  R10(6, "r10"),
  /** %r13 (a DRAP register). */
  R13(7, "r13"),
  /** The value stored at %rbp + offset (the CFA saved by a DRAP frame). */
  BP_INDIRECT(8, "bp(ind)"),
  /** The value stored at %rsp, plus offset (after a stack swizzle). */
  SP_INDIRECT(9, "sp(ind)");

  private static final OrcReg[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  OrcReg(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The 4-bit field value. */
  public int code() {
    return code;
  }

  /** The name objtool's dump uses for the register. */
  public String dumpName() {
    return dumpName;
  }

  /** The register with this 4-bit code, or null for an unassigned code. */
  public static OrcReg ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /**
   * The dump text of a register rule: {@code (und)}, {@code sp+8}, {@code (bp-16)} for a bp
   * indirect rule, {@code (sp)+8} for an sp indirect one, {@code ?+N} for an unassigned code.
   */
  public static String describe(int code, int offset) {
    String off = offset < 0 ? Integer.toString(offset) : "+" + offset;
    if (code == UNDEFINED.code) return "(und)";
    if (code == BP_INDIRECT.code) return "(bp" + off + ")";
    if (code == SP_INDIRECT.code) return "(sp)" + off;
    OrcReg r = ofCode(code);
    return (r == null ? "?" : r.dumpName) + off;
  }
}
