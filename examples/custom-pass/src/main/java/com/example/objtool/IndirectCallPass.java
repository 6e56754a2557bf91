package com.example.objtool;

import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;

/** {@code --indirect-calls}: reports every indirect call that is not retpoline-safe. */
public final class IndirectCallPass implements Pass {
  @Override public String option() { return "indirect-calls"; }
  @Override public String help() { return "report indirect calls"; }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new BranchVisitor(next) {
      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        if (insn.type() == InsnType.CALL_DYNAMIC && !insn.has(Instruction.RETPOLINE_SAFE)) {
          file.diag().warnInsn(insn, "indirect call");
        }
        return super.visitCall(func, insn, state);
      }
    };
  }
}
