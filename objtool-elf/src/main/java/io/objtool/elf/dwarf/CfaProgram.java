package io.objtool.elf.dwarf;

import io.objtool.elf.MalformedElfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Runs a CIE's initial instructions and an FDE's instructions into rows (every DW_CFA opcode of
 * DWARF 5 and the GNU ones).
 *
 * <p>What is malformed here, besides truncation and unknown opcodes: a row-making instruction
 * ({@code DW_CFA_advance_loc*}, {@code DW_CFA_set_loc}) or {@code DW_CFA_restore} among a CIE's
 * initial instructions, a row address that goes backwards or wraps, {@code DW_CFA_restore_state}
 * without a remembered state, and a program whose rows would hold more than
 * {@link #RULES_PER_BYTE} register rules per byte of its instructions (plus {@link #RULES_BASE}):
 * rows share their rules until an instruction changes them, so this bounds what a hostile
 * program can make the reader allocate, far above what compilers emit (a row copies a handful of
 * rules for every two or more bytes).
 */
final class CfaProgram {
  /** Register rules the rows of a program may copy per byte of its instructions. */
  static final int RULES_PER_BYTE = 8;
  /** Register rules every program may copy besides: the CIE's initial rules, and slack. */
  static final int RULES_BASE = 64;

  /** A state saved by {@code DW_CFA_remember_state}: a stack of immutable cells. */
  private record Saved(CfaRule cfa, TreeMap<Integer, RegRule> regs, Saved next) { }

  /** The state a CIE's initial instructions leave: computed once, shared by its FDEs. */
  static final class Initial {
    private final Cie cie;
    private final Path file;
    private final String where;
    private Start start;

    Initial(Cie cie, Path file) {
      this.cie = cie;
      this.file = file;
      this.where = cie.section().name() + "+0x" + Long.toHexString(cie.offset());
    }

    synchronized Start start() {
      if (start == null) {
        CfaProgram p = new CfaProgram(cie, file, where, cie.initialInstructions().length);
        p.execute(cie.initialInstructions(), true);
        p.regsShared = true;
        start = new Start(p.cfa, p.regs, p.remembered);
      }
      return start;
    }
  }

  private record Start(CfaRule cfa, TreeMap<Integer, RegRule> regs, Saved remembered) { }

  private final Cie cie;
  private final Path file;
  private final String where;
  private long loc;
  private CfaRule cfa = new CfaRule(-1, 0, null);
  private TreeMap<Integer, RegRule> regs = new TreeMap<>();
  /** Whether {@link #regs} is held by a row or a saved state too: copied before it changes. */
  private boolean regsShared;
  private TreeMap<Integer, RegRule> initial;
  private Saved remembered;
  private final List<CfiRow> rows = new ArrayList<>();
  private long budget;

  private CfaProgram(Cie cie, Path file, String where, int programBytes) {
    this.cie = cie;
    this.file = file;
    this.where = where;
    this.budget = (long) RULES_PER_BYTE * programBytes + RULES_BASE;
  }

  /** The rows of {@code fde}, from the state its CIE's instructions leave. */
  static List<CfiRow> run(Fde fde, Initial init) {
    String where = fde.section().name() + "+0x" + Long.toHexString(fde.offset());
    CfaProgram p = new CfaProgram(fde.cie(), fde.section().file().path(), where, fde.rawInstructions().length);
    Start s = init.start();
    p.loc = fde.start();
    p.cfa = s.cfa();
    p.regs = s.regs();
    p.regsShared = true;
    p.initial = s.regs();
    p.remembered = s.remembered();
    p.execute(fde.rawInstructions(), false);
    p.rows.add(p.row());
    return p.rows;
  }

  private MalformedElfException bad(String problem) {
    return Cursor.bad(file, where, problem);
  }

  private CfiRow row() {
    regsShared = true;
    return new CfiRow(loc, cfa, regs);
  }

  /** The rules, to be changed: a copy when a row or a saved state holds them. */
  private TreeMap<Integer, RegRule> writable() {
    if (regsShared) {
      budget -= regs.size();
      if (budget < 0) throw bad("CFA program needs more register rules than its length allows (a hostile program?)");
      regs = new TreeMap<>(regs);
      regsShared = false;
    }
    return regs;
  }

  private void set(int reg, RegRule rule) {
    writable().put(reg, rule);
  }

  private void advance(long delta, boolean inCie) {
    if (inCie) throw bad("DW_CFA_advance_loc in a CIE");
    long by;
    try {
      by = Math.multiplyExact(delta, cie.codeAlign());
    } catch (ArithmeticException e) {
      by = -1;
    }
    if (by < 0 || Long.compareUnsigned(loc + by, loc) < 0) {
      throw bad("DW_CFA_advance_loc by " + Long.toUnsignedString(delta) + " wraps the row address");
    }
    rows.add(row());
    loc += by;
  }

  private void execute(byte[] code, boolean inCie) {
    Cursor c = new Cursor(code, file, where);
    long daf = cie.dataAlign();
    while (c.more()) {
      int op = c.u8();
      int low = op & 0x3f;
      switch (op & 0xc0) {
        case 0x40 -> { advance(low, inCie); continue; }
        case 0x80 -> { set(low, RegRule.offset(c.uleb() * daf)); continue; }
        case 0xc0 -> { restore(low, inCie); continue; }
        default -> { }
      }
      switch (op) {
        case 0x00 -> { }                                                   // nop
        case 0x01 -> {                                                     // set_loc
          if (inCie) throw bad("DW_CFA_set_loc in a CIE");
          long to = FrameInfo.readEncoded(c, cie.fdeEncoding(), cie.addressSize());
          if (Long.compareUnsigned(to, loc) < 0) {
            throw bad("DW_CFA_set_loc to 0x" + Long.toHexString(to) + ", before the row at 0x" + Long.toHexString(loc));
          }
          rows.add(row());
          loc = to;
        }
        case 0x02 -> advance(c.u8(), inCie);
        case 0x03 -> advance(c.u16(), inCie);
        case 0x04 -> advance(c.u32(), inCie);
        case 0x1d -> advance(c.s64(), inCie);                              // MIPS_advance_loc8
        case 0x05 -> { int r = reg(c); set(r, RegRule.offset(c.uleb() * daf)); }
        case 0x06 -> restore(reg(c), inCie);
        case 0x07 -> set(reg(c), RegRule.UNDEFINED);
        case 0x08 -> set(reg(c), RegRule.SAME_VALUE);
        case 0x09 -> { int r = reg(c); set(r, RegRule.register(reg(c))); }
        case 0x0a -> {                                                     // remember_state
          regsShared = true;
          remembered = new Saved(cfa, regs, remembered);
        }
        case 0x0b -> {                                                     // restore_state
          if (remembered == null) throw bad("DW_CFA_restore_state without a remembered state");
          cfa = remembered.cfa();
          regs = remembered.regs();
          regsShared = true;
          remembered = remembered.next();
        }
        case 0x0c -> { int r = reg(c); cfa = new CfaRule(r, c.uleb(), null); }
        case 0x0d -> cfa = new CfaRule(reg(c), cfa.offset(), null);
        case 0x0e -> cfa = new CfaRule(cfa.reg(), c.uleb(), null);
        case 0x0f -> cfa = new CfaRule(-1, 0, DwarfExpr.of(c.bytes(c.uleb()), false, file, where));
        case 0x10 -> { int r = reg(c); set(r, RegRule.expression(DwarfExpr.of(c.bytes(c.uleb()), true, file, where))); }
        case 0x11 -> { int r = reg(c); set(r, RegRule.offset(c.sleb() * daf)); }
        case 0x12 -> { int r = reg(c); cfa = new CfaRule(r, c.sleb() * daf, null); }
        case 0x13 -> cfa = new CfaRule(cfa.reg(), c.sleb() * daf, null);
        case 0x14 -> { int r = reg(c); set(r, RegRule.valOffset(c.uleb() * daf)); }
        case 0x15 -> { int r = reg(c); set(r, RegRule.valOffset(c.sleb() * daf)); }
        case 0x16 -> { int r = reg(c); set(r, RegRule.valExpression(DwarfExpr.of(c.bytes(c.uleb()), true, file, where))); }
        case 0x2d -> { }                                                   // GNU_window_save / AARCH64_negate_ra_state: no row change
        case 0x2e -> c.uleb();                                             // GNU_args_size
        case 0x2f -> { int r = reg(c); set(r, RegRule.offset(-(c.uleb() * daf))); } // GNU_negative_offset_extended
        default -> throw c.bad(String.format("unknown DW_CFA opcode 0x%02x", op));
      }
    }
  }

  private static int reg(Cursor c) {
    long r = c.uleb();
    if (r < 0 || r > 0xffff) throw c.bad("register number " + r + " out of range");
    return (int) r;
  }

  private void restore(int r, boolean inCie) {
    if (inCie) throw bad("DW_CFA_restore in a CIE");
    RegRule init = initial.get(r);
    if (init == null) {
      if (regs.containsKey(r)) writable().remove(r);
    } else if (!init.equals(regs.get(r))) {
      set(r, init);
    }
  }
}
