package io.objtool.cli;

import java.nio.file.Path;

/**
 * Everything the command line asked for, after parsing and before any object is opened.
 *
 * <p>The first group are the actions of {@code objtool check} (the hacks are split into their
 * three parts), then {@link #dumpOrc} for {@code --dump}, then the modifiers. {@link #prefix} is
 * the value of {@code --prefix} (0 when absent). {@link #objectFile} is the one positional
 * argument, exactly as given.
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
    Path objectFile) {

  /**
   * True when an action that the reference counts as one was requested. {@code --hacks=skylake},
   * {@code --cfi}, {@code --prefix}, {@code --unret} and {@code --dump} are not among them: on
   * their own they do not satisfy "At least one action required".
   */
  public boolean hasAction() {
    return hackJumpLabel || hackNoinstr || ibt || mcount || noinstr || orc || retpoline
        || rethunk || sls || stackval || staticCall || uaccess;
  }

  /** True when only the ORC dump was asked for (the object is read, never written). */
  public boolean isDump() {
    return dumpOrc && !hasAction();
  }

  /** A copy with {@link #link} replaced (the check forces it for objects linked from several files). */
  public Options withLink(boolean newLink) {
    return new Options(hackJumpLabel, hackNoinstr, hackSkylake, ibt, mcount, noinstr, orc,
        retpoline, rethunk, unret, sls, stackval, staticCall, uaccess, cfi, prefix, dumpOrc,
        verbose, backtrace, backup, dryRun, newLink, mnop, module, noUnreachable, secAddress,
        stats, objectFile);
  }
}
