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
 * <p>A visitor names the API version it was written against ({@link #API_1}); a later version
 * may add callbacks, which then delegate unchanged to {@code next} for visitors of an older
 * version, so compiled plug-ins keep working.
 */
public abstract class BranchVisitor {
  /** The first version of the visitor API: every callback of this class. */
  public static final int API_1 = 1;

  /** The newest API version this library implements. */
  public static final int LATEST = API_1;

  /** The API version this visitor was written against. */
  protected final int api;

  /** The next visitor of the chain, or null at its end. */
  protected final BranchVisitor next;

  /**
   * A visitor delegating to {@code next}.
   *
   * @param api the API version it implements ({@link #API_1})
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
}
