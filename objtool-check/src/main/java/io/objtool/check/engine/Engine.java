package io.objtool.check.engine;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.AltGroup;
import io.objtool.api.Alternative;
import io.objtool.api.BranchVisitor;
import io.objtool.api.internal.Cfi;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Insns;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.UnwindHint;
import io.objtool.api.arch.InitialCfi;
import io.objtool.check.Stats;
import io.objtool.check.cfg.DeadEnds;
import io.objtool.elf.Elf;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;

/**
 * The driver of the walk: follows every code path from every function entry, carrying an
 * {@link InsnState} through each instruction's stack operations, checking the CFI where paths
 * meet and across alternatives, recording the (interned) CFI of every instruction, and calling
 * the visitor chain at calls, jumps, returns and other instructions. What the stack model finds on
 * the way (a mismatch where paths meet, an operation it cannot follow, a path running into the
 * next function ...) goes to the visitors as events ({@link BranchVisitor}, API 2); the passes
 * print the warnings. The walk only ends a path where a visitor says a warning ended it.
 */
public final class Engine {
  /**
   * Rule {@code cfi-missing}: An instruction of an alternative or a recorded state has no CFI
   * (internal). It stays with the engine, the only rule that does: it is not a finding about the
   * object but a broken invariant of the walk itself (the engine records an instruction's CFI just
   * before it propagates it to the alternatives), and it aborts the check, which no pass can do.
   */
  public static final Rule CFI_MISSING = Rule.error("cfi-missing", "An instruction of an alternative or a recorded state has no CFI (internal).");

  private final ObjtoolFile file;
  private final BranchVisitor visitor;
  private final CfiUpdate cfiUpdate;
  private final InitialCfi initial;
  /** For objtool 6.1's rule: a call to a dead-end function ends the path at the walk. */
  private final DeadEnds deadEnds;
  /** The object's table of distinct CFI states, and the counters of --stats. */
  private final Stats stats;
  /** Whether a visitor of the chain takes the walk's shape events (API 3); never true without one. */
  private final boolean walkEvents;
  /**
   * The states of the paths being followed, by depth of {@link #validateBranch}'s recursion: a
   * path copies its incoming state into the one of its depth, which no other live path uses, so
   * the walk allocates no state per branch (only the first time it reaches a depth).
   */
  private InsnState[] states = new InsnState[64];
  private int depth;
  /** The state at a function entry, and the one each function's walk starts from (a copy of it). */
  private InsnState funcEntry, symState;

  public Engine(ObjtoolFile file, BranchVisitor visitor) {
    this.file = file;
    this.visitor = visitor;
    this.walkEvents = visitor.chainApi() >= BranchVisitor.API_3;
    this.cfiUpdate = new CfiUpdate(file);
    this.initial = file.arch().initialFunctionCfi();
    this.deadEnds = file.compat() == io.objtool.api.Compat.V6_1 ? new DeadEnds(file) : null;
    this.stats = Stats.of(file);
  }

  /** The state at a function entry: the architecture's initial function CFI, type CALL. */
  public void setFuncState(Cfi cfi) {
    funcState(cfi, initial);
  }

  /** Sets {@code cfi} to the state at a function entry described by {@code initial}, type CALL. */
  public static void funcState(Cfi cfi, InitialCfi initial) {
    cfi.cfaBase = initial.cfa().base();
    cfi.cfaOffset = initial.cfa().offset();
    for (int r = 0; r < cfi.regBase.length; r++) {
      cfi.regBase[r] = initial.reg(r).base();
      cfi.regOffset[r] = initial.reg(r).offset();
    }
    cfi.stackSize = initial.cfa().offset();
    cfi.type = UnwindHint.TYPE_CALL;
  }

  /** Validates every function of every executable section; returns the number of warnings. */
  public int validateFunctions() {
    int warnings = 0;
    for (Section sec : file.elf().sections()) {
      if (!sec.isExecutable() || !file.insns().hasInstructions(sec)) continue;
      warnings += validateSection(sec);
    }
    return warnings;
  }

  /** Walks from every unwind hint no function walk reached (in {@code sec} only, when given). */
  public int validateUnwindHints(Section sec) {
    int warnings = 0;
    InsnState state = Model.newInsnState(file);
    visitor.visitStart(sec, null, state);
    for (Instruction insn : io.objtool.check.cfg.Annotations.hinted(file)) {
      if (sec != null && insn.section() != sec) continue;
      if (insn.hint() && insn.visited() == 0 && !insn.ignored()) {
        if (walkEvents) visitor.visitWalkStart(insn.func(), insn, BranchVisitor.PathStep.HINT, state);
        boolean w = validateBranch(insn.func(), insn, state);
        if (w) {
          visitor.visitBacktrace(insn, BranchVisitor.PathStep.HINT);
          warnings++;
        }
      }
    }
    return warnings;
  }

  /** Validates the functions of one section (for {@code --noinstr} alone: the noinstr sections). */
  public int validateSection(Section sec) {
    int warnings = 0;
    for (Symbol s : sec.symbols().all()) {
      if (s.type() != Elf.STT_FUNC) continue;
      if (funcEntry == null) {
        funcEntry = Model.newInsnState(file);
        setFuncState(Model.cfi(funcEntry));
      }
      symState = Model.copyInto(funcEntry, symState);
      warnings += validateSymbol(file.func(s), symState);
    }
    return warnings;
  }

  private int validateSymbol(Func sym, InsnState state) {
    if (sym.len() == 0) return visitor.visitUnsizedFunc(sym) ? 1 : 0;
    if (sym.pfunc() != sym || sym.alias() != sym) return 0;
    Instruction insn = file.insns().findInsn(sym.section(), sym.offset());
    if (insn == null || insn.ignored() || insn.visited() != 0) return 0;
    visitor.visitStart(sym.section(), sym, state);
    if (walkEvents) visitor.visitWalkStart(sym, insn, BranchVisitor.PathStep.SYM, state);
    boolean warned = validateBranch(insn.func(), insn, state);
    if (warned) visitor.visitBacktrace(insn, BranchVisitor.PathStep.SYM);
    return warned ? 1 : 0;
  }


  private boolean propagateAltCfi(Func func, Instruction insn, InsnState state) {
    AltGroup g = insn.altGroup();
    if (g == null) return false;
    if (Model.cfi(insn) == null) {
      file.diag().warn(CFI_MISSING, "CFI missing");
      throw new io.objtool.check.cfg.CfgException();
    }
    int off = (int) (insn.offset() - g.firstInsn().offset());
    Cfi[] a = Model.altCfi(g);
    if (off < 0 || off >= a.length) return false;
    if (a[off] == null) {
      a[off] = Model.cfi(insn);
    } else if (!a[off].equals(Model.cfi(insn))) {
      return visitor.visitAltCfiConflict(func, insn, state);
    }
    return false;
  }

  private boolean handleInsnOps(Instruction insn, Instruction next, InsnState state) {
    int n = file.stackOpCount(insn);
    for (int i = 0; i < n; i++) {
      BranchVisitor.StackOpProblem problem = cfiUpdate.update(insn, next, Model.cfi(state), i);
      if (problem != null && visitor.visitUnsupportedStackOp(insn, i, problem, state)) return true;
      if (visitor.visitStackOp(insn, i, state)) return true;
    }
    return false;
  }

  /**
   * Follows one path from {@code start} with a copy of {@code in} (which it does not change);
   * true when a warning ended it.
   */
  public boolean validateBranch(Func func, Instruction start, InsnState in) {
    int d = depth;
    if (d == states.length) states = java.util.Arrays.copyOf(states, d * 2);
    InsnState state = Model.copyInto(in, states[d]);
    states[d] = state;
    depth = d + 1;
    try {
      return walk(func, start, state);
    } finally {
      depth = d;
    }
  }

  private boolean walk(Func func, Instruction start, InsnState state) {
    Cfi cfi = Model.cfi(state);
    Instruction insn = start;
    Instruction prev = null;
    boolean cfiTouched = true;
    while (true) {
      Instruction next = file.insns().nextInsnToValidate(insn);
      Func ifunc = insn.func();
      if (func != null && ifunc != null && func != ifunc.pfunc()) {
        if (!visitor.visitFallThrough(func, insn, state)) return false;
        Model.setWarned(func);
        return true;
      }
      int visited = state.visitKey() ? Instruction.VISITED_BRANCH_UACCESS : Instruction.VISITED_BRANCH;
      if ((insn.visited() & Instruction.VISITED_BRANCH_MASK) != 0) {
        Insns.CfiMismatch m = insn.hint() ? null : file.insns().insnCfiMatch(insn, cfi);
        if (walkEvents) visitor.visitMerge(func, insn, m, state);
        if (m != null && visitor.visitCfiMismatch(func, insn, m, state)) return true;
        if ((insn.visited() & visited) != 0) return false;
      } else {
        stats.insnVisited();
      }
      visitor.visitInsnStart(func, insn, state);
      if (insn.hint()) {
        if (insn.has(Instruction.RESTORE)) {
          Instruction save = null;
          if (func != null) {
            for (Instruction i : file.insns().symInsnsReverseFrom(func, insn)) {
              if (i.has(Instruction.SAVE)) {
                save = i;
                break;
              }
            }
          }
          if (save == null) return visitor.visitRestoreWithoutSave(func, insn, null, state);
          if (save.visited() == 0) {
            if (prev == null) return false; // reached by a branch first: the straight path comes later
            return visitor.visitRestoreWithoutSave(func, insn, save, state);
          }
          Model.setCfi(insn, Model.cfi(save));
        }
        cfi.copyFrom(Model.cfi(insn));
        if (walkEvents) visitor.visitHintApplied(func, insn, state);
      } else if (prev != null && Model.cfi(prev) != null && (!cfiTouched || Model.cfi(prev).equals(cfi))) {
        Model.setCfi(insn, Model.cfi(prev)); // no stack operation since the previous instruction: same state
        stats.cfiReused();
      } else {
        Model.setCfi(insn, stats.findOrAdd(cfi));
      }
      cfiTouched = insn.hint();
      Model.setVisited(insn, visited);
      if (propagateAltCfi(func, insn, state)) return true;

      if (!insn.has(Instruction.IGNORE_ALTS) && insn.alts() != null) {
        boolean skipOrig = false;
        for (Alternative alt = insn.alts(); alt != null; alt = alt.next()) {
          if (alt.skipOrig()) skipOrig = true;
          if (walkEvents) visitor.visitAltEnter(func, insn, alt, state);
          if (validateBranch(func, alt.insn(), state)) {
            visitor.visitBacktrace(insn, BranchVisitor.PathStep.ALT);
            return true;
          }
          if (walkEvents) visitor.visitAltLeave(func, insn, alt, state);
        }
        if (skipOrig) return false;
      }

      if (file.stackOpCount(insn) != 0) {
        cfiTouched = true;
        if (handleInsnOps(insn, next, state)) return true;
      }
      if (walkEvents) visitor.visitInsnEnd(func, insn, state);

      switch (insn.type()) {
        case RETURN -> {
          return visitor.visitReturn(func, insn, state);
        }
        case CALL, CALL_DYNAMIC -> {
          if (visitor.visitCall(func, insn, state)) return true;
          if (deadEnds != null && insn.callDest() != null && deadEnds.isDeadEnd(file.func(insn.callDest()))) return false;
        }
        case JUMP_CONDITIONAL, JUMP_UNCONDITIONAL -> {
          Instruction dest; // a view made once
          if (DeadEnds.isSiblingCall(insn)) {
            if (visitor.visitSiblingCall(func, insn, state)) return true;
          } else if ((dest = insn.jumpDest()) != null) {
            if (walkEvents) visitor.visitBranchTaken(func, insn, state);
            if (validateBranch(func, dest, state)) {
              visitor.visitBacktrace(insn, BranchVisitor.PathStep.BRANCH);
              return true;
            }
            if (walkEvents && insn.type() == io.objtool.api.arch.InsnType.JUMP_CONDITIONAL) visitor.visitBranchNotTaken(func, insn, state);
          }
          if (insn.type() == io.objtool.api.arch.InsnType.JUMP_UNCONDITIONAL) return false;
        }
        case JUMP_DYNAMIC, JUMP_DYNAMIC_CONDITIONAL -> {
          if (DeadEnds.isSiblingCall(insn)) {
            if (visitor.visitSiblingCall(func, insn, state)) return true;
          }
          if (insn.type() == io.objtool.api.arch.InsnType.JUMP_DYNAMIC) return false;
        }
        case CONTEXT_SWITCH, SYSCALL, SYSRET -> {
          return visitor.visitContextSwitch(func, insn, state);
        }
        default -> {
          if (visitor.visitInsn(func, insn, state)) return true;
        }
      }
      if (insn.deadEnd()) return false;
      if (next == null) return visitor.visitEndOfSection(func, insn, state);
      prev = insn;
      insn = next;
    }
  }
}
