package io.objtool.orc.unwind;

/** Why an unwind stopped. Only {@link #END_OF_STACK} and {@link #USER_MODE} end it reliably. */
public enum StopReason {
  /** The orc entry marks the outermost frame. */
  END_OF_STACK(true),
  /** A regs frame came from user mode (cs has a non-zero privilege level). */
  USER_MODE(true),
  /** No orc entry at or below the ip. */
  NO_ORC_ENTRY(false),
  /** The orc entry covering the ip is undefined (no information, or a section terminator). */
  UNDEFINED_ORC(false),
  /** The orc entry has an unassigned type code. */
  UNKNOWN_TYPE(false),
  /** The sp (cfa base) reg cannot be a cfa base. */
  UNKNOWN_SP_REG(false),
  /** The bp reg is not undefined, prev sp or bp. */
  UNKNOWN_BP_REG(false),
  /** The cfa base is r10, r13, di or dx, but no full regs frame is known. */
  MISSING_REGS(false),
  /** A stack word (return address, saved bp, indirect cfa) is unreadable. */
  UNREADABLE_MEMORY(false),
  /** The pt_regs frame at the cfa is unreadable. */
  UNREADABLE_REGS(false),
  /** The caller's sp is not above the callee's on the same stack. */
  WRONG_DIRECTION(false),
  /** The caller's frame limit was reached. */
  FRAME_LIMIT(false);

  private final boolean reliable;

  StopReason(boolean reliable) {
    this.reliable = reliable;
  }

  /** Whether an unwind ending here reached the bottom of the stack. */
  public boolean reliable() {
    return reliable;
  }
}
