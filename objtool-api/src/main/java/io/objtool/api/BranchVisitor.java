package io.objtool.api;

/**
 * A visitor of the engine's walk over every code path, in the style of OW2 ASM: the engine (the
 * driver) calls the first visitor of a chain, and each visitor does its own check and delegates
 * to the next. A method returns true when it reported a warning that ends the current path, as
 * the reference stops following a path at its first warning.
 *
 * <p>The engine calls, per instruction reached: {@link #visitInsn} for instructions that are not
 * calls, jumps or returns; {@link #visitCall}, {@link #visitSiblingCall}, {@link #visitReturn}
 * for those. Stack operations are applied to the state before these calls.
 */
public abstract class BranchVisitor {
  protected final BranchVisitor next;

  protected BranchVisitor(BranchVisitor next) {
    this.next = next;
  }

  /** A walk starts at a function's first instruction (or at an unwind hint when func is null). */
  public void visitFunction(Func func, InsnState state) {
    if (next != null) next.visitFunction(func, state);
  }

  /** An instruction that is not a call, jump or return (e.g. STAC, CLAC, STD, CLD, NOP, OTHER). */
  public boolean visitInsn(Func func, Instruction insn, InsnState state) {
    return next != null && next.visitInsn(func, insn, state);
  }

  /** A stack operation about to be applied (index {@code op} of the instruction's operations). */
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
}
