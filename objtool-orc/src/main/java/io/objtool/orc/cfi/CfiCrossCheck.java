package io.objtool.orc.cfi;

import io.objtool.api.CfiState;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.Arch;
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
 * On arm64 (the return address in x30) registers are named as DWARF names them ({@code sp},
 * {@code x29}), the frame pointer's column prints as {@code x29=}, the return address is
 * {@code same} until x30 is saved, and a CFA the walk bases on x29 also agrees with the same
 * value based on sp ({@link #spEquivalent}).
 * An instruction objtool did not reach (no CFI), or whose CFI is undefined, or that no FDE covers,
 * is "described by one side" and not compared. The DWARF of {@code .eh_frame} is preferred where
 * both frame sections cover an address.
 */
public final class CfiCrossCheck {
  /**
   * One side's rules at one instruction, in the shared vocabulary.
   *
   * @param cfa the CFA rule
   * @param rbp the frame pointer's rule (rbp on x86-64, x29 on arm64)
   * @param ra the return address's rule
   * @param fp the frame pointer's name in the printed line ({@code rbp}, {@code x29})
   */
  public record Rules(String cfa, String rbp, String ra, String fp) {
    /** Rules on x86-64: the frame pointer is rbp. */
    public Rules(String cfa, String rbp, String ra) {
      this(cfa, rbp, ra, "rbp");
    }

    /** {@code CFA=rsp+16 rbp=cfa-16 ra=cfa-8} ({@code CFA=sp+32 x29=cfa-32 ra=cfa-24} on arm64). */
    @Override public String toString() { return "CFA=" + cfa + " " + fp + "=" + rbp + " ra=" + ra; }

    /** The same rules with another CFA spelling. */
    Rules withCfa(String other) {
      return new Rules(other, rbp, ra, fp);
    }
  }

  /**
   * The shape of a disagreement, read from the two sides' rules alone. A compiler whose DWARF is
   * exact only in a function's body (synchronous unwind tables: clang 14's arm64 CFI, whatever
   * {@code -fasynchronous-unwind-tables} says) gives the first two at every frame it sets up and
   * frees; docs/cfi-check.md names the classes behind each.
   */
  public enum Shape {
    /** The DWARF rules are still the function's entry rules (its FDE's first row's) where the walk has the frame (partly) set up. */
    PROLOGUE,
    /** The walk has the frame pointer restored (not saved) where the DWARF still has it saved. */
    EPILOGUE,
    /** Anything else. */
    OTHER
  }

  /**
   * A disagreement at {@code offset} of {@code section} (in {@code func}, or null); {@code shape}
   * says what it looks like.
   */
  public record Disagreement(Section section, long offset, Func func, Rules ours, Rules dwarf, boolean drap, Shape shape) {
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
   * (whose DWARF CFA is an expression somewhere) and how many of those agree; and of the compared,
   * how many are call instructions (where an unwinder looks a caller's frame up, and where even a
   * synchronous unwind table is exact) and how many of those agree; and of the one-sided, how many
   * only the walk describes (no FDE covers them, or it has no row there).
   */
  public record Summary(long compared, long agree, long oneSided, long drapCompared, long drapAgree, long callCompared,
      long callAgree, long walkOnly) {
    /** Nothing counted. */
    public static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0, 0, 0);

    /** Instructions compared that disagree. */
    public long disagree() { return compared - agree; }

    /** The sum of two summaries. */
    public Summary plus(Summary o) {
      return new Summary(compared + o.compared, agree + o.agree, oneSided + o.oneSided,
          drapCompared + o.drapCompared, drapAgree + o.drapAgree, callCompared + o.callCompared, callAgree + o.callAgree,
          walkOnly + o.walkOnly);
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

    /** {@code cfi-check: U not described by one side: W only by the walk, D only by DWARF}. */
    public String oneSidedLine() {
      return String.format(Locale.ROOT, "cfi-check: %d not described by one side: %d only by the walk, %d only by DWARF",
          oneSided, walkOnly, oneSided - walkOnly);
    }

    /** {@code cfi-check: C call instructions compared, A agree (P%)}. */
    public String callLine() {
      return String.format(Locale.ROOT, "cfi-check: %d call instructions compared, %d agree (%s%%)",
          callCompared, callAgree, percent(callAgree, callCompared));
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
    long compared = 0, agree = 0, oneSided = 0, drapCompared = 0, drapAgree = 0, callCompared = 0, callAgree = 0, walkOnly = 0;
    int machine = file.elf().machine();
    boolean linkReg = file.arch().callPushSize() == 0;
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || !file.insns().hasInstructions(sec)) continue;
      List<Fde> fdes = bySection.getOrDefault(sec, List.of());
      for (Instruction insn : file.insns().instructions(sec)) {
        Rules ours = linkReg ? oursLinkReg(insn.cfi(), file.arch(), machine) : ours(insn.cfi());
        Fde fde = covering(fdes, insn.offset());
        Rules theirs = null;
        CfiRow row = null;
        if (fde != null) {
          row = fde.rowAt(insn.offset());
          if (row != null) theirs = dwarf(row, fde, machine);
        }
        if (ours == null && theirs == null) continue;
        if (ours == null || theirs == null) {
          oneSided++;
          if (theirs == null) walkOnly++;
          continue;
        }
        compared++;
        boolean drap = drapFde.computeIfAbsent(fde, f -> f.rows().stream().anyMatch(r -> r.cfa().isExpression()));
        if (drap) drapCompared++;
        boolean call = insn.isCall();
        if (call) callCompared++;
        if (ours.equals(theirs) || (linkReg && spEquivalent(insn.cfi(), file.arch(), machine, ours).equals(theirs))) {
          agree++;
          if (drap) drapAgree++;
          if (call) callAgree++;
        } else {
          out.add(new Disagreement(sec, insn.offset(), insn.func(), ours, theirs, drap,
              shape(ours, theirs, theirs.equals(dwarf(fde.rows().get(0), fde, machine)))));
        }
      }
    }
    return new Result(out, new Summary(compared, agree, oneSided, drapCompared, drapAgree, callCompared, callAgree, walkOnly));
  }

  /** The shape of a disagreement: {@code entryRow} when the DWARF rules are still its FDE's first row's. */
  static Shape shape(Rules ours, Rules dwarf, boolean entryRow) {
    if (entryRow) return Shape.PROLOGUE;
    if (ours.rbp().equals("same") && !dwarf.rbp().equals("same")) return Shape.EPILOGUE;
    return Shape.OTHER;
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

  /**
   * objtool's side on an architecture whose return address stays in a link register (arm64), or
   * null: CFI register numbers are DWARF's there, so registers print as DWARF's do ({@code sp},
   * {@code x29}); the return address is {@code same} (still in x30) until x30 is saved.
   */
  static Rules oursLinkReg(CfiState cfi, Arch arch, int machine) {
    if (cfi == null || cfi.forceUndefined() || cfi.type() == UnwindHint.TYPE_UNDEFINED) return null;
    int base = cfi.cfaBase();
    if (base == CfiRegs.UNDEFINED) return null;
    String cfa = base >= 0 ? plus(DwarfRegs.name(machine, base), cfi.cfaOffset()) : "?" + arch.cfiRegName(base);
    return new Rules(cfa, saved(cfi, arch.framePointerReg(), arch, machine), saved(cfi, arch.returnAddressReg(), arch, machine),
        DwarfRegs.name(machine, arch.framePointerReg()));
  }

  private static String saved(CfiState cfi, int reg, Arch arch, int machine) {
    int b = cfi.regBase(reg);
    if (b == CfiRegs.UNDEFINED) return "same";
    if (b == CfiRegs.CFA) return plus("cfa", cfi.regOffset(reg));
    return "at(" + (b >= 0 ? DwarfRegs.name(machine, b) : arch.cfiRegName(b)) + sign(cfi.regOffset(reg)) + ")";
  }

  /**
   * {@code ours} with the CFA spelled from the stack pointer when the walk has it based on the
   * frame pointer: {@code x29+N} is {@code sp+S} there, S the stack size (cfa - sp) the walk
   * tracks. gcc's arm64 CFI keeps the CFA sp-based after {@code mov x29, sp} (sp does not move in
   * the body); the values are the same, so the rules agree.
   */
  static Rules spEquivalent(CfiState cfi, Arch arch, int machine, Rules ours) {
    if (cfi.cfaBase() != arch.framePointerReg()) return ours;
    return ours.withCfa(plus(DwarfRegs.name(machine, arch.stackPointerReg()), cfi.stackSize()));
  }

  /** The DWARF side of one row. */
  static Rules dwarf(CfiRow row, Fde fde, int machine) {
    CfaRule c = row.cfa();
    String cfa = c.isExpression() ? c.expr().format(machine) : plus(DwarfRegs.name(machine, c.reg()), c.offset());
    int fp = DwarfRegs.framePointer(machine);
    return new Rules(cfa, reg(fp < 0 ? null : row.reg(fp), machine), reg(row.reg(fde.cie().raColumn()), machine),
        machine == io.objtool.elf.Elf.EM_X86_64 || fp < 0 ? "rbp" : DwarfRegs.name(machine, fp));
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
