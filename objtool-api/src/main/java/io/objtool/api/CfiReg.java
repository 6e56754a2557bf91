package io.objtool.api;

import io.objtool.api.arch.CfiRegs;

/**
 * Where a register (or the CFA) can be found: {@code base + offset}, where base is a CFI register
 * number ({@link CfiRegs}) or one of the pseudo bases {@link CfiRegs#UNDEFINED},
 * {@link CfiRegs#CFA}, {@link CfiRegs#SP_INDIRECT}, {@link CfiRegs#BP_INDIRECT}.
 */
public record CfiReg(int base, int offset) {
  /** Not known (or not saved): the state of a register the function has not stored. */
  public static final CfiReg UNDEFINED = new CfiReg(CfiRegs.UNDEFINED, 0);

  @Override
  public String toString() {
    return CfiRegs.name(base) + (offset >= 0 ? "+" : "") + offset;
  }
}
