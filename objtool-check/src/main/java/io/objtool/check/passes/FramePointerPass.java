package io.objtool.check.passes;

import io.objtool.api.Rule;
import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.CfiState;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Symbol;

/**
 * {@code --stackval}: the frame-pointer rules. A function must set up its frame (push %rbp;
 * mov %rsp,%rbp) before it calls anything, and must not use %rbp as a scratch register (pushing
 * it without making it the frame pointer) on a path that returns. On arm64 the frame is the frame
 * record (stp x29, x30, [sp, #-N]!; mov x29, sp, or add x29, sp, #M), and x29 is a scratch
 * register when it is given any value other than the address of the function's frame record.
 */
@AutoService(Pass.class)
public final class FramePointerPass implements Pass {
  /** Rule {@code call-without-frame-pointer}: A call before the frame pointer is set up (`--stackval`). */
  public static final Rule CALL_WITHOUT_FRAME_POINTER = Rule.warning("call-without-frame-pointer", "A call before the frame pointer is set up (`--stackval`).");
  /** Rule {@code bp-scratch-register}: %rbp used for something else than the frame pointer (`--stackval`). */
  public static final Rule BP_SCRATCH_REGISTER = Rule.warning("bp-scratch-register", "%rbp used for something else than the frame pointer (`--stackval`).");

  @Override
  public String option() {
    return "stackval";
  }

  @Override
  public String help() {
    return "validate frame pointer rules";
  }

  @Override
  public boolean enabled(Options options) {
    return options.stackval();
  }

  @Override
  public int order() {
    return 60;
  }

  /**
   * A frame is set up: the CFA is based on the frame pointer, which was saved right under where
   * the return address is (x86: %rbp at cfa-16 under the return address the call pushed at cfa-8;
   * arm64: the frame record, x29 at cfa+N and x30 at cfa+N+8), or DRAP with %rbp saved.
   */
  static boolean hasValidStackFrame(CfiState cfi, Arch arch) {
    int fp = arch.framePointerReg();
    if (cfi.cfaBase() == fp && cfi.regBase(fp) == CfiRegs.CFA) {
      int push = arch.callPushSize();
      if (push > 0) {
        if (cfi.regOffset(fp) == -push - 8) return true; // the return address is where the call put it
      } else {
        int ra = arch.returnAddressReg();
        if (cfi.regBase(ra) == CfiRegs.CFA && cfi.regOffset(ra) == cfi.regOffset(fp) + 8) return true;
      }
    }
    return cfi.drap() && cfi.regBase(fp) == fp;
  }

  /** Calls to {@code __fentry__} and to embedded-instruction thunks need no frame. */
  static boolean isSpecialCall(Instruction insn) {
    if (insn.type() != InsnType.CALL) return false;
    Symbol dest = insn.callDest();
    if (dest == null || dest.bind() != Elf.STB_GLOBAL) return false;
    return dest.name().equals("__fentry__") || io.objtool.check.cfg.Funcs.isEmbeddedInsn(dest);
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new BranchVisitor(BranchVisitor.API_1, next) {
      @Override
      public boolean visitCall(Func func, Instruction insn, InsnState state) {
        if (super.visitCall(func, insn, state)) return true;
        if (func != null && !isSpecialCall(insn) && !hasValidStackFrame(state.cfi(), file.arch())) {
          file.diag().warnInsn(insn, CALL_WITHOUT_FRAME_POINTER, "call without frame pointer save/setup");
          return true;
        }
        return false;
      }

      @Override
      public boolean visitReturn(Func func, Instruction insn, InsnState state) {
        if (state.cfi().bpScratch()) {
          file.diag().warnInsn(insn, BP_SCRATCH_REGISTER, "BP used as a scratch register");
          return true;
        }
        return super.visitReturn(func, insn, state);
      }
    };
  }
}
