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
 * Maps the actions of the command line to passes. Every action has a slot; a slot without an
 * implementation fails with "objtool: --X is not implemented yet". Implementations are plugged
 * in with {@link #with}.
 */
public final class Dispatcher {

  /** An action: the option that requests it, when it is requested, and its pass (or null). */
  public record Slot(String option, Predicate<Options> requested, Pass pass) { }

  /** The actions of objtool 6.12 in the order they run, none implemented. */
  public static final List<Slot> ACTIONS = List.of(
      new Slot("--hacks=jump_label", Options::hackJumpLabel, null),
      new Slot("--hacks=noinstr", Options::hackNoinstr, null),
      new Slot("--ibt", Options::ibt, null),
      new Slot("--mcount", Options::mcount, null),
      new Slot("--noinstr", Options::noinstr, null),
      new Slot("--orc", Options::orc, null),
      new Slot("--retpoline", Options::retpoline, null),
      new Slot("--rethunk", Options::rethunk, null),
      new Slot("--sls", Options::sls, null),
      new Slot("--stackval", Options::stackval, null),
      new Slot("--static-call", Options::staticCall, null),
      new Slot("--uaccess", Options::uaccess, null));

  /** The slot of {@code --dump}, run on its own. */
  public static final Slot DUMP = new Slot("--dump", Options::dumpOrc, null);

  private final List<Slot> actions;
  private final Slot dump;

  public Dispatcher(List<Slot> actions, Slot dump) {
    this.actions = List.copyOf(actions);
    this.dump = Objects.requireNonNull(dump);
  }

  /** The default dispatcher: every action unimplemented. */
  public static Dispatcher standard() {
    return new Dispatcher(ACTIONS, DUMP);
  }

  /** A copy in which the options named in {@code passes} run the given implementations. */
  public Dispatcher with(Map<String, Pass> passes) {
    List<Slot> next = new ArrayList<>();
    for (Slot s : actions) next.add(new Slot(s.option(), s.requested(), passes.getOrDefault(s.option(), s.pass())));
    Slot d = new Slot(dump.option(), dump.requested(), passes.getOrDefault(dump.option(), dump.pass()));
    return new Dispatcher(next, d);
  }

  /** Runs the requested actions; the result is the first non-zero status, or 0. */
  /** Adds one slot per plug-in action, run by {@code check} (the shared check). */
  public Dispatcher withPlugins(List<Plugins.Action> plugins, Pass check) {
    if (plugins.isEmpty() || check == null) return this;
    List<Slot> next = new ArrayList<>(actions);
    for (Plugins.Action a : plugins) next.add(new Slot("--" + a.option(), o -> o.has(a.option()), check));
    return new Dispatcher(next, dump);
  }

  int runActions(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    List<Slot> requested = actions.stream().filter(s -> s.requested().test(opts)).toList();
    boolean missing = false;
    for (Slot s : requested) {
      if (s.pass() == null) {
        err.println("objtool: " + s.option() + " is not implemented yet");
        missing = true;
      }
    }
    if (missing) return 1;
    int status = 0;
    // one pass may serve several actions (the shared check): run each once
    for (Pass p : requested.stream().map(Slot::pass).distinct().toList()) {
      int rc = p.run(opts, elf, out, err);
      if (status == 0) status = rc;
    }
    return status;
  }

  int runDump(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    if (dump.pass() == null) {
      err.println("objtool: " + dump.option() + " is not implemented yet");
      return 1;
    }
    return dump.pass().run(opts, elf, out, err);
  }
}
