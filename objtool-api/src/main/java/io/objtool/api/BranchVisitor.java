package io.objtool.api;

import io.objtool.elf.Section;

/**
 * A visitor of the engine's walk over every code path, in the style of OW2 ASM's
 * {@code ClassVisitor}: the engine (the driver) calls the first visitor of a chain, and each
 * visitor does its own check and delegates to the next. A method returns true when it reported a
 * warning that ends the current path, as objtool stops following a path at its first warning.
 *
 * <p>Per walk the engine calls {@link #visitStart}; per instruction reached,
 * {@link #visitInsnStart}, then {@link #visitStackOp} for each stack operation (applied to the
 * state just before), then one of {@link #visitInsn} (not a call, jump or return),
 * {@link #visitCall}, {@link #visitSiblingCall}, {@link #visitReturn}; at the end
 * {@link #visitEnd}.
 *
 * <p>Since {@link #API_2} the engine also reports what its stack model finds on the way, as
 * events rather than warnings of its own: a state mismatch where paths meet
 * ({@link #visitCfiMismatch}), a conflict between alternatives ({@link #visitAltCfiConflict}), a
 * stack operation it cannot follow ({@link #visitUnsupportedStackOp}), a path running into the
 * next function or off its section, a context switch, a restore hint without its save, a
 * function without a size, and each step back along a path that a warning ended
 * ({@link #visitBacktrace}). The built-in stack-validation passes turn them into warnings; a
 * pass returning true ends the path, as a warning does.
 *
 * <p>Since {@link #API_3} the engine also reports the shape of the walk, for tools that follow it
 * step by step ({@code --trace}): where a walk starts ({@link #visitWalkStart}), each instruction's
 * state after its stack operations ({@link #visitInsnEnd}), a jump taken or not
 * ({@link #visitBranchTaken}, {@link #visitBranchNotTaken}), an alternative entered and left
 * ({@link #visitAltEnter}, {@link #visitAltLeave}), a path meeting an instruction walked before
 * ({@link #visitMerge}) and an unwind hint applied ({@link #visitHintApplied}). The engine makes
 * these calls only when a visitor of the chain is written against API 3 ({@link #chainApi()}), so a
 * chain of older visitors pays nothing for them.
 *
 * <p>The {@link InsnState} a callback receives is the engine's, valid only during the call: the
 * engine reuses its states from path to path instead of allocating one per branch, so a visitor
 * that keeps something for later keeps values (or its own copy of the CFI), never the state or
 * the {@link CfiState} it returns. What it sets in its {@link StateSlot}s travels with the path.
 *
 * <p>A visitor names the API version it was written against ({@link #API_1}); a later version
 * may add callbacks, which then delegate unchanged to {@code next} for visitors of an older
 * version, so compiled plug-ins keep working.
 */
public abstract class BranchVisitor {
  /** The first version of the visitor API: every callback of this class. */
  public static final int API_1 = 1;

  /** The second version: adds the events of the engine's stack model ({@link #visitCfiMismatch} ...). */
  public static final int API_2 = 2;

  /** The third version: adds the events of the walk's shape ({@link #visitBranchTaken} ...). */
  public static final int API_3 = 3;

  /** The newest API version this library implements. */
  public static final int LATEST = API_3;

  /** The API version this visitor was written against. */
  protected final int api;

  /** The next visitor of the chain, or null at its end. */
  protected final BranchVisitor next;

  /**
   * A visitor delegating to {@code next}.
   *
   * @param api the API version it implements ({@link #API_1}, {@link #API_2} or {@link #API_3})
   * @param next the next visitor of the chain, or null
   * @throws IllegalArgumentException for a version this library does not know
   */
  protected BranchVisitor(int api, BranchVisitor next) {
    if (api < API_1 || api > LATEST) throw new IllegalArgumentException("unsupported BranchVisitor API version " + api);
    this.api = api;
    this.next = next;
  }

  /** The API version this visitor was written against. */
  public int api() {
    return api;
  }

  /**
   * The highest API version of this visitor and the visitors after it in the chain: the engine
   * reports the events of a version only to a chain that has a visitor written against it.
   */
  public final int chainApi() {
    int v = api;
    for (BranchVisitor n = next; n != null; n = n.next) v = Math.max(v, n.api);
    return v;
  }

  /**
   * Walks start in {@code sec}: at the entry of {@code func}, or (func null) at the unwind hints
   * no function walk reached. Passes set their {@link StateSlot}s' initial values here.
   */
  public void visitStart(Section sec, Func func, InsnState state) {
    if (next != null) next.visitStart(sec, func, state);
  }

  /**
   * The walk reached {@code insn} (for the first time in this state), before its alternatives,
   * stack operations and the callback for its type.
   */
  public void visitInsnStart(Func func, Instruction insn, InsnState state) {
    if (next != null) next.visitInsnStart(func, insn, state);
  }

  /** An instruction that is not a call, jump or return (e.g. STAC, CLAC, STD, CLD, NOP, OTHER). */
  public boolean visitInsn(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitInsn(func, insn, state);
  }

  /** A stack operation just applied (index {@code op} of the instruction's operations). */
  public boolean visitStackOp(Instruction insn, int op, InsnState state) {
    return next != null && next.visitStackOp(insn, op, state);
  }

  /** A direct or dynamic call. */
  public boolean visitCall(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitCall(func, insn, state);
  }

  /** A jump that leaves the function (tail call). */
  public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitSiblingCall(func, insn, state);
  }

  /** A return. The path ends here whatever the answer. */
  public boolean visitReturn(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitReturn(func, insn, state);
  }

  /** All paths have been walked. */
  public void visitEnd() {
    if (next != null) next.visitEnd();
  }

  /** What the engine's stack model could not follow in one stack operation ({@link #visitUnsupportedStackOp}). */
  public enum StackOpProblem {
    /** A stack operation while the CFA is undefined (the state is unknown). */
    UNDEFINED_STATE,
    /** An addition to the register the CFA is based on, of a form the model does not follow. */
    STACK_REGISTER_MODIFICATION,
    /** Realignment of %rsp ({@code and $-N, %rsp}) without a frame pointer or DRAP as the CFA base. */
    REALIGNMENT,
    /** A register-destination or other stack operation of an unknown form. */
    UNKNOWN_INSTRUCTION,
    /** A memory-destination stack operation other than a pop to memory. */
    UNKNOWN_MEMORY_OPERATION
  }

  /** How a step of a path was entered, for {@link #visitBacktrace}. */
  public enum PathStep {
    /** The entry of a function walk. */
    SYM,
    /** An unwind hint no function walk reached. */
    HINT,
    /** A jump taken. */
    BRANCH,
    /** An alternative (replacement code) followed. */
    ALT
  }

  /**
   * A function symbol of size 0, which the engine cannot walk (API 2).
   *
   * @return true when a warning was reported (it counts as one)
   */
  public boolean visitUnsizedFunc(Func func) {
    return next != null && next.visitUnsizedFunc(func);
  }

  /**
   * A path reached {@code insn}, visited before, with a CFI state other than the one recorded
   * there (API 2). Returning false lets the walk go on as if they agreed.
   *
   * @param mismatch how the states differ ({@link Insns#insnCfiMatch})
   * @return true when a warning ended the path
   */
  public boolean visitCfiMismatch(Func func, Instruction insn, Insns.CfiMismatch mismatch, InsnState state) {
    return next != null && next.visitCfiMismatch(func, insn, mismatch, state);
  }

  /**
   * {@code insn}, in an alternative group, arrives with a CFI state other than another
   * alternative's at the same offset of the site (API 2). The site's original instruction is
   * {@code insn.altGroup().origGroup().firstInsn()} (the group's own first when it is the original).
   *
   * @return true when a warning ended the path
   */
  public boolean visitAltCfiConflict(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitAltCfiConflict(func, insn, state);
  }

  /**
   * The walk of {@code func} reached {@code insn} of another function (API 2). The path ends
   * here whatever the answer.
   *
   * @return true when a warning was reported
   */
  public boolean visitFallThrough(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitFallThrough(func, insn, state);
  }

  /**
   * An {@code UNWIND_HINT_RESTORE} whose state cannot be restored (API 2): there is no save hint
   * before it in its function ({@code save} null), or the save hint found was not walked yet. The
   * path ends here whatever the answer.
   *
   * @return true when a warning was reported
   */
  public boolean visitRestoreWithoutSave(Func func, Instruction insn, Instruction save, InsnState state) {
    return next != null && next.visitRestoreWithoutSave(func, insn, save, state);
  }

  /**
   * A context-switching instruction (sysret, iret, syscall ...), which ends the path whatever
   * the answer (API 2).
   *
   * @return true when a warning was reported
   */
  public boolean visitContextSwitch(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitContextSwitch(func, insn, state);
  }

  /**
   * The path runs off the end of {@code insn}'s section (API 2); it ends here whatever the answer.
   *
   * @return true when a warning was reported
   */
  public boolean visitEndOfSection(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitEndOfSection(func, insn, state);
  }

  /**
   * The stack model cannot follow operation {@code op} of {@code insn} (API 2); the state is left
   * as it was before the operation. Returning false lets the walk go on.
   *
   * @return true when a warning ended the path
   */
  public boolean visitUnsupportedStackOp(Instruction insn, int op, StackOpProblem problem, InsnState state) {
    return next != null && next.visitUnsupportedStackOp(insn, op, problem, state);
  }

  /**
   * A warning ended a path, and {@code insn} is one step back along it, entered as {@code step}
   * (API 2): called for each step, innermost first.
   */
  public void visitBacktrace(Instruction insn, PathStep step) {
    if (next != null) next.visitBacktrace(insn, step);
  }

  /**
   * A walk starts at {@code insn}: a function's entry ({@code how} {@link PathStep#SYM}) or an
   * unwind hint no function walk reached ({@link PathStep#HINT}, {@code func} then the hint's
   * function or null) (API 3).
   */
  public void visitWalkStart(Func func, Instruction insn, PathStep how, InsnState state) {
    if (next != null) next.visitWalkStart(func, insn, how, state);
  }

  /**
   * The stack operations of {@code insn} have been applied: {@code state} is the state after it,
   * before the callback for its type (API 3). Not called when the walk of {@code insn} ended
   * before (a warning, or alternatives that replace it).
   */
  public void visitInsnEnd(Func func, Instruction insn, InsnState state) {
    if (next != null) next.visitInsnEnd(func, insn, state);
  }

  /**
   * The walk follows the jump {@code insn} to {@code insn.jumpDest()} (API 3); the path of the
   * jump ends when the engine comes back with {@link #visitBranchNotTaken} (a conditional jump)
   * or with the end of the path that contains {@code insn}.
   */
  public void visitBranchTaken(Func func, Instruction insn, InsnState state) {
    if (next != null) next.visitBranchTaken(func, insn, state);
  }

  /**
   * The path of the conditional jump {@code insn} is walked, and the walk goes on after it, the
   * jump not taken (API 3). {@code state} is the state after {@code insn}.
   */
  public void visitBranchNotTaken(Func func, Instruction insn, InsnState state) {
    if (next != null) next.visitBranchNotTaken(func, insn, state);
  }

  /**
   * The walk follows alternative {@code alt} (replacement code, or a jump-label or exception
   * target) of {@code insn}, with the state before {@code insn} (API 3).
   */
  public void visitAltEnter(Func func, Instruction insn, Alternative alt, InsnState state) {
    if (next != null) next.visitAltEnter(func, insn, alt, state);
  }

  /**
   * The path of alternative {@code alt} of {@code insn} is walked and the walk comes back to
   * {@code insn} (API 3): it goes on with the next alternative, or with {@code insn} itself unless
   * an alternative replaces it.
   */
  public void visitAltLeave(Func func, Instruction insn, Alternative alt, InsnState state) {
    if (next != null) next.visitAltLeave(func, insn, alt, state);
  }

  /**
   * A path reaches {@code insn}, walked before (API 3): called before {@link #visitCfiMismatch},
   * with {@code mismatch} null when the state recorded at {@code insn} and {@code state} agree, or
   * when {@code insn} carries an unwind hint (whose state is not compared). The path ends here
   * unless the instruction is walked again in another user-access state.
   */
  public void visitMerge(Func func, Instruction insn, Insns.CfiMismatch mismatch, InsnState state) {
    if (next != null) next.visitMerge(func, insn, mismatch, state);
  }

  /**
   * The unwind hint at {@code insn} replaced the state: {@code state} is the hint's (API 3).
   */
  public void visitHintApplied(Func func, Instruction insn, InsnState state) {
    if (next != null) next.visitHintApplied(func, insn, state);
  }
}
