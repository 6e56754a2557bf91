package io.objtool.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Passes from other jars: every {@link io.objtool.api.Pass} on the class path whose option is not
 * one of the reference's becomes an action of its own ({@code --OPTION}), listed in {@code --help}
 * after the reference's actions. {@code bin/objtool} puts the jars named by
 * {@code OBJTOOL_PLUGINS} (a colon-separated list of jars or directories of jars) on the class path.
 */
final class Plugins {
  private Plugins() {}

  /** A plug-in action: its option (without dashes) and its help line. */
  record Action(String option, String help) {}

  /** Options of the reference and of the built-in passes: never plug-in actions. */
  static Set<String> builtIn() {
    Set<String> s = new java.util.HashSet<>();
    for (OptionSpec o : CommandLine.TABLE) if (o.longName() != null) s.add(o.longName());
    return s;
  }

  static List<Action> discover(io.objtool.check.PassProviders passes) {
    Set<String> builtIn = builtIn();
    List<Action> out = new ArrayList<>();
    for (io.objtool.api.Pass p : passes.create()) {
      if (builtIn.contains(p.option())) continue;
      if (!p.option().matches("[a-z][a-z0-9-]*")) continue; // not a usable long option
      out.add(new Action(p.option(), p.help()));
    }
    out.sort(java.util.Comparator.comparing(Action::option));
    return out;
  }
}
