package io.objtool.check.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.objtool.api.BranchVisitor;
import io.objtool.api.BranchVisitor.StackOpProblem;
import io.objtool.api.CfiState;
import io.objtool.api.Diagnostics;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Insns;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Warning;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.CfiRegs;
import io.objtool.api.arch.CfiRule;
import io.objtool.api.arch.InitialCfi;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.elf.SymbolIndex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StackValidationPass} against a mocked file: the engine's events come in by hand, no ELF
 * file is read, and the warnings are the reference's lines for {@code f+0xc} of {@code t.o}.
 */
class StackValidationPassTest {
  private final Diagnostics diag = new Diagnostics("t.o", false);
  private final ObjtoolFile file = mock(ObjtoolFile.class);
  private final Func func = mock(Func.class);
  private final Instruction insn = mock(Instruction.class);
  private final InsnState state = mock(InsnState.class);
  private final BranchVisitor next = mock(BranchVisitor.class);
  private final BranchVisitor visitor;

  StackValidationPassTest() {
    Arch arch = mock(Arch.class);
    List<CfiRule> regs = new ArrayList<>();
    for (int r = 0; r < CfiRegs.NUM_REGS; r++) regs.add(CfiRule.UNDEFINED);
    regs.set(CfiRegs.RA, new CfiRule(CfiRegs.CFA, -8));
    when(arch.initialFunctionCfi()).thenReturn(new InitialCfi(new CfiRule(CfiRegs.SP, 8), regs));
    when(file.arch()).thenReturn(arch);
    when(file.diag()).thenReturn(diag);

    Section text = mock(Section.class);
    when(text.name()).thenReturn(".text");
    when(text.isExecutable()).thenReturn(true);
    Symbol f = mock(Symbol.class);
    when(f.name()).thenReturn("f");
    when(f.value()).thenReturn(0x10L);
    SymbolIndex symbols = mock(SymbolIndex.class);
    when(symbols.functionContaining(anyLong())).thenReturn(f);
    when(text.symbols()).thenReturn(symbols);

    when(func.name()).thenReturn("f");
    when(insn.section()).thenReturn(text);
    when(insn.offset()).thenReturn(0x1cL);
    when(insn.func()).thenReturn(func);
    when(insn.sym()).thenReturn(func);
    visitor = new StackValidationPass().visitor(file, next);
  }

  private List<String> lines() {
    return diag.warnings().stream().map(Warning::line).toList();
  }

  /** A CFI state: the entry frame of an x86-64 function, or that with {@code cfaOffset} instead of 8. */
  private static CfiState cfi(int cfaOffset) {
    CfiState c = mock(CfiState.class);
    when(c.cfaBase()).thenReturn(CfiRegs.SP);
    when(c.cfaOffset()).thenReturn(cfaOffset);
    when(c.stackSize()).thenReturn(cfaOffset);
    for (int r = 0; r < CfiState.NUM_REGS; r++) when(c.regBase(r)).thenReturn(r == CfiRegs.RA ? CfiRegs.CFA : CfiRegs.UNDEFINED);
    when(c.regOffset(CfiRegs.RA)).thenReturn(-8);
    return c;
  }

  @Test
  void aMismatchWherePathsMeetIsWarnedAtTheInstruction() {
    Insns.CfiMismatch m = new Insns.CfiMismatch("stack state mismatch: cfa1=4+16 cfa2=4+8", true);
    assertTrue(visitor.visitCfiMismatch(func, insn, m, state), "the path ends");
    assertEquals(List.of("t.o: warning: objtool: f+0xc: stack state mismatch: cfa1=4+16 cfa2=4+8"), lines());
    assertSame(StackValidationPass.STACK_STATE_MISMATCH, diag.warnings().get(0).rule());

    assertTrue(visitor.visitCfiMismatch(func, insn, new Insns.CfiMismatch("CFI missing", false), state));
    assertEquals("t.o: warning: objtool: CFI missing", lines().get(1), "a mismatch with no recorded CFI has no location");
    assertSame(io.objtool.check.engine.Engine.CFI_MISSING, diag.warnings().get(1).rule());
  }

  @Test
  void anUndefinedStackStateIsAProblemInFunctionsOnly() {
    when(insn.func()).thenReturn(null);
    assertFalse(visitor.visitUnsupportedStackOp(insn, 0, StackOpProblem.UNDEFINED_STATE, state), "outside functions the walk goes on");
    assertEquals(List.of(), lines());

    when(insn.func()).thenReturn(func);
    assertTrue(visitor.visitUnsupportedStackOp(insn, 0, StackOpProblem.UNDEFINED_STATE, state));
    assertTrue(visitor.visitUnsupportedStackOp(insn, 1, StackOpProblem.REALIGNMENT, state));
    when(func.warned()).thenReturn(true); // objtool warns about a function once
    assertTrue(visitor.visitUnsupportedStackOp(insn, 1, StackOpProblem.UNKNOWN_INSTRUCTION, state));
    assertEquals(List.of("t.o: warning: objtool: f+0xc: undefined stack state",
        "t.o: warning: objtool: f+0xc: unsupported stack pointer realignment"), lines());
  }

  @Test
  void aTailCallMustLeaveTheEntryFrameBeforeAnyOtherCheckSeesIt() {
    CfiState entry = cfi(8);
    CfiState pushed = cfi(16); // something still on the stack
    when(state.cfi()).thenReturn(entry);
    assertFalse(visitor.visitSiblingCall(func, insn, state));
    verify(next).visitSiblingCall(func, insn, state);

    when(state.cfi()).thenReturn(pushed);
    assertTrue(visitor.visitSiblingCall(func, insn, state));
    verify(next).visitSiblingCall(any(), any(), any()); // still the first call only
    assertEquals(List.of("t.o: warning: objtool: f+0xc: sibling call from callable instruction with modified stack frame"), lines());
    assertEquals(0, new StackValidationPass().order(), "first in the chain");
  }

  @Test
  void fallingThroughIsFineForPrefixesAndWhenUnreachablesAreIgnored() {
    Func g = mock(Func.class);
    when(g.name()).thenReturn("g");
    Instruction gInsn = mock(Instruction.class);
    when(gInsn.func()).thenReturn(g);

    when(func.name()).thenReturn("__pfx_g");
    assertFalse(visitor.visitFallThrough(func, gInsn, state));
    when(func.name()).thenReturn("f");
    when(file.ignoreUnreachables()).thenReturn(true);
    assertFalse(visitor.visitFallThrough(func, gInsn, state));
    assertEquals(List.of(), lines());

    when(file.ignoreUnreachables()).thenReturn(false);
    assertTrue(visitor.visitFallThrough(func, gInsn, state));
    assertEquals(List.of("t.o: warning: objtool: f() falls through to next function g()"), lines());
    verify(next, never()).visitFallThrough(any(), any(), any());
  }
}
