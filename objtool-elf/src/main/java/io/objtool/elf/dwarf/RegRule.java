package io.objtool.elf.dwarf;

/**
 * How to find a register's value in the caller's frame: undefined, the same value, saved at
 * CFA+{@code offset} ({@link Kind#OFFSET}), equal to CFA+{@code offset} ({@link Kind#VAL_OFFSET}),
 * held in register {@code reg}, or saved at / equal to the value of {@code expr}.
 */
public record RegRule(Kind kind, long offset, int reg, DwarfExpr expr) {
  /** The DWARF register rules. */
  public enum Kind {
    /** {@code DW_CFA_undefined}: the caller's value cannot be recovered. */
    UNDEFINED,
    /** {@code DW_CFA_same_value}: the register still holds the caller's value. */
    SAME_VALUE,
    /** {@code offset(N)}: saved at CFA+N. */
    OFFSET,
    /** {@code val_offset(N)}: the caller's value is CFA+N. */
    VAL_OFFSET,
    /** {@code register(R)}: the caller's value is in register R. */
    REGISTER,
    /** {@code expression(E)}: saved at the address E computes. */
    EXPRESSION,
    /** {@code val_expression(E)}: the caller's value is what E computes. */
    VAL_EXPRESSION
  }

  /** The undefined rule. */
  public static final RegRule UNDEFINED = new RegRule(Kind.UNDEFINED, 0, -1, null);
  /** The same-value rule. */
  public static final RegRule SAME_VALUE = new RegRule(Kind.SAME_VALUE, 0, -1, null);

  static RegRule offset(long off) { return new RegRule(Kind.OFFSET, off, -1, null); }
  static RegRule valOffset(long off) { return new RegRule(Kind.VAL_OFFSET, off, -1, null); }
  static RegRule register(int r) { return new RegRule(Kind.REGISTER, 0, r, null); }
  static RegRule expression(DwarfExpr e) { return new RegRule(Kind.EXPRESSION, 0, -1, e); }
  static RegRule valExpression(DwarfExpr e) { return new RegRule(Kind.VAL_EXPRESSION, 0, -1, e); }

  /** The rule as text, registers named for {@code machine}: {@code u}, {@code s}, {@code c-16}, {@code v+8}, {@code rbx}, {@code at(rbp)}, {@code =deref(..)}. */
  public String format(int machine) {
    return switch (kind) {
      case UNDEFINED -> "u";
      case SAME_VALUE -> "s";
      case OFFSET -> "c" + (offset >= 0 ? "+" : "") + offset;
      case VAL_OFFSET -> "v" + (offset >= 0 ? "+" : "") + offset;
      case REGISTER -> DwarfRegs.name(machine, reg);
      case EXPRESSION -> "at(" + expr.format(machine) + ")";
      case VAL_EXPRESSION -> "=" + expr.format(machine);
    };
  }
}
