package io.objtool.cli;

import io.objtool.api.Options;
import io.objtool.cli.explain.Explainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --explain=DIR} (or {@code --explain DIR}) on the command line: an extension the
 * reference does not have, so it is taken out of the arguments before the reference's option
 * parser sees them (its usage text and messages stay the reference's). The directory and the
 * {@code dot} executable are checked before the object is opened, each problem one line with exit
 * status 1; the check then learns of the option through two keys of the run's environment map
 * ({@link Explainer#DIR_KEY}, {@link Explainer#DOT_KEY}). Without the option nothing else runs.
 *
 * @param dir the directory as given, or null when the option lacks its value
 * @param rest the arguments without the option
 */
record ExplainOption(String dir, List<String> rest) {
  private static final String EQ = Explainer.OPTION + "=";

  /** Whether {@code args} ask for {@code --explain} (before a {@code --}). */
  static boolean given(List<String> args) {
    for (String a : args) {
      if (a.equals("--")) return false;
      if (a.equals(Explainer.OPTION) || a.startsWith(EQ)) return true;
    }
    return false;
  }

  /** Takes every {@code --explain} out of {@code args}; the last one's directory counts. */
  static ExplainOption extract(List<String> args) {
    List<String> rest = new ArrayList<>(args.size());
    String dir = null;
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (options && a.equals("--")) options = false;
      if (options && a.startsWith(EQ)) {
        dir = a.substring(EQ.length());
      } else if (options && a.equals(Explainer.OPTION)) {
        dir = i + 1 < args.size() ? args.get(++i) : null;
      } else {
        rest.add(a);
      }
    }
    return new ExplainOption(dir, rest);
  }

  /** The one-line problem that stops the run (no directory, a bad one, no {@code dot}), or null. */
  String check(RunContext ctx) {
    if (dir == null || dir.isEmpty()) return "--explain needs a directory (--explain=DIR)";
    if (io.objtool.cli.explain.Graphviz.find(ctx.env()) == null) {
      return "--explain needs Graphviz's dot on PATH to lay out the graphs (Debian: apt-get install graphviz)";
    }
    return Explainer.checkDir(ctx.resolve(dir));
  }

  /** {@code env} with the keys that tell the check where the pages go and which dot (on {@code ctx}'s PATH) lays them out. */
  Map<String, String> environment(Map<String, String> env, RunContext ctx) {
    Map<String, String> m = new HashMap<>(env);
    m.put(Explainer.DIR_KEY, dir);
    m.put(Explainer.DOT_KEY, io.objtool.cli.explain.Graphviz.find(ctx.env()).toString());
    return m;
  }

  /** The page writer for a run whose options carry {@code --explain}, or null. */
  static Explainer explainer(Options opts, RunContext ctx) {
    String dir = opts.env(Explainer.DIR_KEY);
    if (dir == null) return null;
    return new Explainer(ctx.resolve(dir), Path.of(opts.env(Explainer.DOT_KEY)), opts.objectFile().toString(),
        ctx.cwd(), ctx.env(), ToolInfo::ruleHelpUri);
  }
}
