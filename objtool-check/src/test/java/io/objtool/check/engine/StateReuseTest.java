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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine reuses its states (one per depth of the walk's branches) instead of copying the
 * state at every branch: a path taken still starts from a copy of its branch's state, the path
 * not taken goes on with its own, unchanged by what the other did.
 */
class StateReuseTest {
  @TempDir Path dir;

  /**
   * Three branches at the same depth; each taken path pops %rbx and returns, changing its state;
   * the path not taken pops later. Were a taken path's state the caller's, the next pop would
   * find the stack already popped.
   */
  private static final String SOURCE = String.join("\n",
      "\t.text", "\t.globl f", "\t.type f, @function", "f:",
      "\tpush %rbx",
      "\ttest %rdi, %rdi", "\tje 1f",
      "\ttest %rsi, %rsi", "\tje 2f",
      "\ttest %rdx, %rdx", "\tje 3f",
      "\tpop %rbx", "\tret",
      "1:\tpop %rbx", "\tret",
      "2:\tpop %rbx", "\tret",
      "3:\tpop %rbx", "\tret",
      "\t.size f, .-f", "");

  /** Records the CFA offset each instruction starts with, and which state objects it was given. */
  private static final class Recording implements Pass {
    final TreeMap<Long, Integer> cfaAt = new TreeMap<>();
    final Set<InsnState> states = Collections.newSetFromMap(new IdentityHashMap<>());

    @Override public String option() { return "recording"; }
    @Override public boolean needsWalk() { return false; }

    @Override
    public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
      return new BranchVisitor(BranchVisitor.API_1, next) {
        @Override public void visitInsnStart(Func func, Instruction insn, InsnState state) {
          Integer before = cfaAt.put(insn.offset(), state.cfi().cfaOffset());
          assertTrue(before == null, "each instruction reached once");
          states.add(state);
          super.visitInsnStart(func, insn, state);
        }
      };
    }
  }

  @Test
  void branchesStartFromACopyAndLeaveTheirCallersStateAlone() throws Exception {
    Path obj = TraceFixtures.compile("r.s", SOURCE, dir);
    Options opts = Options.of(obj, "stackval");
    Recording r = new Recording();
    Diagnostics diag = new Diagnostics(obj.toString(), false);
    try (ElfFile elf = ElfFile.open(obj)) {
      ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
      List<Pass> passes = Checker.enabledPasses(opts, getClass().getClassLoader());
      passes.add(r);
      new Checker(file, passes).run();
    }
    assertEquals(List.of(), diag.warnings().stream().map(w -> w.line()).toList());
    // push (8); test, je, test, je, test, je, pop (16); ret (8); then each taken path: pop (16), ret (8)
    assertEquals(List.of(8, 16, 16, 16, 16, 16, 16, 16, 8, 16, 8, 16, 8, 16, 8), List.copyOf(r.cfaAt.values()));
    // the path of f and one state for the three branches at depth 1, not one per branch
    assertEquals(2, r.states.size(), "states given to the visitors");
  }
}
