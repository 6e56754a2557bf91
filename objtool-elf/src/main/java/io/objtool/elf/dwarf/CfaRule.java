package io.objtool.elf.dwarf;

/** The CFA rule of a row: register {@code reg} plus {@code offset}, or (when {@code expr} is not null) the value of an expression. */
public record CfaRule(int reg, long offset, DwarfExpr expr) {
  /** Whether the CFA is given by an expression. */
  public boolean isExpression() { return expr != null; }

  /** The rule as text, registers named for {@code machine}: {@code rsp+8}, or the expression's value ({@code deref(rbp-8)}). */
  public String format(int machine) {
    if (expr != null) return expr.format(machine);
    return DwarfRegs.name(machine, reg) + (offset >= 0 ? "+" : "") + offset;
  }
}
