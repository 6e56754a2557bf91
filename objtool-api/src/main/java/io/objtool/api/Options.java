package io.objtool.api;

import java.nio.file.Path;

/**
 * The parsed objtool command line: the actions (what to validate or generate) and the options,
 * exactly those of objtool 6.12. Passes read their flags here.
 */
public record Options(
    boolean hackJumpLabel,
    boolean hackNoinstr,
    boolean hackSkylake,
    boolean ibt,
    boolean mcount,
    boolean noinstr,
    boolean orc,
    boolean retpoline,
    boolean rethunk,
    boolean unret,
    boolean sls,
    boolean stackval,
    boolean staticCall,
    boolean uaccess,
    boolean cfi,
    int prefix,
    boolean dumpOrc,
    boolean verbose,
    boolean backtrace,
    boolean backup,
    boolean dryRun,
    boolean link,
    boolean mnop,
    boolean module,
    boolean noUnreachable,
    boolean secAddress,
    boolean stats,
    Path objectFile,
    java.util.Set<String> pluginActions) {

  public Options {
    pluginActions = pluginActions == null ? java.util.Set.of() : java.util.Set.copyOf(pluginActions);
  }

  /** The reference's options, without plug-in actions. */
  public Options(boolean hackJumpLabel, boolean hackNoinstr, boolean hackSkylake, boolean ibt,
      boolean mcount, boolean noinstr, boolean orc, boolean retpoline, boolean rethunk,
      boolean unret, boolean sls, boolean stackval, boolean staticCall, boolean uaccess,
      boolean cfi, int prefix, boolean dumpOrc, boolean verbose, boolean backtrace,
      boolean backup, boolean dryRun, boolean link, boolean mnop, boolean module,
      boolean noUnreachable, boolean secAddress, boolean stats, Path objectFile) {
    this(hackJumpLabel, hackNoinstr, hackSkylake, ibt, mcount, noinstr, orc, retpoline, rethunk,
        unret, sls, stackval, staticCall, uaccess, cfi, prefix, dumpOrc, verbose, backtrace,
        backup, dryRun, link, mnop, module, noUnreachable, secAddress, stats, objectFile, java.util.Set.of());
  }

  /** Whether the action of a plug-in pass ({@link Pass#option()}) was given on the command line. */
  public boolean has(String pluginAction) {
    return pluginActions.contains(pluginAction);
  }

  /** The same options with plug-in actions added. */
  public Options withPluginActions(java.util.Set<String> actions) {
    return new Options(hackJumpLabel, hackNoinstr, hackSkylake, ibt, mcount, noinstr, orc,
        retpoline, rethunk, unret, sls, stackval, staticCall, uaccess, cfi, prefix, dumpOrc,
        verbose, backtrace, backup, dryRun, link, mnop, module, noUnreachable, secAddress,
        stats, objectFile, actions);
  }

  /**
   * Options with only the given actions and {@code --link --module} style flags (and
   * {@code prefix=N}), for tools and tests.
   */
  public static Options of(Path file, String... flags) {
    java.util.Set<String> f = java.util.Set.of(flags);
    int prefix = 0;
    for (String x : flags) if (x.startsWith("prefix=")) prefix = Integer.parseInt(x.substring(7));
    return new Options(f.contains("hacks=jump_label"), f.contains("hacks=noinstr"), f.contains("hacks=skylake"),
        f.contains("ibt"), f.contains("mcount"), f.contains("noinstr"), f.contains("orc"), f.contains("retpoline"),
        f.contains("rethunk"), f.contains("unret"), f.contains("sls"), f.contains("stackval"),
        f.contains("static-call"), f.contains("uaccess"), f.contains("cfi"), prefix, f.contains("dump"),
        f.contains("verbose"), f.contains("backtrace"), f.contains("backup"), f.contains("dry-run"),
        f.contains("link"), f.contains("mnop"), f.contains("module"), f.contains("no-unreachable"),
        f.contains("sec-address"), f.contains("stats"), file, f);
  }

  /** At least one action (what the reference requires, besides --dump), or a plug-in action. */
  public boolean hasAction() {
    return hackJumpLabel || hackNoinstr || ibt || mcount || noinstr || orc || retpoline
        || rethunk || sls || stackval || staticCall || uaccess || !pluginActions.isEmpty();
  }

  /** {@code --dump} without other actions. */
  public boolean isDump() {
    return dumpOrc && !hasAction();
  }

  /** The same options with {@code --link} set as given. */
  public Options withLink(boolean newLink) {
    return new Options(hackJumpLabel, hackNoinstr, hackSkylake, ibt, mcount, noinstr, orc,
        retpoline, rethunk, unret, sls, stackval, staticCall, uaccess, cfi, prefix, dumpOrc,
        verbose, backtrace, backup, dryRun, newLink, mnop, module, noUnreachable, secAddress,
        stats, objectFile, pluginActions);
  }
}
