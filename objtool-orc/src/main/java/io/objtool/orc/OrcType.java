package io.objtool.orc;

/**
 * What an orc entry says about the frame at its ip: no information ({@link #UNDEFINED}), the
 * outermost frame ({@link #END_OF_STACK}), a call frame with the return address just below the
 * cfa ({@link #CALL}), or an exception frame holding a full ({@link #REGS}) or iret-only
 * ({@link #REGS_PARTIAL}) {@code pt_regs} at the cfa.
 *
 * <p>In the 6.12 format all five are type codes; in the 6.1 format undefined and end of stack are
 * expressed by an undefined sp reg without and with the end bit (see {@link OrcFormat}).
 */
public enum OrcType {
  /** No information about the frame at this ip. */
  UNDEFINED("(und)"),
  /** The outermost frame: the unwind stops here. */
  END_OF_STACK("end"),
  /** A call frame: the return address is just below the cfa. */
  CALL("call"),
  /** An exception frame: a full {@code pt_regs} at the cfa. */
  REGS("regs"),
  /** An exception frame with only the iret part of {@code pt_regs} at the cfa. */
  REGS_PARTIAL("regs (partial)");

  private final String dumpName;

  OrcType(String dumpName) {
    this.dumpName = dumpName;
  }

  /** The name objtool's dump uses for the type. */
  public String dumpName() {
    return dumpName;
  }
}
