package io.objtool.check.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.UnwindHint;
import io.objtool.api.arch.CfiRegs;
import io.objtool.check.TraceFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder's steps and paths on small functions: branches, paths meeting, alternatives, hints. */
class TraceRecorderTest {
  @TempDir Path dir;

  private static String func(String name, String body) {
    return "\t.text\n\t.globl " + name + "\n\t.type " + name + ", @function\n" + name + ":\n" + body + "\t.size " + name + ", .-" + name + "\n";
  }

  private TraceFixtures.Run run(String source, String glob) throws Exception {
    return TraceFixtures.runSource("t.s", source, List.of("--stackval"), glob, dir);
  }

  /** Kind and location of each step: "INSN f+0x0", "BRANCH_TAKEN f+0x3" ... */
  private static List<String> shape(Trace t) {
    return t.steps().stream().map(s -> s.kind() + " " + TraceText.where(s.insn())).collect(Collectors.toList());
  }

  private static List<String> where(Trace.Path p) {
    return p.steps().stream().map(s -> TraceText.where(s.insn())).toList();
  }

  @Test
  void branchTakenThenNotTakenAndPathsMeetingInAgreement() throws Exception {
    TraceFixtures.Run r = run(func("f", "\ttest %rdi, %rdi\n\tje 1f\n\tnop\n1:\tret\n"), "f");
    assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    assertEquals(1, r.traces().walks().size());
    Trace t = r.traces().walks().getFirst();
    assertEquals(List.of("INSN f+0x0", "INSN f+0x3", "BRANCH_TAKEN f+0x3", "INSN f+0x6", "BRANCH_NOT_TAKEN f+0x3",
        "INSN f+0x5", "MERGE f+0x6"), shape(t));
    Trace.Step taken = t.steps().get(2), target = t.steps().get(3), merge = t.steps().get(6);
    assertEquals(0, taken.depth());
    assertEquals(1, target.depth(), "the jump's path is one level deeper");
    assertEquals(0, t.steps().get(5).depth(), "the walk is back after the jump not taken");
    assertNull(merge.text(), "the states agree");
    assertEquals(merge.state(), merge.expected());
    assertTrue(r.text().contains("== f+0x6: paths meet, states agree: cfa=rsp+8"), r.text());
    assertTrue(r.text().contains("-> f+0x3: jump taken to f+0x6"), r.text());
    assertTrue(r.text().contains("<- f+0x3: jump not taken"), r.text());
  }

  @Test
  void thePathToAWarningLeavesOutTheBranchesWalkedBefore() throws Exception {
    TraceFixtures.Run r = run(func("g", "\ttest %rdi, %rdi\n\tje 1f\n\tpush %rbx\n\tret\n1:\tret\n"), "g");
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().getFirst().message().contains("return with modified stack frame"));
    Trace.Path p = r.traces().path(0);
    assertEquals(List.of("g+0x0", "g+0x3", "g+0x5", "g+0x6"), where(p), "test, je (not taken), push, ret");
    Trace.Step ret = p.steps().getLast();
    assertEquals(CfiRegs.SP, ret.state().cfaBase());
    assertEquals(16, ret.state().cfaOffset());
    assertEquals(CfiRegs.CFA, ret.state().regBase(CfiRegs.RBX));
    Trace.Step w = r.traces().walks().getFirst().steps().getLast();
    assertEquals(Trace.Kind.WARNING, w.kind());
    assertEquals(8, w.expected().cfaOffset(), "the state that disagrees: the function's entry");
    assertTrue(r.text().strip().endsWith("state expected: cfa=rsp+8"), r.text());
  }

  @Test
  void pathsMeetingWithDifferentStatesEndTheTraceWithBoth() throws Exception {
    TraceFixtures.Run r = run(func("m", "\ttest %rdi, %rdi\n\tje 1f\n\tpush %rbp\n\tjmp 1f\n1:\tret\n"), "m");
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    Trace t = r.traces().walks().getFirst();
    Trace.Step merge = t.steps().stream().filter(s -> s.kind() == Trace.Kind.MERGE && s.text() != null).findFirst().orElseThrow();
    assertEquals(16, merge.state().cfaOffset(), "this path pushed %rbp");
    assertEquals(8, merge.expected().cfaOffset(), "the path walked before did not");
    assertTrue(merge.text().startsWith("stack state mismatch"), merge.text());
    Trace.Step w = t.steps().getLast();
    assertEquals(Trace.Kind.WARNING, w.kind());
    assertEquals(0, w.warningIndex());
    assertEquals(16, w.state().cfaOffset());
    assertEquals(8, w.expected().cfaOffset());
    // the path: test, je (not taken), push, jmp, and the instruction where they meet
    assertEquals(List.of("m+0x0", "m+0x3", "m+0x5", "m+0x6", "m+0x8"), where(r.traces().path(0)));
    assertTrue(r.text().contains("!= m+0x8: paths meet, states differ"), r.text());
  }

  @Test
  void alternativesAreEnteredAndLeftAndLeaveThePath() throws Exception {
    TraceFixtures.Run r = TraceFixtures.run("alternatives.s", "alt_conflict", dir);
    Trace t = r.traces().walks().getFirst();
    List<Trace.Step> steps = t.steps();
    Trace.Step enter = steps.stream().filter(s -> s.kind() == Trace.Kind.ALT_ENTER).findFirst().orElseThrow();
    Trace.Step leave = steps.stream().filter(s -> s.kind() == Trace.Kind.ALT_LEAVE).findFirst().orElseThrow();
    assertEquals(1, enter.altIndex());
    assertEquals(".altinstr_replacement", enter.alt().insn().section().name());
    assertEquals(8, enter.state().cfaOffset(), "an alternative starts with the state before the original");
    assertTrue(steps.indexOf(enter) < steps.indexOf(leave));
    for (Trace.Step s : steps.subList(steps.indexOf(enter) + 1, steps.indexOf(leave))) {
      assertEquals(1, s.depth(), "inside the alternative: " + s);
    }
    Trace.Path p = r.traces().path(0);
    assertNotNull(p);
    for (Trace.Step s : p.steps()) {
      assertEquals(".text", s.insn().section().name(), "the alternative's path was left before the warning: " + where(p));
    }
    Trace.Step w = steps.getLast();
    assertEquals(Trace.Kind.WARNING, w.kind());
    assertEquals(16, w.state().cfaOffset(), "the original pushed");
    assertEquals(8, w.expected().cfaOffset(), "the replacement did not");
    assertTrue(r.text().contains("alternative 1 entered at"), r.text());
    assertTrue(r.text().contains("alternative 1 left"), r.text());
  }

  @Test
  void unwindHintsAppliedAreSteps() throws Exception {
    TraceFixtures.Run r = TraceFixtures.run("hints.s", "entry_like", dir);
    Trace t = r.traces().walks().getFirst();
    Trace.Step hint = t.steps().stream().filter(s -> s.kind() == Trace.Kind.HINT).findFirst().orElseThrow();
    assertEquals(UnwindHint.TYPE_REGS, hint.state().type());
    int i = t.steps().indexOf(hint);
    assertEquals(Trace.Kind.INSN, t.steps().get(i + 1).kind());
    assertTrue(java.util.Objects.equals(t.steps().get(i + 1).insn(), hint.insn()), "the hinted instruction comes right after");
    assertTrue(r.text().contains("unwind hint applied: cfa=rsp+16 stack_size=0 type=regs"), r.text());
  }

  @Test
  void onlyMatchingFunctionsAreTraced() throws Exception {
    String src = func("alpha", "\tret\n") + func("beta", "\tret\n") + func("gamma", "\tpush %rbx\n\tret\n");
    TraceFixtures.Run r = run(src, "[ab]*a");
    assertEquals(List.of("alpha", "beta"), r.traces().walks().stream().map(t -> t.func().name()).toList());
    assertFalse(r.traces().traced(0), "gamma's warning is not about a traced function");
    assertNull(r.traces().path(0));
    TraceFixtures.Run none = run(src, "delta");
    assertTrue(none.traces().walks().isEmpty());
    assertEquals("objtool: trace: no function walked matches 'delta'", none.text().strip());
  }

  @Test
  void globs() {
    assertTrue(Glob.of("f").matches("f"));
    assertFalse(Glob.of("f").matches("ff"));
    assertTrue(Glob.of("f*").matches("foo"));
    assertTrue(Glob.of("?oo").matches("foo"));
    assertFalse(Glob.of("?oo").matches("fooo"));
    assertTrue(Glob.of("[ab]x").matches("bx"));
    assertFalse(Glob.of("[!ab]x").matches("ax"));
    assertTrue(Glob.of("a.b").matches("a.b"));
    assertFalse(Glob.of("a.b").matches("axb"), "a dot is a dot");
    assertTrue(Glob.of("x[").matches("x["), "an unterminated set is itself");
  }
}
