package io.objtool.cli.explain;

import io.objtool.api.Alternative;
import io.objtool.api.BranchVisitor.PathStep;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control-flow graph of one function as the walk sees it, in basic blocks: the function's
 * instructions (its {@code .cold} part included) and the replacement instructions of its
 * alternatives, with the successors the engine follows (fall-through, jump destination, each
 * alternative). A block ends where control can go more than one way or where another path
 * joins; an instruction with alternatives and an unwind hint each start a block.
 */
final class FunctionGraph {
  /** How control gets from one instruction to the next. */
  enum Kind { FALL, JUMP, ALT }

  /** An edge between two instructions of the graph. */
  record Edge(Instruction from, Instruction to, Kind kind) { }

  /** A basic block: its instructions in order, and the alternative it belongs to (0 for the function's own code). */
  record Block(int id, List<Instruction> insns, int alternative) {
    Instruction first() { return insns.getFirst(); }
    Instruction last() { return insns.getLast(); }
  }

  final Func func;
  final List<Block> blocks = new ArrayList<>();
  final List<Edge> edges = new ArrayList<>();
  /** For each instruction with alternatives: the blocks that start its original group and each replacement. */
  final Map<Instruction, List<Block>> altSides = new LinkedHashMap<>();
  private final Map<Instruction, Block> blockOf = new HashMap<>();
  private final Map<Instruction, List<Edge>> succ = new HashMap<>();
  private final ObjtoolFile file;

  private FunctionGraph(ObjtoolFile file, Func func) {
    this.file = file;
    this.func = func;
  }

  /** The graph of {@code func} (the parent of a {@code .cold} part: the graph covers both). */
  static FunctionGraph of(ObjtoolFile file, Func func) {
    FunctionGraph g = new FunctionGraph(file, func);
    g.build();
    return g;
  }

  Block blockOf(Instruction insn) {
    return blockOf.get(insn);
  }

  boolean contains(Instruction insn) {
    return succ.containsKey(insn);
  }

  private boolean ours(Instruction insn) {
    Func f = insn.func();
    return f == null ? insn.sym() == null || !insn.sym().isFunction() : f.pfunc() == func;
  }

  private void build() {
    List<Instruction> order = new ArrayList<>();
    Map<Instruction, Integer> altNo = new HashMap<>();
    for (Instruction i : file.insns().funcInsns(func)) {
      order.add(i);
      succ.put(i, null);
    }
    if (order.isEmpty()) return; // not decoded (the check stopped before)
    // replacement code reached through the alternatives (it lives in another section)
    ArrayDeque<Instruction> work = new ArrayDeque<>();
    int alternatives = 0;
    for (int k = 0; k < order.size(); k++) {
      Instruction i = order.get(k);
      if (i.has(Instruction.IGNORE_ALTS) || i.alts() == null) continue;
      for (Alternative a = i.alts(); a != null; a = a.next()) {
        if (a.insn() == null || contains(a.insn()) || !ours(a.insn())) continue;
        alternatives++;
        work.push(a.insn());
        while (!work.isEmpty()) {
          Instruction x = work.pop();
          if (contains(x) || !ours(x)) continue;
          order.add(x);
          succ.put(x, null);
          altNo.put(x, alternatives);
          for (Edge e : successors(x)) work.push(e.to());
        }
      }
    }
    Map<Instruction, Integer> preds = new HashMap<>();
    for (Instruction i : order) {
      List<Edge> s = new ArrayList<>();
      for (Edge e : successors(i)) {
        if (!contains(e.to())) continue;
        s.add(e);
        preds.merge(e.to(), 1, Integer::sum);
      }
      succ.put(i, s);
    }
    Set<Instruction> leaders = new HashSet<>();
    Map<Instruction, Instruction> onlyPred = new HashMap<>();
    for (Instruction i : order) {
      for (Edge e : succ.get(i)) {
        if (succ.get(i).size() != 1 || e.kind() != Kind.FALL) leaders.add(e.to());
        else onlyPred.put(e.to(), i);
      }
    }
    for (Instruction i : order) {
      if (i.equals(order.getFirst()) || preds.getOrDefault(i, 0) != 1 || i.hint() || (i.alts() != null && !i.has(Instruction.IGNORE_ALTS))) {
        leaders.add(i);
      }
    }
    for (Instruction i : order) {
      if (!leaders.contains(i) && onlyPred.containsKey(i)) continue;
      List<Instruction> body = new ArrayList<>();
      Block b = new Block(blocks.size(), body, altNo.getOrDefault(i, 0));
      Instruction x = i;
      while (true) {
        body.add(x);
        blockOf.put(x, b);
        List<Edge> s = succ.get(x);
        if (s.size() != 1 || s.getFirst().kind() != Kind.FALL) break;
        Instruction n = s.getFirst().to();
        if (leaders.contains(n) || blockOf.containsKey(n)) break;
        x = n;
      }
      blocks.add(b);
    }
    for (Block b : blocks) {
      for (Edge e : succ.get(b.last())) edges.add(e);
      Instruction first = b.first();
      if (first.alts() != null && !first.has(Instruction.IGNORE_ALTS)) {
        List<Block> side = new ArrayList<>();
        side.add(b);
        for (Alternative a = first.alts(); a != null; a = a.next()) {
          Block ab = a.insn() == null ? null : blockOf(a.insn());
          if (ab != null && ab != b && !side.contains(ab)) side.add(ab);
        }
        if (side.size() > 1) altSides.put(first, side);
      }
    }
  }

  /** Where the walk goes from {@code x}, as the engine does (targets may lie outside the graph). */
  private List<Edge> successors(Instruction x) {
    List<Edge> out = new ArrayList<>(2);
    if (!x.has(Instruction.IGNORE_ALTS)) {
      for (Alternative a = x.alts(); a != null; a = a.next()) {
        if (a.insn() != null) out.add(new Edge(x, a.insn(), Kind.ALT));
      }
    }
    boolean falls = !x.deadEnd();
    switch (x.type()) {
      case RETURN, CONTEXT_SWITCH, SYSCALL, SYSRET, JUMP_DYNAMIC -> falls = false;
      case JUMP_CONDITIONAL, JUMP_UNCONDITIONAL -> {
        if (x.jumpDest() != null) out.add(new Edge(x, x.jumpDest(), Kind.JUMP));
        if (x.type() == io.objtool.api.arch.InsnType.JUMP_UNCONDITIONAL) falls = false;
      }
      default -> { }
    }
    if (falls) {
      Instruction n = file.insns().nextInsnToValidate(x);
      if (n != null) out.add(new Edge(x, n, Kind.FALL));
    }
    return out;
  }

  /**
   * The instructions of a warning's path, in walk order, from the start the engine reported
   * back to the warned instruction {@code end} (or as far as the steps lead when the path cannot
   * be followed inside this graph).
   */
  List<Instruction> path(List<PathRecorder.Step> steps, Instruction end) {
    List<Instruction> out = new ArrayList<>();
    if (steps.isEmpty()) return out;
    int budget = succ.size() * 2 + 16;
    Instruction at = steps.getLast().insn();
    for (int k = steps.size() - 2; k >= -1 && at != null; k--) {
      Instruction target = k >= 0 ? steps.get(k).insn() : end;
      at = straight(at, target, out, budget);
      if (at == null || k < 0) break;
      PathStep how = steps.get(k).how();
      Instruction after = k > 0 ? steps.get(k - 1).insn() : end;
      at = how == PathStep.BRANCH ? target.jumpDest() : how == PathStep.ALT ? altTowards(target, after) : target;
    }
    return out;
  }

  /** Appends the straight run from {@code from} to {@code to} (inclusive); returns {@code to}, or null when not reached. */
  private Instruction straight(Instruction from, Instruction to, List<Instruction> out, int budget) {
    Instruction x = from;
    for (int n = 0; x != null && n < budget; n++) {
      out.add(x);
      if (java.util.Objects.equals(x, to)) return to;
      x = file.insns().nextInsnToValidate(x);
    }
    return null;
  }

  /** The first instruction of the alternative of {@code orig} whose replacement leads to {@code next}. */
  private Instruction altTowards(Instruction orig, Instruction next) {
    Alternative first = orig.alts();
    for (Alternative a = first; a != null; a = a.next()) {
      Instruction x = a.insn();
      for (int n = 0; x != null && n < 64 && x.altGroup() != null && x.altGroup() == a.insn().altGroup(); n++) {
        if (java.util.Objects.equals(x, next)) return a.insn();
        x = file.insns().nextInsnSameSec(x);
      }
    }
    return first == null ? null : first.insn();
  }
}
