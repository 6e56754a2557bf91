package io.objtool.check.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.BranchVisitor;
import io.objtool.api.Diagnostics;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.Architectures;
import io.objtool.check.Checker;
import io.objtool.check.TraceFixtures;
import io.objtool.elf.ElfFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine reports the walk's shape (API 3) only to a chain with a visitor of API 3: a visitor
 * of API 1 or 2 that overrides the new callbacks is never called, and keeps getting its own.
 */
class WalkEventsTest {
  @TempDir Path dir;

  private static final String SOURCE = "\t.text\n\t.globl f\n\t.type f, @function\nf:\n\ttest %rdi, %rdi\n\tje 1f\n\tnop\n1:\tret\n\t.size f, .-f\n";

  /** A visitor of {@code api} counting its calls of API 1 and of API 3. */
  private static final class Counting implements Pass {
    final int api;
    final AtomicInteger api1 = new AtomicInteger(), api3 = new AtomicInteger();

    Counting(int api) {
      this.api = api;
    }

    @Override public String option() { return "counting"; }
    @Override public boolean needsWalk() { return false; }

    @Override
    public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
      return new BranchVisitor(api, next) {
        @Override public void visitInsnStart(Func func, Instruction insn, InsnState state) {
          api1.incrementAndGet();
          super.visitInsnStart(func, insn, state);
        }

        @Override public void visitInsnEnd(Func func, Instruction insn, InsnState state) {
          api3.incrementAndGet();
          super.visitInsnEnd(func, insn, state);
        }

        @Override public void visitBranchTaken(Func func, Instruction insn, InsnState state) {
          api3.incrementAndGet();
          super.visitBranchTaken(func, insn, state);
        }

        @Override public void visitMerge(Func func, Instruction insn, io.objtool.api.Insns.CfiMismatch m, InsnState state) {
          api3.incrementAndGet();
          super.visitMerge(func, insn, m, state);
        }
      };
    }
  }

  private Counting walk(int api) throws Exception {
    Path obj = TraceFixtures.compile("w.s", SOURCE, dir);
    Options opts = Options.of(obj, "stackval");
    Counting c = new Counting(api);
    try (ElfFile elf = ElfFile.open(obj)) {
      ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), new Diagnostics(obj.toString(), false));
      List<Pass> passes = Checker.enabledPasses(opts, getClass().getClassLoader());
      passes.add(c);
      new Checker(file, passes).run();
    }
    return c;
  }

  @Test
  void olderVisitorsGetNoWalkEvents() throws Exception {
    for (int api : new int[] {BranchVisitor.API_1, BranchVisitor.API_2}) {
      Counting c = walk(api);
      assertEquals(4, c.api1.get(), "every instruction reached once (API " + api + ")");
      assertEquals(0, c.api3.get(), "no API 3 event for a chain without an API 3 visitor (API " + api + ")");
    }
  }

  @Test
  void anApi3VisitorGetsThem() throws Exception {
    Counting c = walk(BranchVisitor.API_3);
    assertEquals(4, c.api1.get());
    // 4 instructions ended, 1 jump taken, 1 merge at the ret
    assertEquals(6, c.api3.get());
  }

  @Test
  void chainApiIsTheHighestVersionOfTheChain() {
    BranchVisitor end = new BranchVisitor(BranchVisitor.API_1, null) {};
    BranchVisitor mid = new BranchVisitor(BranchVisitor.API_3, end) {};
    BranchVisitor head = new BranchVisitor(BranchVisitor.API_2, mid) {};
    assertEquals(BranchVisitor.API_3, head.chainApi());
    assertEquals(BranchVisitor.API_1, end.chainApi());
    assertTrue(BranchVisitor.LATEST >= BranchVisitor.API_3);
  }
}
