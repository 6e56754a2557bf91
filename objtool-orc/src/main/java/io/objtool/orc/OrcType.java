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
  UNDEFINED("(und)"),
  END_OF_STACK("end"),
  CALL("call"),
  REGS("regs"),
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
