package io.objtool.check;

import io.objtool.api.internal.Model;
import io.objtool.api.BranchVisitor;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.check.cfg.Annotations;
import io.objtool.check.cfg.BugTable;
import io.objtool.check.cfg.CfgException;
import io.objtool.check.cfg.DeadEnds;
import io.objtool.check.cfg.Decode;
import io.objtool.check.cfg.Destinations;
import io.objtool.check.cfg.Funcs;
import io.objtool.check.cfg.JumpTables;
import io.objtool.check.cfg.SpecialAlts;
import io.objtool.check.engine.Engine;
import io.objtool.check.engine.Reachability;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The driver of a check: builds the CFG (decode, symbols, special sections, destinations, jump
 * tables), runs the engine's walk with the visitor chain of the enabled passes, reports
 * unreachable code, then lets each pass finish (e.g. generate ORC). A fatal CFG problem stops the
 * check after its warning, as the reference does, and nothing is written.
 */
public final class Checker {
  private final ObjtoolFile file;
  private final List<Pass> passes;
  private boolean failed;

  /** A check of {@code file} running {@code passes} (in their {@link Pass#order()}); the walk's stack validation comes from passes too ({@link #enabledPasses}). */
  public Checker(ObjtoolFile file, List<Pass> passes) {
    this.file = file;
    this.passes = new ArrayList<>(passes);
    this.passes.sort(Comparator.comparingInt(Pass::order));
  }

  /** Every pass on the class path (or module path) that the options enable. */
  public static List<Pass> enabledPasses(Options options, ClassLoader loader) {
    return enabledPasses(options, PassProviders.of(loader));
  }

  /** New instances of the passes in {@code providers} that the options enable. */
  public static List<Pass> enabledPasses(Options options, PassProviders providers) {
    List<Pass> out = new ArrayList<>();
    for (Pass p : providers.create()) if (p.enabled(options)) out.add(p);
    return out;
  }

  /** Whether the object could not be read (the tool then exits non-zero and writes nothing). */
  public boolean failed() {
    return failed;
  }

  /**
   * Runs the check in a thread with a stack deep enough for the recursive walk. Returns the warning
   * count. Whatever the check throws, an {@link Error} such as a {@link StackOverflowError} too, is
   * thrown again here, on the calling thread, for the caller to report as an internal error.
   */
  public int run() {
    int[] result = new int[1];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      try {
        result[0] = runHere();
      } catch (RuntimeException | Error e) {
        failure[0] = e;
      }
    }, "objtool-check", 1L << 30);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (failure[0] instanceof RuntimeException e) throw e;
    if (failure[0] instanceof Error e) throw e;
    return result[0];
  }

  /** The check on the calling thread. */
  public int runHere() {
    Options o = file.options();
    int warnings = 0;
    Stats stats = Stats.of(file); // the object as read
    try {
      Funcs.run(file);
      Decode.run(file);
      stats.nrInsns = file.nrInsns();
      if (file.nrInsns() == 0) return 0;
      Annotations.ignores(file);
      BugTable.run(file);
      Annotations.beforeDestinations(file);
      // the reference reads the special sections for the walk's actions and for the jump-label hack
      if (o.stackval() || o.orc() || o.uaccess() || o.noinstr() || o.hackJumpLabel()) {
        for (Pass p : passes) p.beforeSpecialAlts(file);
        SpecialAlts.run(file);
      }
      Destinations dest = new Destinations(file, new DeadEnds(file));
      dest.jumps();
      Annotations.intraFunctionCalls(file);
      dest.calls();
      JumpTables.run(file);
      Annotations.afterDestinations(file);
      for (Pass p : passes) warnings += p.beforeWalk(file);
      if (o.stackval() || o.orc() || o.uaccess() || pluginWalk()) {
        Engine engine = new Engine(file, chain());
        warnings += engine.validateFunctions();
        if (Annotations.hasHints(file)) warnings += engine.validateUnwindHints(null);
        if (warnings == 0) warnings += Reachability.run(file);
      } else if (o.noinstr()) {
        Engine engine = new Engine(file, chain());
        for (String name : new String[] {".noinstr.text", ".entry.text", ".cpuidle.text"}) {
          io.objtool.elf.Section sec = file.elf().section(name);
          if (sec == null || !file.insns().hasInstructions(sec)) continue;
          warnings += engine.validateSection(sec);
          if (Annotations.hasHints(file)) warnings += engine.validateUnwindHints(sec);
        }
      }
      stats.completed = true;
      for (Pass p : passes) p.finish(file, warnings);
    } catch (CfgException e) {
      Model.stopCheck(file);
      failed = e.exitFailure();
      return file.diag().count();
    }
    return warnings;
  }

  /** The actions of the reference objtool; any other enabled pass is a plug-in. */
  private static final java.util.Set<String> REFERENCE_ACTIONS = java.util.Set.of("hacks", "ibt", "mcount", "noinstr",
      "orc", "retpoline", "rethunk", "unret", "prefix", "sls", "stackval", "static-call", "uaccess", "cfi", "dump");

  /** A plug-in pass that takes part in the walk makes the check walk (as --stackval would). */
  private boolean pluginWalk() {
    for (Pass p : passes) if (!REFERENCE_ACTIONS.contains(p.option()) && p.needsWalk()) return true;
    return false;
  }

  /** The visitor chain: the passes' visitors in order, ending in one that does nothing. */
  private BranchVisitor chain() {
    BranchVisitor v = new BranchVisitor(BranchVisitor.API_1, null) {}; // API 1: asks for no walk events
    for (int i = passes.size() - 1; i >= 0; i--) v = passes.get(i).visitor(file, v);
    return v;
  }
}
