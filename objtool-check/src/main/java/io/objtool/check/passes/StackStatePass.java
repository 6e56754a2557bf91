package io.objtool.check.passes;

import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.CfiState;
import io.objtool.api.StateSlot;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Pass;
import io.objtool.api.Rule;
import io.objtool.api.arch.InitialCfi;

/**
 * Static stack validation at calls and returns, made by every walk ({@link EveryWalkPass}): a return must leave the stack frame as the function found it, and the direction flag must
 * be clear at calls and returns and not be set twice or cleared needlessly. Its place in the chain
 * ({@link #ORDER}) is the reference's order of these checks: after user access and noinstr, before
 * the frame-pointer rules.
 */
@AutoService(Pass.class)
public final class StackStatePass extends EveryWalkPass {
  /** Rule {@code recursive-std}: `std` while the direction flag is already set. */
  public static final Rule RECURSIVE_STD = Rule.warning("recursive-std", "`std` while the direction flag is already set.");
  /** Rule {@code redundant-cld}: `cld` while the direction flag is already clear. */
  public static final Rule REDUNDANT_CLD = Rule.warning("redundant-cld", "`cld` while the direction flag is already clear.");
  /** Rule {@code return-with-df-set}: A return with the direction flag set. */
  public static final Rule RETURN_WITH_DF_SET = Rule.warning("return-with-df-set", "A return with the direction flag set.");
  /** Rule {@code call-with-df-set}: A call made with the direction flag set. */
  public static final Rule CALL_WITH_DF_SET = Rule.warning("call-with-df-set", "A call made with the direction flag set.");
  /** Rule {@code return-with-modified-stack-frame}: A return with something still on the stack or a changed frame. */
  public static final Rule RETURN_WITH_MODIFIED_STACK_FRAME = Rule.warning("return-with-modified-stack-frame", "A return with something still on the stack or a changed frame.");

  /** Position in the visitor chain: after uaccess and noinstr checks, before frame-pointer rules. */
  public static final int ORDER = 50;

  /** The pass, at {@link #ORDER} in the chain. */
  public StackStatePass() {
    super(ORDER);
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new Visitor(file, next);
  }

  /** True when the CFA, stack size or saved registers differ from the function's entry state. */
  public static boolean hasModifiedStackFrame(CfiState cfi, InitialCfi initial) {
    if (cfi.cfaBase() != initial.cfa().base() || cfi.drap()) return true;
    if (cfi.cfaOffset() != initial.cfa().offset()) return true;
    if (cfi.stackSize() != initial.cfa().offset()) return true;
    for (int r = 0; r < cfi.regCount(); r++) {
      if (cfi.regBase(r) != initial.reg(r).base() || cfi.regOffset(r) != initial.reg(r).offset()) return true;
    }
    return false;
  }

  /** The checks, with the pass's own direction-flag slot. */
  private static final class Visitor extends BranchVisitor {
    private final ObjtoolFile file;
    private final InitialCfi initial;
    /** The direction flag: set by STD, cleared by CLD. */
    private final StateSlot df;

    Visitor(ObjtoolFile file, BranchVisitor next) {
      super(API_1, next);
      this.file = file;
      this.df = file.newStateSlot("direction-flag", false);
      this.initial = file.arch().initialFunctionCfi();
    }

    private boolean warn(Instruction insn, Rule rule, String msg) {
      file.diag().warnInsn(insn, rule, msg);
      return true;
    }

    private static String callDestName(Instruction insn) {
      return insn.callDest() != null ? insn.callDest().name() : "{dynamic}";
    }

    @Override
    public boolean visitInsn(Func func, Instruction insn, InsnState state) {
      switch (insn.type()) {
        case STD -> {
          if (state.is(df)) return warn(insn, RECURSIVE_STD, "recursive STD");
          state.set(df, true);
        }
        case CLD -> {
          if (!state.is(df) && func != null) return warn(insn, REDUNDANT_CLD, "redundant CLD");
          state.set(df, false);
        }
        default -> { }
      }
      return super.visitInsn(func, insn, state);
    }

    @Override
    public boolean visitCall(Func func, Instruction insn, InsnState state) {
      if (state.is(df)) return warn(insn, CALL_WITH_DF_SET, "call to " + callDestName(insn) + "() with DF set");
      return super.visitCall(func, insn, state);
    }

    @Override
    public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
      if (state.is(df)) return warn(insn, CALL_WITH_DF_SET, "call to " + callDestName(insn) + "() with DF set");
      return super.visitSiblingCall(func, insn, state);
    }

    @Override
    public boolean visitReturn(Func func, Instruction insn, InsnState state) {
      if (state.is(df)) return warn(insn, RETURN_WITH_DF_SET, "return with DF set");
      if (func != null && hasModifiedStackFrame(state.cfi(), initial)) return warn(insn, RETURN_WITH_MODIFIED_STACK_FRAME, "return with modified stack frame");
      return super.visitReturn(func, insn, state);
    }
  }
}
