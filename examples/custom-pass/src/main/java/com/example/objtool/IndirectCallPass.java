package com.example.objtool;

import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Pass;
import io.objtool.api.Rule;
import io.objtool.api.StateSlot;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Section;

/**
 * {@code --indirect-calls}: reports every indirect call that is not retpoline-safe, and counts
 * along each code path how many calls came before it (a value of its own, carried by the engine
 * in a {@link StateSlot}).
 */
public final class IndirectCallPass implements Pass {
  /** Rule {@code example-indirect-call}: an indirect call that is not retpoline-safe. */
  public static final Rule INDIRECT_CALL =
      Rule.warning("example-indirect-call", "An indirect call that is not retpoline-safe.");

  @Override public String option() { return "indirect-calls"; }
  @Override public String help() { return "report indirect calls"; }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    StateSlot callsBefore = file.newStateSlot("indirect-calls.calls-before", false);
    return new BranchVisitor(BranchVisitor.API_1, next) {
      @Override
      public void visitStart(Section sec, Func func, InsnState state) {
        state.set(callsBefore, 0);
        super.visitStart(sec, func, state);
      }

      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        if (insn.type() == InsnType.CALL_DYNAMIC && !insn.has(Instruction.RETPOLINE_SAFE)) {
          int before = state.get(callsBefore);
          file.diag().warnInsn(insn, INDIRECT_CALL,
              "indirect call" + (before == 0 ? "" : " (after " + before + " calls on this path)"));
        }
        state.set(callsBefore, state.get(callsBefore) + 1);
        return super.visitCall(func, insn, state);
      }
    };
  }
}
