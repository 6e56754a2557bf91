package io.objtool.elf.dwarf;

import java.util.Collections;
import java.util.SortedMap;

/**
 * One row of an FDE's table: from {@code offset} (in the code section the FDE describes) until the
 * next row, the CFA rule and the rules of the registers the CIE or FDE programs named. A register
 * not in {@link #regs()} has no rule ("unspecified": DWARF leaves it to the ABI).
 */
public record CfiRow(long offset, CfaRule cfa, SortedMap<Integer, RegRule> regs) {
  /** A row; {@code regs} is kept unmodifiable. */
  public CfiRow {
    regs = Collections.unmodifiableSortedMap(regs);
  }

  /** The rule of register {@code r}, or null when unspecified. */
  public RegRule reg(int r) {
    return regs.get(r);
  }
}
