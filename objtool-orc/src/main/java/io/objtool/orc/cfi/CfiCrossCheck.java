package io.objtool.orc.cfi;

import io.objtool.api.CfiState;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.CfiRegs;
import io.objtool.elf.Section;
import io.objtool.elf.dwarf.CfaRule;
import io.objtool.elf.dwarf.CfiRow;
import io.objtool.elf.dwarf.DwarfRegs;
import io.objtool.elf.dwarf.Fde;
import io.objtool.elf.dwarf.FrameInfo;
import io.objtool.elf.dwarf.RegRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares objtool's CFI after the walk with the object's DWARF CFI at every instruction both
 * describe: the CFA (base register and offset, or the DRAP form {@code deref(rbp-8)}), where the
 * caller's frame pointer (rbp) is saved and where the return address is. Both sides are written
 * in one vocabulary ({@link Rules}) so that equal rules compare equal:
 * <ul>
 *   <li>CFA: {@code rsp+8}, {@code rbp+16}, {@code r10+0}, {@code deref(rbp-8)} (objtool's
 *       {@code BP_INDIRECT}, DWARF's {@code DW_OP_breg6 -8; DW_OP_deref}), {@code deref(rsp)+N}
 *       (objtool's {@code SP_INDIRECT});</li>
 *   <li>rbp: {@code same} (not saved: objtool's undefined base, DWARF unspecified or
 *       {@code same_value}), {@code cfa-16} (saved at CFA-16), {@code at(rbp)} (saved at the
 *       address rbp+0: objtool's DRAP {@code BP}-based rule, DWARF's {@code DW_CFA_expression}),
 *       {@code undef} (DWARF {@code undefined});</li>
 *   <li>return address: {@code cfa-8}, {@code regs} (objtool's pt_regs frames), or as the rule says.</li>
 * </ul>
 * An instruction objtool did not reach (no CFI), or whose CFI is undefined, or that no FDE covers,
 * is "described by one side" and not compared. The DWARF of {@code .eh_frame} is preferred where
 * both frame sections cover an address.
 */
public final class CfiCrossCheck {
  /** One side's rules at one instruction, in the shared vocabulary. */
  public record Rules(String cfa, String rbp, String ra) {
    /** {@code CFA=rsp+16 rbp=cfa-16 ra=cfa-8}. */
    @Override public String toString() { return "CFA=" + cfa + " rbp=" + rbp + " ra=" + ra; }
  }

  /** A disagreement at {@code offset} of {@code section} (in {@code func}, or null). */
  public record Disagreement(Section section, long offset, Func func, Rules ours, Rules dwarf, boolean drap) {
    /** Where: {@code FUNC+0xOFF}, or {@code SECTION+0xOFF} outside functions. */
    public String where() {
      if (func != null) return func.name() + "+0x" + Long.toHexString(offset - func.offset());
      return section.name() + "+0x" + Long.toHexString(offset);
    }

    /** The printed line: {@code FILE: cfi: FUNC+0xOFF: ours CFA=.. rbp=.. ra=.., dwarf CFA=.. rbp=.. ra=..}. */
    public String line(String file) {
      return file + ": cfi: " + where() + ": ours " + ours + ", dwarf " + dwarf;
    }
  }

  /**
   * What a check counted: instructions compared (both describe them), of which agreeing;
   * instructions only one side describes; and of the compared, how many sit in DRAP functions
   * (whose DWARF CFA is an expression somewhere) and how many of those agree.
   */
  public record Summary(long compared, long agree, long oneSided, long drapCompared, long drapAgree) {
    /** Nothing counted. */
    public static final Summary EMPTY = new Summary(0, 0, 0, 0, 0);

    /** Instructions compared that disagree. */
    public long disagree() { return compared - agree; }

    /** The sum of two summaries. */
    public Summary plus(Summary o) {
      return new Summary(compared + o.compared, agree + o.agree, oneSided + o.oneSided,
          drapCompared + o.drapCompared, drapAgree + o.drapAgree);
    }

    /** {@code cfi-check: N instructions compared, M agree (P%), K disagree, U not described by one side}. */
    public String line() {
      return String.format(Locale.ROOT, "cfi-check: %d instructions compared, %d agree (%s%%), %d disagree, %d not described by one side",
          compared, agree, percent(agree, compared), disagree(), oneSided);
    }

    /** {@code cfi-check: D instructions in DRAP functions (P% of compared), A agree}. */
    public String drapLine() {
      return String.format(Locale.ROOT, "cfi-check: %d instructions in DRAP functions (%s%% of compared), %d agree",
          drapCompared, percent(drapCompared, compared), drapAgree);
    }

    private static String percent(long a, long b) {
      if (b == 0) return "100";
      return new java.math.BigDecimal(100.0 * a / b).setScale(3, java.math.RoundingMode.DOWN).stripTrailingZeros().toPlainString();
    }
  }

  /** The result for one object: its disagreements in address order and its counts. */
  public record Result(List<Disagreement> disagreements, Summary summary) { }

  private CfiCrossCheck() { }

  /** Compares {@code file}'s CFI (the walk must have run) with {@code dwarf}, read from the same object. */
  public static Result check(ObjtoolFile file, FrameInfo dwarf) {
    Map<Section, List<Fde>> bySection = new HashMap<>();
    for (Fde f : dwarf.fdes()) {
      if (f.target() != null) bySection.computeIfAbsent(f.target(), s -> new ArrayList<>()).add(f);
    }
    // .eh_frame first, then by start: the lookup takes the first FDE covering an offset
    Comparator<Fde> order = Comparator.comparing((Fde f) -> f.section().name().equals(".eh_frame") ? 0 : 1)
        .thenComparingLong(Fde::start);
    bySection.values().forEach(l -> l.sort(order));
    Map<Fde, Boolean> drapFde = new HashMap<>();
    List<Disagreement> out = new ArrayList<>();
    long compared = 0, agree = 0, oneSided = 0, drapCompared = 0, drapAgree = 0;
    int machine = file.elf().machine();
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || !file.insns().hasInstructions(sec)) continue;
      List<Fde> fdes = bySection.getOrDefault(sec, List.of());
      for (Instruction insn : file.insns().instructions(sec)) {
        Rules ours = ours(insn.cfi());
        Fde fde = covering(fdes, insn.offset());
        Rules theirs = null;
        if (fde != null) {
          CfiRow row = fde.rowAt(insn.offset());
          if (row != null) theirs = dwarf(row, fde, machine);
        }
        if (ours == null && theirs == null) continue;
        if (ours == null || theirs == null) {
          oneSided++;
          continue;
        }
        compared++;
        boolean drap = drapFde.computeIfAbsent(fde, f -> f.rows().stream().anyMatch(r -> r.cfa().isExpression()));
        if (drap) drapCompared++;
        if (ours.equals(theirs)) {
          agree++;
          if (drap) drapAgree++;
        } else {
          out.add(new Disagreement(sec, insn.offset(), insn.func(), ours, theirs, drap));
        }
      }
    }
    return new Result(out, new Summary(compared, agree, oneSided, drapCompared, drapAgree));
  }

  private static Fde covering(List<Fde> fdes, long off) {
    for (Fde f : fdes) {
      if (off >= f.start() && off < f.end()) return f;
    }
    return null;
  }

  private static String plus(String base, long off) {
    return base + (off >= 0 ? "+" : "") + off;
  }

  private static String sign(long off) {
    return off == 0 ? "" : off > 0 ? "+" + off : Long.toString(off);
  }

  /** objtool's side, or null when the instruction has no defined CFI. */
  static Rules ours(CfiState cfi) {
    if (cfi == null || cfi.forceUndefined() || cfi.type() == UnwindHint.TYPE_UNDEFINED) return null;
    int base = cfi.cfaBase();
    String cfa = switch (base) {
      case CfiRegs.UNDEFINED -> null;
      case CfiRegs.BP_INDIRECT -> "deref(rbp" + sign(cfi.cfaOffset()) + ")";
      case CfiRegs.SP_INDIRECT -> "deref(rsp)" + sign(cfi.cfaOffset());
      default -> base >= 0 && base < CfiRegs.NUM_GPRS ? plus(CfiRegs.name(base), cfi.cfaOffset()) : "?" + CfiRegs.name(base);
    };
    if (cfa == null) return null;
    int bpBase = cfi.regBase(CfiRegs.BP);
    String rbp = switch (bpBase) {
      case CfiRegs.UNDEFINED -> "same";
      case CfiRegs.CFA -> plus("cfa", cfi.regOffset(CfiRegs.BP));
      default -> "at(" + CfiRegs.name(bpBase) + sign(cfi.regOffset(CfiRegs.BP)) + ")";
    };
    String ra;
    if (cfi.type() == UnwindHint.TYPE_REGS || cfi.type() == UnwindHint.TYPE_REGS_PARTIAL) {
      ra = "regs";
    } else if (cfi.regBase(CfiRegs.RA) == CfiRegs.CFA) {
      ra = plus("cfa", cfi.regOffset(CfiRegs.RA));
    } else {
      ra = "cfa-8"; // a call frame: the return address sits below the CFA
    }
    return new Rules(cfa, rbp, ra);
  }

  /** The DWARF side of one row. */
  static Rules dwarf(CfiRow row, Fde fde, int machine) {
    CfaRule c = row.cfa();
    String cfa = c.isExpression() ? c.expr().format(machine) : plus(DwarfRegs.name(machine, c.reg()), c.offset());
    return new Rules(cfa, reg(row.reg(DwarfRegs.X86_RBP), machine), reg(row.reg(fde.cie().raColumn()), machine));
  }

  private static String reg(RegRule r, int machine) {
    if (r == null) return "same";
    return switch (r.kind()) {
      case SAME_VALUE -> "same";
      case UNDEFINED -> "undef";
      case OFFSET -> plus("cfa", r.offset());
      default -> r.format(machine);
    };
  }
}
