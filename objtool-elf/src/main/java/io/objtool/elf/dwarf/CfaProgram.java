package io.objtool.elf.dwarf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/** Runs a CIE's initial instructions and an FDE's instructions into rows (every DW_CFA opcode of DWARF 5 and the GNU ones). */
final class CfaProgram {
  private final Fde fde;
  private final Cie cie;
  private final String where;
  private long loc;
  private CfaRule cfa = new CfaRule(-1, 0, null);
  private TreeMap<Integer, RegRule> regs = new TreeMap<>();
  private TreeMap<Integer, RegRule> initial;
  private final Deque<Object[]> remembered = new ArrayDeque<>();
  private final List<CfiRow> rows = new ArrayList<>();

  CfaProgram(Fde fde) {
    this.fde = fde;
    this.cie = fde.cie();
    this.where = fde.section().file().path() + ": " + fde.section().name() + "+0x" + Long.toHexString(fde.offset());
  }

  List<CfiRow> run() {
    loc = fde.start();
    execute(cie.initialInstructions(), true);
    initial = new TreeMap<>(regs);
    execute(fde.rawInstructions(), false);
    rows.add(row());
    return rows;
  }

  private CfiRow row() {
    return new CfiRow(loc, cfa, new TreeMap<>(regs));
  }

  private void advance(long delta) {
    rows.add(row());
    loc += delta * cie.codeAlign();
  }

  private void execute(byte[] code, boolean inCie) {
    Cursor c = new Cursor(code, where);
    long daf = cie.dataAlign();
    while (c.more()) {
      int op = c.u8();
      int low = op & 0x3f;
      switch (op & 0xc0) {
        case 0x40 -> { advance(low); continue; }
        case 0x80 -> { regs.put(low, RegRule.offset(c.uleb() * daf)); continue; }
        case 0xc0 -> { restore(low, inCie, c); continue; }
        default -> { }
      }
      switch (op) {
        case 0x00 -> { }                                                   // nop
        case 0x01 -> {                                                     // set_loc
          long to = FrameInfo.readEncoded(c, cie.fdeEncoding(), cie.addressSize());
          rows.add(row());
          loc = to;
        }
        case 0x02 -> advance(c.u8());
        case 0x03 -> advance(c.u16());
        case 0x04 -> advance(c.u32());
        case 0x1d -> advance(c.s64());                                     // MIPS_advance_loc8
        case 0x05 -> { int r = reg(c); regs.put(r, RegRule.offset(c.uleb() * daf)); }
        case 0x06 -> restore(reg(c), inCie, c);
        case 0x07 -> regs.put(reg(c), RegRule.UNDEFINED);
        case 0x08 -> regs.put(reg(c), RegRule.SAME_VALUE);
        case 0x09 -> { int r = reg(c); regs.put(r, RegRule.register(reg(c))); }
        case 0x0a -> remembered.push(new Object[] {cfa, new TreeMap<>(regs)});
        case 0x0b -> {
          if (remembered.isEmpty()) throw c.bad("DW_CFA_restore_state without a remembered state");
          Object[] s = remembered.pop();
          cfa = (CfaRule) s[0];
          @SuppressWarnings("unchecked") TreeMap<Integer, RegRule> m = (TreeMap<Integer, RegRule>) s[1];
          regs = m;
        }
        case 0x0c -> { int r = reg(c); cfa = new CfaRule(r, c.uleb(), null); }
        case 0x0d -> cfa = new CfaRule(reg(c), cfa.offset(), null);
        case 0x0e -> cfa = new CfaRule(cfa.reg(), c.uleb(), null);
        case 0x0f -> cfa = new CfaRule(-1, 0, DwarfExpr.of(c.bytes(c.uleb()), false, where));
        case 0x10 -> { int r = reg(c); regs.put(r, RegRule.expression(DwarfExpr.of(c.bytes(c.uleb()), true, where))); }
        case 0x11 -> { int r = reg(c); regs.put(r, RegRule.offset(c.sleb() * daf)); }
        case 0x12 -> { int r = reg(c); cfa = new CfaRule(r, c.sleb() * daf, null); }
        case 0x13 -> cfa = new CfaRule(cfa.reg(), c.sleb() * daf, null);
        case 0x14 -> { int r = reg(c); regs.put(r, RegRule.valOffset(c.uleb() * daf)); }
        case 0x15 -> { int r = reg(c); regs.put(r, RegRule.valOffset(c.sleb() * daf)); }
        case 0x16 -> { int r = reg(c); regs.put(r, RegRule.valExpression(DwarfExpr.of(c.bytes(c.uleb()), true, where))); }
        case 0x2d -> { }                                                   // GNU_window_save / AARCH64_negate_ra_state: no row change
        case 0x2e -> c.uleb();                                             // GNU_args_size
        case 0x2f -> { int r = reg(c); regs.put(r, RegRule.offset(-(c.uleb() * daf))); } // GNU_negative_offset_extended
        default -> throw c.bad(String.format("unknown DW_CFA opcode 0x%02x", op));
      }
    }
  }

  private static int reg(Cursor c) {
    long r = c.uleb();
    if (r < 0 || r > 0xffff) throw c.bad("register number " + r + " out of range");
    return (int) r;
  }

  private void restore(int r, boolean inCie, Cursor c) {
    if (inCie) throw c.bad("DW_CFA_restore in a CIE");
    RegRule init = initial.get(r);
    if (init == null) regs.remove(r); else regs.put(r, init);
  }
}
