package io.objtool.check.trace;

import io.objtool.api.BranchVisitor;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Warning;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --trace} recorded in one check: the traced walks in the order they ran, the path of
 * each warning reported on one of them, and the warnings about traced functions reported outside
 * any walk (unreachable code, checks made before the walk), which {@link #complete} adds.
 */
public final class Traces {
  private final Glob glob;
  private final List<Trace> walks = new ArrayList<>();
  private final Map<Integer, Trace.Path> paths = new HashMap<>();
  private final List<Warning> outside = new ArrayList<>();
  private final List<Integer> outsideIndex = new ArrayList<>();
  private boolean completed;
  /** The object's architecture, for register names (x86-64's until {@link #complete}). */
  private io.objtool.api.arch.Arch arch;

  /** The traces of the functions {@code glob} matches. */
  public Traces(Glob glob) {
    this.glob = glob;
  }

  /** The object's architecture (null before {@link #complete}): how its registers are named. */
  public io.objtool.api.arch.Arch arch() {
    return arch;
  }

  /** The pattern. */
  public Glob glob() {
    return glob;
  }

  Trace begin(Func func, Instruction start, BranchVisitor.PathStep how) {
    Trace t = new Trace(func, start, how);
    walks.add(t);
    return t;
  }

  void path(int warningIndex, Trace.Path path) {
    paths.put(warningIndex, path);
  }

  /**
   * Takes note of the check's warnings that a traced walk did not report but that are about a
   * traced function (by the function the warning names) or about no function (the object, a
   * section): they end the trace as warnings no path leads to. Called once, after the check.
   */
  public void complete(ObjtoolFile file) {
    if (completed) return;
    completed = true;
    arch = file.arch();
    List<Warning> ws = file.diag().warnings();
    for (int i = 0; i < ws.size(); i++) {
      if (paths.containsKey(i)) continue;
      Warning w = ws.get(i);
      String named = w.function() != null ? w.function() : functionNamed(file, w);
      // about a traced function, or about no function at all (the object, a section: those
      // concern every function, as a problem that stops the check before the walk does)
      if (named == null || glob.matches(named)) {
        outside.add(w);
        outsideIndex.add(i);
      }
    }
  }

  /** The function a location-less warning is about ("f() ..."), when it names one. */
  private static String functionNamed(ObjtoolFile file, Warning w) {
    int p = w.message().indexOf("()");
    if (w.function() != null || p <= 0 || w.message().substring(0, p).contains(" ")) return null;
    return w.message().substring(0, p);
  }

  /** The traced walks, in the order they ran. */
  public List<Trace> walks() {
    return Collections.unmodifiableList(walks);
  }

  /** The path that led to the check's {@code index}-th warning, or null when no traced walk reported it. */
  public Trace.Path path(int index) {
    return paths.get(index);
  }

  /** Whether the {@code index}-th warning is about a traced function (reported on a traced walk or outside any). */
  public boolean traced(int index) {
    return paths.containsKey(index) || outsideIndex.contains(index);
  }

  /** The warnings about traced functions reported outside the walks, in the check's order. */
  public List<Warning> outside() {
    return Collections.unmodifiableList(outside);
  }

  /** Every instruction in the traces (for the disassembly). */
  public List<Instruction> instructions() {
    List<Instruction> out = new ArrayList<>();
    for (Trace t : walks) for (Trace.Step st : t.steps) if (st.insn() != null) out.add(st.insn());
    return out;
  }
}
