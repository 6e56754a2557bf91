package io.objtool.cli;

import io.objtool.api.Options;

import io.objtool.elf.ElfFile;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Maps the actions of the command line to the passes that implement them. Every action of
 * objtool 6.12, and {@code --dump}, must have a pass: a dispatcher is only made whole.
 */
public final class Dispatcher {

  /** An action of the command line: the option that requests it, and when it is requested. */
  public record Action(String option, Predicate<Options> requested) { }

  /** An action and the pass that runs it. */
  record Slot(Action action, Pass pass) { }

  /** The actions of objtool 6.12 in the order they run. */
  public static final List<Action> ACTIONS = List.of(
      new Action("--hacks=jump_label", Options::hackJumpLabel),
      new Action("--hacks=noinstr", Options::hackNoinstr),
      new Action("--ibt", Options::ibt),
      new Action("--mcount", Options::mcount),
      new Action("--noinstr", Options::noinstr),
      new Action("--orc", Options::orc),
      new Action("--retpoline", Options::retpoline),
      new Action("--rethunk", Options::rethunk),
      new Action("--sls", Options::sls),
      new Action("--stackval", Options::stackval),
      new Action("--static-call", Options::staticCall),
      new Action("--uaccess", Options::uaccess));

  /** The option of the dump, which runs on its own. */
  public static final String DUMP = "--dump";

  private final List<Slot> actions;
  private final Pass dump;

  private Dispatcher(List<Slot> actions, Pass dump) {
    this.actions = List.copyOf(actions);
    this.dump = Objects.requireNonNull(dump);
  }

  /**
   * The dispatcher running {@code passes}, keyed by option ({@link #ACTIONS} and {@link #DUMP}).
   *
   * @throws IllegalStateException when an action has no pass (the build is incomplete: an
   *     internal error, never the user's)
   */
  public static Dispatcher of(Map<String, Pass> passes) {
    List<Slot> slots = new ArrayList<>();
    for (Action a : ACTIONS) slots.add(new Slot(a, required(passes, a.option())));
    return new Dispatcher(slots, required(passes, DUMP));
  }

  private static Pass required(Map<String, Pass> passes, String option) {
    Pass p = passes.get(option);
    if (p == null) throw new IllegalStateException("no pass implements " + option + " on the class path");
    return p;
  }

  /** Adds one action per plug-in, run by {@code check} (the shared check). */
  public Dispatcher withPlugins(List<Plugins.Action> plugins, Pass check) {
    if (plugins.isEmpty() || check == null) return this;
    List<Slot> next = new ArrayList<>(actions);
    for (Plugins.Action a : plugins) next.add(new Slot(new Action("--" + a.option(), o -> o.has(a.option())), check));
    return new Dispatcher(next, dump);
  }

  /** Runs the requested actions; the result is the first non-zero status, or 0. */
  int runActions(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    int status = 0;
    // one pass may serve several actions (the shared check): run each once
    for (Pass p : actions.stream().filter(s -> s.action().requested().test(opts)).map(Slot::pass).distinct().toList()) {
      int rc = p.run(opts, elf, out, err);
      if (status == 0) status = rc;
    }
    return status;
  }

  int runDump(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    return dump.run(opts, elf, out, err);
  }
}
