package io.objtool.check.annotate;

import io.objtool.api.Options;
import io.objtool.api.Pass;
import java.util.function.Predicate;

/**
 * The description every action pass of this package shares: its option and help line, the
 * flag of {@link Options} that enables it, its place in the order of passes, and whether it needs
 * the engine's walk. Subclasses implement only what they do.
 */
abstract class ActionPass implements Pass {
  private final String option;
  private final String help;
  private final Predicate<Options> enabled;
  private final int order;
  private final boolean needsWalk;

  ActionPass(String option, String help, Predicate<Options> enabled, int order, boolean needsWalk) {
    this.option = option;
    this.help = help;
    this.enabled = enabled;
    this.order = order;
    this.needsWalk = needsWalk;
  }

  @Override
  public final String option() {
    return option;
  }

  @Override
  public final String help() {
    return help;
  }

  @Override
  public final boolean enabled(Options options) {
    return enabled.test(options);
  }

  @Override
  public final int order() {
    return order;
  }

  @Override
  public final boolean needsWalk() {
    return needsWalk;
  }
}
