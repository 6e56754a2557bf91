package io.objtool.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.objtool.api.internal.Model;
import io.objtool.elf.Section;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The visitor chain and the per-path state slots, without an ELF file: the model is mocked. */
class BranchVisitorTest {
  private final Func func = mock(Func.class);
  private final Instruction insn = mock(Instruction.class);
  private final Section sec = mock(Section.class);

  /** A visitor that overrides nothing delegates every callback, with the same arguments. */
  @Test
  void aPlainVisitorDelegatesEveryCallback() {
    BranchVisitor next = mock(BranchVisitor.class);
    BranchVisitor v = new BranchVisitor(BranchVisitor.API_1, next) { };
    InsnState state = new InsnState(0);
    when(next.visitCall(func, insn, state)).thenReturn(true);

    v.visitStart(sec, func, state);
    v.visitInsnStart(func, insn, state);
    assertFalse(v.visitStackOp(insn, 1, state));
    assertFalse(v.visitInsn(func, insn, state));
    assertTrue(v.visitCall(func, insn, state), "the next visitor's answer comes back");
    assertFalse(v.visitSiblingCall(func, insn, state));
    assertFalse(v.visitReturn(func, insn, state));
    v.visitEnd();

    InOrder order = inOrder(next);
    order.verify(next).visitStart(sec, func, state);
    order.verify(next).visitInsnStart(func, insn, state);
    order.verify(next).visitStackOp(insn, 1, state);
    order.verify(next).visitInsn(func, insn, state);
    order.verify(next).visitCall(func, insn, state);
    order.verify(next).visitSiblingCall(func, insn, state);
    order.verify(next).visitReturn(func, insn, state);
    order.verify(next).visitEnd();
  }

  /** The events of API 2 delegate unchanged too, so a visitor written against API 1 passes them on. */
  @Test
  void theStackModelEventsOfApi2AreDelegated() {
    BranchVisitor next = mock(BranchVisitor.class);
    BranchVisitor v = new BranchVisitor(BranchVisitor.API_1, next) { };
    InsnState state = new InsnState(0);
    Insns.CfiMismatch m = new Insns.CfiMismatch("stack state mismatch: cfa1=7+8 cfa2=7+16", true);
    when(next.visitCfiMismatch(func, insn, m, state)).thenReturn(true);
    when(next.visitUnsupportedStackOp(insn, 0, BranchVisitor.StackOpProblem.REALIGNMENT, state)).thenReturn(true);

    assertFalse(v.visitUnsizedFunc(func));
    assertTrue(v.visitCfiMismatch(func, insn, m, state), "the next visitor's answer comes back");
    assertFalse(v.visitAltCfiConflict(func, insn, state));
    assertFalse(v.visitFallThrough(func, insn, state));
    assertFalse(v.visitRestoreWithoutSave(func, insn, null, state));
    assertFalse(v.visitContextSwitch(func, insn, state));
    assertFalse(v.visitEndOfSection(func, insn, state));
    assertTrue(v.visitUnsupportedStackOp(insn, 0, BranchVisitor.StackOpProblem.REALIGNMENT, state));
    v.visitBacktrace(insn, BranchVisitor.PathStep.BRANCH);

    InOrder order = inOrder(next);
    order.verify(next).visitUnsizedFunc(func);
    order.verify(next).visitCfiMismatch(func, insn, m, state);
    order.verify(next).visitAltCfiConflict(func, insn, state);
    order.verify(next).visitFallThrough(func, insn, state);
    order.verify(next).visitRestoreWithoutSave(func, insn, null, state);
    order.verify(next).visitContextSwitch(func, insn, state);
    order.verify(next).visitEndOfSection(func, insn, state);
    order.verify(next).visitUnsupportedStackOp(insn, 0, BranchVisitor.StackOpProblem.REALIGNMENT, state);
    order.verify(next).visitBacktrace(insn, BranchVisitor.PathStep.BRANCH);
  }

  /** A visitor that reports a warning ends the path without asking the rest of the chain. */
  @Test
  void aWarningEndsThePathBeforeTheNextVisitor() {
    BranchVisitor next = mock(BranchVisitor.class);
    BranchVisitor v = new BranchVisitor(BranchVisitor.API_1, next) {
      @Override
      public boolean visitReturn(Func f, Instruction i, InsnState s) {
        return true;
      }
    };
    assertTrue(v.visitReturn(func, insn, new InsnState(0)));
    verify(next, never()).visitReturn(any(), any(), any());
  }

  @Test
  void theEndOfTheChainAnswersNoWarning() {
    BranchVisitor last = new BranchVisitor(BranchVisitor.API_1, null) { };
    assertFalse(last.visitCall(func, insn, new InsnState(0)));
    last.visitEnd(); // no next: nothing happens
  }

  @Test
  void unknownApiVersionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new BranchVisitor(0, null) { });
    assertThrows(IllegalArgumentException.class, () -> new BranchVisitor(BranchVisitor.LATEST + 1, null) { });
    assertEquals(BranchVisitor.API_1, new BranchVisitor(BranchVisitor.API_1, null) { }.api());
    assertEquals(BranchVisitor.API_2, new BranchVisitor(BranchVisitor.API_2, null) { }.api());
  }

  /** Slots are copied where a path branches: a change on one path is not seen on the other. */
  @Test
  void slotsAreCopiedAtBranches() {
    StateSlot depth = new StateSlot(0, "depth", false);
    StateSlot uaccess = new StateSlot(1, "uaccess", true);
    InsnState a = new InsnState(2);
    a.set(depth, 3);
    InsnState b = new InsnState(a);
    b.set(depth, 4);
    assertEquals(3, a.get(depth));
    assertEquals(4, b.get(depth));
    assertFalse(b.visitKey(), "only slots that split visits make the visit key");
    b.set(uaccess, true);
    assertTrue(b.visitKey());
    assertFalse(a.visitKey());
    assertTrue(new InsnState(b).visitKey());
    b.set(uaccess, false);
    assertFalse(b.visitKey());
  }

  /**
   * The engine reuses its states: a copy into an existing state of the same shape takes every
   * value (slots, visit key, CFI) into that state; one of another shape is not reused.
   */
  @Test
  void copyIntoReusesAStateOfTheSameShape() {
    StateSlot depth = new StateSlot(0, "depth", false);
    StateSlot uaccess = new StateSlot(1, "uaccess", true);
    InsnState a = new InsnState(2);
    a.set(depth, 7);
    a.set(uaccess, true);
    a.cfi.cfaBase = 4;
    a.cfi.cfaOffset = 16;
    a.cfi.setReg(6, 5, -16);
    a.cfi.signal = true;
    InsnState reused = new InsnState(2);
    reused.set(depth, 1);
    reused.cfi.stackSize = 99;
    assertSame(reused, Model.copyInto(a, reused));
    assertEquals(7, reused.get(depth));
    assertTrue(reused.visitKey());
    assertEquals(a.cfi, reused.cfi);
    a.set(depth, 8);
    a.cfi.cfaOffset = 24;
    assertEquals(7, reused.get(depth), "a copy, not a view");
    assertEquals(16, reused.cfi.cfaOffset, "a copy, not a view");

    InsnState other = new InsnState(3);
    InsnState c = Model.copyInto(a, other);
    assertNotSame(other, c, "another slot count: a new state");
    assertEquals(8, c.get(depth));
    assertNotSame(a, Model.copyInto(a, null));
    assertNotSame(reused, Model.copyInto(new InsnState(2, 4), reused), "another register count: a new state");

    Model.copyInto(new InsnState(2), reused);
    assertEquals(0, reused.get(depth));
    assertFalse(reused.visitKey());
    assertEquals(new InsnState(2).cfi, reused.cfi);
  }
}
