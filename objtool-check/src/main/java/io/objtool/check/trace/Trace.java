package io.objtool.check.trace;

import io.objtool.api.Alternative;
import io.objtool.api.BranchVisitor;
import io.objtool.api.CfiState;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.Warning;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.CfiRegs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One traced walk: from a function's entry (or an unwind hint no function walk reached), every
 * event of the engine in the order it happened, each with the CFI state at that point.
 */
public final class Trace {
  /** What a step of a trace records. */
  public enum Kind {
    /** An instruction walked: {@link Step#state()} is the state after its stack operations. */
    INSN,
    /** An instruction whose walk stopped before its stack operations were applied (a warning, or alternatives that replace it): the state before it. */
    INSN_STOPPED,
    /** A jump followed to its destination. */
    BRANCH_TAKEN,
    /** A conditional jump's destination walked; the walk goes on after the jump. */
    BRANCH_NOT_TAKEN,
    /** An alternative of the instruction entered ({@link Step#alt()}), with the state before it. */
    ALT_ENTER,
    /** An alternative's path walked; back at the instruction. */
    ALT_LEAVE,
    /** A path reached an instruction walked before; {@link Step#expected()} is the state recorded there, {@link Step#text()} how they differ (null when they agree). */
    MERGE,
    /** An unwind hint replaced the state. */
    HINT,
    /** A warning: {@link Step#warning()}, with the state here and, when there is one, the state that disagreed ({@link Step#expected()}). */
    WARNING
  }

  /**
   * One step.
   *
   * @param kind what happened
   * @param insn the instruction it happened at (null for a warning without a location)
   * @param depth how many branches and alternatives deep the walk is
   * @param state the CFI state at this point (a copy), or null
   * @param expected the other state of a merge or a warning, or null
   * @param alt the alternative of {@link Kind#ALT_ENTER} and {@link Kind#ALT_LEAVE}, or null
   * @param altIndex its number (1 for the first alternative of the instruction), or 0
   * @param text how the states of a merge differ, or null
   * @param warning the warning of {@link Kind#WARNING}, or null
   * @param warningIndex its index among the check's warnings, or -1
   */
  public record Step(Kind kind, Instruction insn, int depth, CfiState state, CfiState expected, Alternative alt,
      int altIndex, String text, Warning warning, int warningIndex) { }

  /**
   * The path a warning ended: the instructions from the walk's start to the warning along the
   * branches and alternatives that led there, each with the state after it.
   *
   * @param function the traced function's name (null for a walk from an unwind hint outside one)
   * @param steps the instructions, in path order ({@link Kind#INSN} or {@link Kind#INSN_STOPPED} steps)
   */
  public record Path(String function, List<Step> steps) { }

  private final Func func;
  private final Instruction start;
  private final BranchVisitor.PathStep how;
  final List<Step> steps = new ArrayList<>();

  Trace(Func func, Instruction start, BranchVisitor.PathStep how) {
    this.func = func;
    this.start = start;
    this.how = how;
  }

  /** The function walked, or null (a walk from an unwind hint outside any function). */
  public Func func() {
    return func;
  }

  /** The first instruction of the walk. */
  public Instruction start() {
    return start;
  }

  /** How the walk started: {@link BranchVisitor.PathStep#SYM} (a function's entry) or {@link BranchVisitor.PathStep#HINT}. */
  public BranchVisitor.PathStep how() {
    return how;
  }

  /** The steps, in the order the walk made them. */
  public List<Step> steps() {
    return Collections.unmodifiableList(steps);
  }

  /** {@code base+offset} of a CFA or register location, e.g. {@code rsp+16}, {@code cfa-16}, {@code undef}, with x86-64's names. */
  public static String loc(int base, int offset) {
    return loc(null, base, offset);
  }

  /**
   * {@code base+offset} of a CFA or register location with {@code arch}'s register names (x86-64's
   * when null): {@code rsp+16} on x86-64, {@code sp+16} or {@code x29+16} on arm64.
   */
  public static String loc(Arch arch, int base, int offset) {
    if (base == CfiRegs.UNDEFINED) return "undef";
    return name(arch, base) + (offset >= 0 ? "+" : "") + offset;
  }

  /** Register (or pseudo base) {@code reg}'s name on {@code arch} (x86-64's when null). */
  static String name(Arch arch, int reg) {
    return arch == null ? CfiRegs.name(reg) : arch.cfiRegName(reg);
  }

  /** {@link #describe(Arch, CfiState)} with x86-64's register names. */
  public static String describe(CfiState s) {
    return describe(null, s);
  }

  /**
   * A state in a line: the CFA, each saved register (the return address only where it is not
   * where the call put it, {@code cfa-8} on x86-64), the stack size when it differs from the CFA
   * offset, DRAP, and the unwind type when not a call frame; registers named as {@code arch}
   * names them (x86-64's when null).
   */
  public static String describe(Arch arch, CfiState s) {
    if (s == null) return "(no state)";
    int ra = arch == null ? CfiRegs.RA : arch.returnAddressReg();
    int push = arch == null ? 8 : arch.callPushSize();
    StringBuilder b = new StringBuilder("cfa=").append(loc(arch, s.cfaBase(), s.cfaOffset()));
    for (int r = 0; r < s.regCount(); r++) {
      int base = s.regBase(r);
      if (base == CfiRegs.UNDEFINED) continue;
      if (r == ra && push > 0 && base == CfiRegs.CFA && s.regOffset(r) == -push) continue;
      b.append(' ').append(name(arch, r)).append('=').append(loc(arch, base, s.regOffset(r)));
    }
    if (s.cfaBase() != CfiRegs.UNDEFINED && s.stackSize() != s.cfaOffset()) b.append(" stack_size=").append(s.stackSize());
    if (s.drap()) b.append(" drap=").append(name(arch, s.drapReg())).append(s.drapOffset() != -1 ? "@" + s.drapOffset() : "");
    String type = typeName(s.type());
    if (type != null) b.append(" type=").append(type);
    return b.toString();
  }

  /** The unwind type's name, or null for a call frame (the usual one). */
  static String typeName(int type) {
    return switch (type) {
      case io.objtool.api.UnwindHint.TYPE_CALL -> null;
      case io.objtool.api.UnwindHint.TYPE_UNDEFINED -> "undefined";
      case io.objtool.api.UnwindHint.TYPE_END_OF_STACK -> "end_of_stack";
      case io.objtool.api.UnwindHint.TYPE_REGS -> "regs";
      case io.objtool.api.UnwindHint.TYPE_REGS_PARTIAL -> "regs_partial";
      default -> Integer.toString(type);
    };
  }
}
