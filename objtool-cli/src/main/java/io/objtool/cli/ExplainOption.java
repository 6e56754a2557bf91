package io.objtool.cli;

import io.objtool.api.Options;
import io.objtool.cli.explain.Explainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --explain=DIR} (or {@code --explain DIR}) on the command line or in
 * {@code $OBJTOOL_ARGS} (as a kernel build passes options): an extension the
 * reference does not have, so it is taken out of the arguments before the reference's option
 * parser sees them (its usage text and messages stay the reference's). The directory and the
 * {@code dot} executable are checked before the object is opened, each problem one line with exit
 * status 1; the check then learns of the option through two keys of the run's environment map
 * ({@link Explainer#DIR_KEY}, {@link Explainer#DOT_KEY}). Without the option nothing else runs.
 *
 * @param dir the directory as given, or null when the option lacks its value
 * @param rest the arguments without the option
 * @param envArgs {@code $OBJTOOL_ARGS} without the option (null when unset or left empty)
 */
record ExplainOption(String dir, List<String> rest, String envArgs) {
  private static final String EQ = Explainer.OPTION + "=";

  /** Whether {@code args} (before a {@code --}) or {@code envArgs} ({@code $OBJTOOL_ARGS}, may be null) ask for {@code --explain}. */
  static boolean given(List<String> args, String envArgs) {
    if (envArgs != null && envArgs.contains(Explainer.OPTION) && given(words(envArgs))) return true;
    return given(args);
  }

  private static boolean given(List<String> args) {
    for (String a : args) {
      if (a.equals("--")) return false;
      if (a.equals(Explainer.OPTION) || a.startsWith(EQ)) return true;
    }
    return false;
  }

  /** {@code $OBJTOOL_ARGS} split as the option parser splits it: at each space. */
  private static List<String> words(String envArgs) {
    List<String> w = new ArrayList<>();
    for (String s : envArgs.split(" ")) if (!s.isEmpty()) w.add(s);
    return w;
  }

  /**
   * Takes every {@code --explain} out of {@code $OBJTOOL_ARGS} and {@code args} (parsed in that
   * order, as the reference's options are); the last one's directory counts.
   */
  static ExplainOption extract(List<String> args, String envArgs) {
    String[] dir = {null};
    String restEnv = null;
    if (envArgs != null) {
      restEnv = String.join(" ", take(words(envArgs), dir, false));
      if (restEnv.isEmpty()) restEnv = null;
    }
    List<String> rest = take(args, dir, true);
    return new ExplainOption(dir[0], rest, restEnv);
  }

  private static List<String> take(List<String> args, String[] dir, boolean dashDash) {
    List<String> rest = new ArrayList<>(args.size());
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (dashDash && options && a.equals("--")) options = false;
      if (options && a.startsWith(EQ)) {
        dir[0] = a.substring(EQ.length());
      } else if (options && a.equals(Explainer.OPTION)) {
        dir[0] = i + 1 < args.size() ? args.get(++i) : null;
      } else {
        rest.add(a);
      }
    }
    return rest;
  }

  /**
   * The reference's parse of {@code args} and {@code envArgs} with any {@code --explain} taken
   * out, for callers that look at a command line before a run does (the batch's check of its
   * flags, {@code OBJTOOL_FORMAT}'s object name); the run itself handles the option.
   */
  static Options parseWithout(List<String> args, String envArgs, List<Plugins.Action> plugins)
      throws UsageExit, CommandLine.Invalid {
    if (given(args, envArgs)) {
      ExplainOption ex = extract(args, envArgs);
      return CommandLine.parse(ex.rest(), ex.envArgs(), plugins);
    }
    return CommandLine.parse(args, envArgs, plugins);
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
    if (env.containsKey(CommandLine.ENV_VAR)) {
      if (envArgs == null) m.remove(CommandLine.ENV_VAR);
      else m.put(CommandLine.ENV_VAR, envArgs);
    }
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
