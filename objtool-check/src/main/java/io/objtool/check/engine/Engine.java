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
import io.objtool.api.arch.CfiRegs;
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
 * the visitor chain at calls, jumps, returns and other instructions.
 */
public final class Engine {
  /** Rule {@code missing-elf-size}: A function symbol has size 0. */
  public static final Rule MISSING_ELF_SIZE = Rule.warning("missing-elf-size", "A function symbol has size 0.");
  /** Rule {@code backtrace}: One step of the path that led to the warning above it (`--backtrace`). */
  public static final Rule BACKTRACE = Rule.warning("backtrace", "One step of the path that led to the warning above it (`--backtrace`).");
  /** Rule {@code cfi-missing}: An instruction of an alternative or a recorded state has no CFI (internal). */
  public static final Rule CFI_MISSING = Rule.error("cfi-missing", "An instruction of an alternative or a recorded state has no CFI (internal).");
  /** Rule {@code stack-layout-conflict-in-alternatives}: Alternatives of one site leave different stack states at the same offset. */
  public static final Rule STACK_LAYOUT_CONFLICT_IN_ALTERNATIVES = Rule.warning("stack-layout-conflict-in-alternatives", "Alternatives of one site leave different stack states at the same offset.");
  /** Rule {@code sibling-call-with-modified-frame}: A tail call (sibling call) made while the stack frame is not the entry frame. */
  public static final Rule SIBLING_CALL_WITH_MODIFIED_FRAME = Rule.warning("sibling-call-with-modified-frame", "A tail call (sibling call) made while the stack frame is not the entry frame.");
  /** Rule {@code fall-through-to-next-function}: Control runs off the end of a function into the next one. */
  public static final Rule FALL_THROUGH_TO_NEXT_FUNCTION = Rule.warning("fall-through-to-next-function", "Control runs off the end of a function into the next one.");
  /** Rule {@code stack-state-mismatch}: Two paths reach one instruction with different stack states. */
  public static final Rule STACK_STATE_MISMATCH = Rule.warning("stack-state-mismatch", "Two paths reach one instruction with different stack states.");
  /** Rule {@code cfi-restore-without-save}: An `UNWIND_HINT_RESTORE` without a matching save. */
  public static final Rule CFI_RESTORE_WITHOUT_SAVE = Rule.warning("cfi-restore-without-save", "An `UNWIND_HINT_RESTORE` without a matching save.");
  /** Rule {@code cfi-save-restore-combo}: The saved stack state is not known when the restore hint is reached. */
  public static final Rule CFI_SAVE_RESTORE_COMBO = Rule.warning("cfi-save-restore-combo", "The saved stack state is not known when the restore hint is reached.");
  /** Rule {@code unsupported-instruction-in-callable-function}: A context-switching instruction (sysret, iret, ...) inside a normal function. */
  public static final Rule UNSUPPORTED_INSTRUCTION_IN_CALLABLE_FUNCTION = Rule.warning("unsupported-instruction-in-callable-function", "A context-switching instruction (sysret, iret, ...) inside a normal function.");
  /** Rule {@code unexpected-end-of-section}: A path runs off the end of its section. */
  public static final Rule UNEXPECTED_END_OF_SECTION = Rule.warning("unexpected-end-of-section", "A path runs off the end of its section.");

  private final ObjtoolFile file;
  private final BranchVisitor visitor;
  private final CfiUpdate cfiUpdate;
  private final InitialCfi initial;
  /** For objtool 6.1's rule: a call to a dead-end function ends the path at the walk. */
  private final DeadEnds deadEnds;
  /** The object's table of distinct CFI states, and the counters of --stats. */
  private final Stats stats;

  public Engine(ObjtoolFile file, BranchVisitor visitor) {
    this.file = file;
    this.visitor = visitor;
    this.cfiUpdate = new CfiUpdate(file);
    this.initial = file.arch().initialFunctionCfi();
    this.deadEnds = file.compat() == io.objtool.api.Compat.V6_1 ? new DeadEnds(file) : null;
    this.stats = Stats.of(file);
  }

  /** The state at a function entry: the architecture's initial function CFI, type CALL. */
  public void setFuncState(Cfi cfi) {
    cfi.cfaBase = initial.cfa().base();
    cfi.cfaOffset = initial.cfa().offset();
    for (int r = 0; r < Cfi.NUM_REGS; r++) {
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
        boolean w = validateBranch(insn.func(), insn, state);
        if (w) {
          backtrace(insn, "<=== (hint)");
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
      InsnState state = Model.newInsnState(file);
      setFuncState(Model.cfi(state));
      warnings += validateSymbol(file.func(s), state);
    }
    return warnings;
  }

  private int validateSymbol(Func sym, InsnState state) {
    if (sym.len() == 0) {
      file.diag().warn(MISSING_ELF_SIZE, sym.name() + "() is missing an ELF size annotation");
      return 1;
    }
    if (sym.pfunc() != sym || sym.alias() != sym) return 0;
    Instruction insn = file.insns().findInsn(sym.section(), sym.offset());
    if (insn == null || insn.ignored() || insn.visited() != 0) return 0;
    visitor.visitStart(sym.section(), sym, state);
    boolean warned = validateBranch(insn.func(), insn, state);
    if (warned) backtrace(insn, "<=== (sym)");
    return warned ? 1 : 0;
  }

  /**
   * One step of the path to a warning, with {@code --backtrace} or {@code --verbose}: a line of
   * its own, {@code "  FUNC+0xOFF: (branch)"} (two spaces, then the location, inside the message).
   */
  private void backtrace(Instruction insn, String what) {
    if (file.options().backtrace() || file.options().verbose()) {
      file.diag().warn(BACKTRACE, "  " + file.diag().offstr(insn.section(), insn.offset()) + ": " + what);
    }
  }


  private boolean propagateAltCfi(Instruction insn) {
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
      AltGroup og = g.origGroup() != null ? g.origGroup() : g;
      Instruction orig = og.firstInsn();
      String where = file.diag().offstr(insn.section(), insn.offset());
      // as a warning about an instruction: it marks the function warned (--verbose disassembles it)
      file.diag().warnInsn(orig, STACK_LAYOUT_CONFLICT_IN_ALTERNATIVES, "stack layout conflict in alternatives: " + where);
      return true; // this path ends; the other functions are still checked
    }
    return false;
  }

  private boolean handleInsnOps(Instruction insn, Instruction next, InsnState state) {
    int n = file.stackOpCount(insn);
    for (int i = 0; i < n; i++) {
      if (cfiUpdate.update(insn, next, Model.cfi(state), i)) return true;
      if (visitor.visitStackOp(insn, i, state)) return true;
    }
    return false;
  }

  /** A tail call must leave the frame as found; then the call checks of the visitors apply. */
  private boolean siblingCall(Func func, Instruction insn, InsnState state) {
    if (insn.func() != null && StackStateChecks.hasModifiedStackFrame(Model.cfi(state), initial)) {
      file.diag().warnInsn(insn, SIBLING_CALL_WITH_MODIFIED_FRAME, "sibling call from callable instruction with modified stack frame");
      return true;
    }
    return visitor.visitSiblingCall(func, insn, state);
  }

  /** Follows one path from {@code start}; true when a warning ended it. */
  public boolean validateBranch(Func func, Instruction start, InsnState in) {
    InsnState state = Model.copy(in);
    Cfi cfi = Model.cfi(state);
    Instruction insn = start;
    Instruction prev = null;
    boolean cfiTouched = true;
    while (true) {
      Instruction next = file.insns().nextInsnToValidate(insn);
      Func ifunc = insn.func();
      if (func != null && ifunc != null && func != ifunc.pfunc()) {
        String n = func.name();
        if (n.startsWith("__cfi_") || n.startsWith("__pfx_")) return false;
        if (file.ignoreUnreachables()) return false;
        file.diag().warn(FALL_THROUGH_TO_NEXT_FUNCTION, func.name() + "() falls through to next function " + ifunc.name() + "()");
        Model.setWarned(func);
        return true;
      }
      int visited = state.visitKey() ? Instruction.VISITED_BRANCH_UACCESS : Instruction.VISITED_BRANCH;
      if ((insn.visited() & Instruction.VISITED_BRANCH_MASK) != 0) {
        if (!insn.hint()) {
          Insns.CfiMismatch m = file.insns().insnCfiMatch(insn, cfi);
          if (m != null) {
            if (m.located()) file.diag().warnAt(insn.section(), insn.offset(), STACK_STATE_MISMATCH, m.message());
            else file.diag().warn(STACK_STATE_MISMATCH, m.message());
            return true;
          }
        }
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
          if (save == null) {
            file.diag().warnInsn(insn, CFI_RESTORE_WITHOUT_SAVE, "no corresponding CFI save for CFI restore");
            return true;
          }
          if (save.visited() == 0) {
            if (prev == null) return false; // reached by a branch first: the straight path comes later
            file.diag().warnInsn(insn, CFI_SAVE_RESTORE_COMBO, "objtool isn't smart enough to handle this CFI save/restore combo");
            return true;
          }
          Model.setCfi(insn, Model.cfi(save));
        }
        cfi.copyFrom(Model.cfi(insn));
      } else if (prev != null && Model.cfi(prev) != null && (!cfiTouched || Model.cfi(prev).equals(cfi))) {
        Model.setCfi(insn, Model.cfi(prev)); // no stack operation since the previous instruction: same state
        stats.cfiReused();
      } else {
        Model.setCfi(insn, stats.findOrAdd(cfi));
      }
      cfiTouched = insn.hint();
      Model.setVisited(insn, visited);
      if (propagateAltCfi(insn)) return true;

      if (!insn.has(Instruction.IGNORE_ALTS) && insn.alts() != null) {
        boolean skipOrig = false;
        for (Alternative alt = insn.alts(); alt != null; alt = alt.next()) {
          if (alt.skipOrig()) skipOrig = true;
          if (validateBranch(func, alt.insn(), state)) {
            backtrace(insn, "(alt)");
            return true;
          }
        }
        if (skipOrig) return false;
      }

      if (file.stackOpCount(insn) != 0) {
        cfiTouched = true;
        if (handleInsnOps(insn, next, state)) return true;
      }

      switch (insn.type()) {
        case RETURN -> {
          return visitor.visitReturn(func, insn, state);
        }
        case CALL, CALL_DYNAMIC -> {
          if (visitor.visitCall(func, insn, state)) return true;
          if (deadEnds != null && insn.callDest() != null && deadEnds.isDeadEnd(file.func(insn.callDest()))) return false;
        }
        case JUMP_CONDITIONAL, JUMP_UNCONDITIONAL -> {
          if (DeadEnds.isSiblingCall(insn)) {
            if (siblingCall(func, insn, state)) return true;
          } else if (insn.jumpDest() != null) {
            if (validateBranch(func, insn.jumpDest(), state)) {
              backtrace(insn, "(branch)");
              return true;
            }
          }
          if (insn.type() == io.objtool.api.arch.InsnType.JUMP_UNCONDITIONAL) return false;
        }
        case JUMP_DYNAMIC, JUMP_DYNAMIC_CONDITIONAL -> {
          if (DeadEnds.isSiblingCall(insn)) {
            if (siblingCall(func, insn, state)) return true;
          }
          if (insn.type() == io.objtool.api.arch.InsnType.JUMP_DYNAMIC) return false;
        }
        case CONTEXT_SWITCH, SYSCALL, SYSRET -> {
          if (func != null && (next == null || !next.hint())) {
            file.diag().warnInsn(insn, UNSUPPORTED_INSTRUCTION_IN_CALLABLE_FUNCTION, "unsupported instruction in callable function");
            return true;
          }
          return false;
        }
        default -> {
          if (visitor.visitInsn(func, insn, state)) return true;
        }
      }
      if (insn.deadEnd()) return false;
      if (next == null) {
        if (cfi.cfaBase == CfiRegs.UNDEFINED) return false;
        if (file.ignoreUnreachables()) return false;
        file.diag().warn(UNEXPECTED_END_OF_SECTION, insn.section().name() + ": unexpected end of section");
        return true;
      }
      prev = insn;
      insn = next;
    }
  }
}
