package io.objtool.check.passes;

import com.google.auto.service.AutoService;
import io.objtool.api.AltGroup;
import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Insns;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Pass;
import io.objtool.api.Rule;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.InitialCfi;

/**
 * Static stack validation of the walk itself, made by every walk ({@link EveryWalkPass}): turns what the engine's stack model finds on the way ({@link BranchVisitor}'s API 2 events) into
 * the reference's warnings — paths meeting with different stack states, alternatives leaving
 * different states, stack operations the model cannot follow, a path running into the next
 * function or off its section, context switches in callable functions, restore hints without
 * their save, function symbols without a size — and checks that a tail call leaves the frame as
 * the function found it.
 *
 * <p>It is first in the chain ({@link #ORDER}): the reference checks a tail call's frame before
 * any other check of the call.
 */
@AutoService(Pass.class)
public final class StackValidationPass extends EveryWalkPass {
  /** Rule {@code missing-elf-size}: A function symbol has size 0. */
  public static final Rule MISSING_ELF_SIZE = Rule.warning("missing-elf-size", "A function symbol has size 0.");
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
  /** Rule {@code undefined-stack-state}: A stack operation while the stack state is unknown. */
  public static final Rule UNDEFINED_STACK_STATE = Rule.warning("undefined-stack-state", "A stack operation while the stack state is unknown.");
  /** Rule {@code unsupported-stack-register-modification}: A change of %rsp (or the frame base) objtool cannot model. */
  public static final Rule UNSUPPORTED_STACK_REGISTER_MODIFICATION = Rule.warning("unsupported-stack-register-modification", "A change of %rsp (or the frame base) objtool cannot model.");
  /** Rule {@code unsupported-stack-realignment}: Stack realignment (`and $-N, %rsp`) without a frame pointer or DRAP. */
  public static final Rule UNSUPPORTED_STACK_REALIGNMENT = Rule.warning("unsupported-stack-realignment", "Stack realignment (`and $-N, %rsp`) without a frame pointer or DRAP.");
  /** Rule {@code unknown-stack-instruction}: A stack operation of a form the model does not know. */
  public static final Rule UNKNOWN_STACK_INSTRUCTION = Rule.warning("unknown-stack-instruction", "A stack operation of a form the model does not know.");
  /** Rule {@code unknown-stack-memory-operation}: A memory-destination stack operation the model does not know. */
  public static final Rule UNKNOWN_STACK_MEMORY_OPERATION = Rule.warning("unknown-stack-memory-operation", "A memory-destination stack operation the model does not know.");

  /** Position in the visitor chain: first. */
  public static final int ORDER = 0;

  /** The pass, at {@link #ORDER} in the chain. */
  public StackValidationPass() {
    super(ORDER);
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new Visitor(file, next);
  }

  /** The checks of one object. */
  static final class Visitor extends BranchVisitor {
    private final ObjtoolFile file;
    private final InitialCfi initial;

    Visitor(ObjtoolFile file, BranchVisitor next) {
      super(API_2, next);
      this.file = file;
      this.initial = file.arch().initialFunctionCfi();
    }

    private boolean warn(Instruction insn, Rule rule, String msg) {
      file.diag().warnInsn(insn, rule, msg);
      return true;
    }

    @Override
    public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
      if (insn.func() != null && StackStatePass.hasModifiedStackFrame(state.cfi(), initial)) {
        return warn(insn, SIBLING_CALL_WITH_MODIFIED_FRAME, "sibling call from callable instruction with modified stack frame");
      }
      return super.visitSiblingCall(func, insn, state);
    }

    @Override
    public boolean visitUnsizedFunc(Func func) {
      file.diag().warn(MISSING_ELF_SIZE, func.name() + "() is missing an ELF size annotation");
      return true;
    }

    @Override
    public boolean visitCfiMismatch(Func func, Instruction insn, Insns.CfiMismatch mismatch, InsnState state) {
      if (mismatch.located()) file.diag().warnAt(insn.section(), insn.offset(), STACK_STATE_MISMATCH, mismatch.message());
      else file.diag().warn(io.objtool.check.engine.Engine.CFI_MISSING, mismatch.message()); // no CFI recorded: the engine's guard
      return true;
    }

    @Override
    public boolean visitAltCfiConflict(Func func, Instruction insn, InsnState state) {
      AltGroup g = insn.altGroup();
      Instruction orig = (g.origGroup() != null ? g.origGroup() : g).firstInsn();
      String where = file.diag().offstr(insn.section(), insn.offset());
      // as a warning about an instruction: it marks the function warned (--verbose disassembles it)
      file.diag().warnInsn(orig, STACK_LAYOUT_CONFLICT_IN_ALTERNATIVES, "stack layout conflict in alternatives: " + where);
      return true; // this path ends; the other functions are still checked
    }

    @Override
    public boolean visitFallThrough(Func func, Instruction insn, InsnState state) {
      String n = func.name();
      if (n.startsWith("__cfi_") || n.startsWith("__pfx_")) return false; // a prefix runs into its function by design
      if (file.ignoreUnreachables()) return false;
      file.diag().warn(FALL_THROUGH_TO_NEXT_FUNCTION, func.name() + "() falls through to next function " + insn.func().name() + "()");
      return true;
    }

    @Override
    public boolean visitRestoreWithoutSave(Func func, Instruction insn, Instruction save, InsnState state) {
      if (save == null) return warn(insn, CFI_RESTORE_WITHOUT_SAVE, "no corresponding CFI save for CFI restore");
      return warn(insn, CFI_SAVE_RESTORE_COMBO, "objtool isn't smart enough to handle this CFI save/restore combo");
    }

    @Override
    public boolean visitContextSwitch(Func func, Instruction insn, InsnState state) {
      Instruction next = file.insns().nextInsnToValidate(insn);
      if (func == null || (next != null && next.hint())) return false; // entry code, or a hint says what comes next
      return warn(insn, UNSUPPORTED_INSTRUCTION_IN_CALLABLE_FUNCTION, "unsupported instruction in callable function");
    }

    @Override
    public boolean visitEndOfSection(Func func, Instruction insn, InsnState state) {
      if (state.cfi().cfaBase() == CfiRegs.UNDEFINED) return false; // the stack state is unknown here: nothing to report
      if (file.ignoreUnreachables()) return false;
      file.diag().warn(UNEXPECTED_END_OF_SECTION, insn.section().name() + ": unexpected end of section");
      return true;
    }

    @Override
    public boolean visitUnsupportedStackOp(Instruction insn, int op, StackOpProblem problem, InsnState state) {
      return switch (problem) {
        case UNDEFINED_STATE -> insn.func() != null && warn(insn, UNDEFINED_STACK_STATE, "undefined stack state");
        case STACK_REGISTER_MODIFICATION -> warn(insn, UNSUPPORTED_STACK_REGISTER_MODIFICATION, "unsupported stack register modification");
        case REALIGNMENT -> warn(insn, UNSUPPORTED_STACK_REALIGNMENT, "unsupported stack pointer realignment");
        case UNKNOWN_INSTRUCTION -> warn(insn, UNKNOWN_STACK_INSTRUCTION, "unknown stack-related instruction");
        case UNKNOWN_MEMORY_OPERATION -> warn(insn, UNKNOWN_STACK_MEMORY_OPERATION, "unknown stack-related memory operation");
      };
    }
  }
}
