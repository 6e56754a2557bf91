package io.objtool.check.passes;

import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.elf.Symbol;

/**
 * {@code --noinstr}: code in {@code .noinstr.text}, {@code .entry.text}, {@code .cpuidle.text}
 * and {@code .text..__x86.*} must not call instrumentable code outside an
 * {@code instrumentation_begin()}/{@code end()} region, and must not return inside one.
 */
@AutoService(Pass.class)
public final class NoinstrPass implements Pass {
  @Override
  public String option() {
    return "noinstr";
  }

  @Override
  public String help() {
    return "validate noinstr rules";
  }

  @Override
  public boolean enabled(Options options) {
    return options.noinstr();
  }

  @Override
  public int order() {
    return 5;
  }

  static boolean noinstrCallDest(Symbol dest) {
    if (dest == null) return false; // indirect calls are assumed instrumented
    if (dest.section() != null && ObjtoolFile.isNoinstrSection(dest.section())) return true;
    if (dest.bind() == io.objtool.elf.Elf.STB_GLOBAL && dest.name().startsWith("__SCT__")) return true;
    return dest.name().startsWith("__ubsan_handle_");
  }

  private static String callDestName(Instruction insn) {
    return insn.callDest() != null ? insn.callDest().name() : "{dynamic}";
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new BranchVisitor(next) {
      private boolean check(Instruction insn, InsnState state) {
        if (state.noinstr && state.instr <= 0 && !noinstrCallDest(insn.callDest())) {
          file.diag().warnInsn(insn, "call to " + callDestName(insn) + "() leaves .noinstr.text section");
          return true;
        }
        return false;
      }

      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        return check(insn, state) || super.visitCall(func, insn, state);
      }

      @Override
      public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
        return check(insn, state) || super.visitSiblingCall(func, insn, state);
      }

      @Override
      public boolean visitReturn(Func func, Instruction insn, InsnState state) {
        if (state.noinstr && state.instr > 0) {
          file.diag().warnInsn(insn, "return with instrumentation enabled");
          return true;
        }
        return super.visitReturn(func, insn, state);
      }
    };
  }
}
