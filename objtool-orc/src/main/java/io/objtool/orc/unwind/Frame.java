package io.objtool.orc.unwind;

/**
 * One frame of an unwind.
 *
 * @param ip the frame's ip: a return address, or the exact ip after a signal (regs) frame
 * @param sp the frame's sp
 * @param bp the frame's bp as far as known
 * @param regs address of the pt_regs frame this frame was found through, or {@link #NO_REGS}
 * @param fullRegs whether that frame is a full one (else iret-only)
 * @param signal whether {@link #ip} is exact (looked up as is, not as ip - 1)
 */
public record Frame(long ip, long sp, long bp, long regs, boolean fullRegs, boolean signal) {
  /** {@link #regs} when there is no regs frame. */
  public static final long NO_REGS = -1;

  /** Whether a pt_regs frame is known. */
  public boolean hasRegs() {
    return regs != NO_REGS;
  }
}
