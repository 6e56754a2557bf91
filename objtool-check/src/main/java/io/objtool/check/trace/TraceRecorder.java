package io.objtool.check.trace;

import io.objtool.api.AltGroup;
import io.objtool.api.Alternative;
import io.objtool.api.BranchVisitor;
import io.objtool.api.CfiState;
import io.objtool.api.Diagnostics;
import io.objtool.api.Func;
import io.objtool.api.InsnState;
import io.objtool.api.Insns;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.internal.Cfi;
import io.objtool.api.internal.Model;
import io.objtool.check.engine.Engine;
import io.objtool.elf.Section;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder of {@code --trace}: a visitor of API 3 at the head of the chain that records, for
 * each walk whose function matches the pattern, every event of the engine as a {@link Trace.Step}
 * with a copy of the state, and, for each warning the passes behind it report on such a walk, the
 * path that led there. It delegates every call unchanged and sees each answer, so a warning is
 * noticed however a pass reports it; walks of other functions cost one test per call.
 *
 * <p>The path is kept as the walk goes: each instruction is appended; a jump taken or an
 * alternative entered marks the path's length, and the walk coming back to it (a jump not taken,
 * an alternative left) cuts the path back to the mark.
 */
public final class TraceRecorder extends BranchVisitor {
  private final Diagnostics diag;
  private final Glob glob;
  private final Traces out;
  private final Cfi funcEntry;

  /** The trace of the current walk, or null when it is not traced. */
  private Trace cur;
  /** The instruction reached whose step is not recorded yet (its state after comes later). */
  private Instruction pending;
  /** The current path: indexes into {@code cur.steps} of instruction steps. */
  private int[] path = new int[64];
  private int pathLen;
  /** The open branches and alternatives: the instruction (or alternative) and the path length when entered. */
  private final List<Object> frameKeys = new ArrayList<>();
  private int[] frameLens = new int[16];

  /**
   * A recorder of the walks of the functions {@code glob} matches, into {@code out}, in front of
   * {@code next}.
   */
  public TraceRecorder(ObjtoolFile file, Glob glob, Traces out, BranchVisitor next) {
    super(API_3, next);
    this.diag = file.diag();
    this.glob = glob;
    this.out = out;
    this.funcEntry = new Cfi(file.arch().initialFunctionCfi().regs().size());
    Engine.funcState(funcEntry, file.arch().initialFunctionCfi());
  }

  private static Cfi copy(InsnState state) {
    return new Cfi(Model.cfi(state));
  }

  private static Cfi copy(Cfi c) {
    return c == null ? null : new Cfi(c);
  }

  private void add(Trace.Kind kind, Instruction insn, CfiState state, CfiState expected, Alternative alt, int altIndex, String text) {
    cur.steps.add(new Trace.Step(kind, insn, frameKeys.size(), state, expected, alt, altIndex, text, null, -1));
  }

  /** Records the pending instruction, its walk stopped with {@code state} before its stack operations. */
  private void flush(InsnState state) {
    if (pending == null) return;
    Instruction insn = pending;
    pending = null;
    addInsn(Trace.Kind.INSN_STOPPED, insn, copy(state));
  }

  private void addInsn(Trace.Kind kind, Instruction insn, Cfi state) {
    int idx = cur.steps.size();
    add(kind, insn, state, null, null, 0, null);
    if (pathLen > 0 && java.util.Objects.equals(cur.steps.get(path[pathLen - 1]).insn(), insn)) {
      path[pathLen - 1] = idx; // the instruction again, after its alternatives
      return;
    }
    if (pathLen == path.length) path = java.util.Arrays.copyOf(path, pathLen * 2);
    path[pathLen++] = idx;
  }

  private void open(Object key) {
    if (frameKeys.size() == frameLens.length) frameLens = java.util.Arrays.copyOf(frameLens, frameLens.length * 2);
    frameLens[frameKeys.size()] = pathLen;
    frameKeys.add(key);
  }

  /** Closes the frames opened since {@code key} was (it included): the walk is back there. */
  private void close(Object key) {
    for (int i = frameKeys.size() - 1; i >= 0; i--) {
      if (frameKeys.get(i) == key) {
        pathLen = frameLens[i];
        frameKeys.subList(i, frameKeys.size()).clear();
        return;
      }
    }
  }

  /** After a delegated call: records the warnings it reported, if any. */
  private boolean after(int before, boolean ended, Instruction insn, InsnState state, CfiState here, CfiState expected) {
    if (cur == null || diag.count() == before) return ended;
    flush(state);
    List<io.objtool.api.Warning> ws = diag.warnings();
    CfiState st = here != null ? here : state == null ? null : copy(state);
    if (expected != null && expected.equals(st)) expected = null; // only a state that disagrees is shown
    for (int i = before; i < ws.size(); i++) {
      cur.steps.add(new Trace.Step(Trace.Kind.WARNING, insn, frameKeys.size(), st, expected, null, 0, null, ws.get(i), i));
      List<Trace.Step> p = new ArrayList<>(pathLen);
      for (int k = 0; k < pathLen; k++) p.add(cur.steps.get(path[k]));
      // a warning where paths meet (or in the next function) is at an instruction this path did not walk
      if (insn != null && (p.isEmpty() || !insn.equals(p.getLast().insn()))) {
        p.add(new Trace.Step(Trace.Kind.INSN_STOPPED, insn, frameKeys.size(), st, null, null, 0, null, null, -1));
      }
      out.path(i, new Trace.Path(cur.func() == null ? null : cur.func().name(), List.copyOf(p)));
    }
    return ended;
  }

  @Override
  public void visitStart(Section sec, Func func, InsnState state) {
    cur = null;
    super.visitStart(sec, func, state);
  }

  @Override
  public void visitWalkStart(Func func, Instruction insn, PathStep how, InsnState state) {
    pending = null;
    pathLen = 0;
    frameKeys.clear();
    cur = func != null && glob.matches(func.name()) ? out.begin(func, insn, how) : null;
    super.visitWalkStart(func, insn, how, state);
  }

  @Override
  public void visitInsnStart(Func func, Instruction insn, InsnState state) {
    if (cur != null) {
      flush(state);
      pending = insn;
    }
    int before = diag.count();
    super.visitInsnStart(func, insn, state);
    after(before, false, insn, state, null, null);
  }

  @Override
  public void visitInsnEnd(Func func, Instruction insn, InsnState state) {
    if (cur != null) {
      if (!java.util.Objects.equals(pending, insn)) flush(state);
      pending = null;
      addInsn(Trace.Kind.INSN, insn, copy(state));
    }
    super.visitInsnEnd(func, insn, state);
  }

  @Override
  public void visitBranchTaken(Func func, Instruction insn, InsnState state) {
    if (cur != null) {
      flush(state);
      add(Trace.Kind.BRANCH_TAKEN, insn, null, null, null, 0, null);
      open(insn);
    }
    super.visitBranchTaken(func, insn, state);
  }

  @Override
  public void visitBranchNotTaken(Func func, Instruction insn, InsnState state) {
    if (cur != null) {
      flush(state);
      close(insn);
      add(Trace.Kind.BRANCH_NOT_TAKEN, insn, copy(state), null, null, 0, null);
    }
    super.visitBranchNotTaken(func, insn, state);
  }

  private static int altIndex(Instruction insn, Alternative alt) {
    int i = 1;
    for (Alternative a = insn.alts(); a != null && a != alt; a = a.next()) i++;
    return i;
  }

  @Override
  public void visitAltEnter(Func func, Instruction insn, Alternative alt, InsnState state) {
    if (cur != null) {
      flush(state);
      add(Trace.Kind.ALT_ENTER, insn, copy(state), null, alt, altIndex(insn, alt), null);
      open(alt);
    }
    super.visitAltEnter(func, insn, alt, state);
  }

  @Override
  public void visitAltLeave(Func func, Instruction insn, Alternative alt, InsnState state) {
    if (cur != null) {
      flush(state);
      close(alt);
      add(Trace.Kind.ALT_LEAVE, insn, null, null, alt, altIndex(insn, alt), null);
    }
    super.visitAltLeave(func, insn, alt, state);
  }

  @Override
  public void visitMerge(Func func, Instruction insn, Insns.CfiMismatch mismatch, InsnState state) {
    if (cur != null) {
      flush(state);
      add(Trace.Kind.MERGE, insn, copy(state), insn.hint() ? null : copy(Model.cfi(insn)), null, 0,
          mismatch == null ? null : mismatch.message());
    }
    super.visitMerge(func, insn, mismatch, state);
  }

  @Override
  public void visitHintApplied(Func func, Instruction insn, InsnState state) {
    if (cur != null) add(Trace.Kind.HINT, insn, copy(state), null, null, 0, null);
    super.visitHintApplied(func, insn, state);
  }

  @Override
  public boolean visitInsn(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitInsn(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitStackOp(Instruction insn, int op, InsnState state) {
    int before = diag.count();
    return after(before, super.visitStackOp(insn, op, state), insn, state, null, null);
  }

  @Override
  public boolean visitCall(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitCall(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitSiblingCall(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitSiblingCall(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitReturn(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitReturn(func, insn, state), insn, state, null, func == null ? null : funcEntry);
  }

  @Override
  public boolean visitUnsizedFunc(Func func) {
    cur = null; // before any walk of func: its warning is one outside a walk (Traces#complete)
    int before = diag.count();
    return after(before, super.visitUnsizedFunc(func), null, null, null, null);
  }

  @Override
  public boolean visitCfiMismatch(Func func, Instruction insn, Insns.CfiMismatch mismatch, InsnState state) {
    int before = diag.count();
    return after(before, super.visitCfiMismatch(func, insn, mismatch, state), insn, state, null, copy(Model.cfi(insn)));
  }

  @Override
  public boolean visitAltCfiConflict(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    Cfi other = null;
    AltGroup g = insn.altGroup();
    if (g != null) {
      int off = (int) (insn.offset() - g.firstInsn().offset());
      Cfi[] a = Model.altCfi(g);
      if (off >= 0 && off < a.length) other = copy(a[off]);
    }
    return after(before, super.visitAltCfiConflict(func, insn, state), insn, state, copy(Model.cfi(insn)), other);
  }

  @Override
  public boolean visitFallThrough(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitFallThrough(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitRestoreWithoutSave(Func func, Instruction insn, Instruction save, InsnState state) {
    int before = diag.count();
    return after(before, super.visitRestoreWithoutSave(func, insn, save, state), insn, state, null, null);
  }

  @Override
  public boolean visitContextSwitch(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitContextSwitch(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitEndOfSection(Func func, Instruction insn, InsnState state) {
    int before = diag.count();
    return after(before, super.visitEndOfSection(func, insn, state), insn, state, null, null);
  }

  @Override
  public boolean visitUnsupportedStackOp(Instruction insn, int op, StackOpProblem problem, InsnState state) {
    int before = diag.count();
    return after(before, super.visitUnsupportedStackOp(insn, op, problem, state), insn, state, null, null);
  }
}
