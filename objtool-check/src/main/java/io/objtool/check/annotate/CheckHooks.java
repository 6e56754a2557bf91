package io.objtool.check.annotate;

import io.objtool.api.ObjtoolFile;

/**
 * Points of the check, besides the walk and {@code finish}, where a pass of this package takes
 * part, at the place the reference does that work: rewrites made while the special sections are
 * read, and validations that run before the walk (their warnings come first, and count for
 * skipping the unreachable-code report).
 */
public interface CheckHooks {
  /** Before the alternatives, jump labels and exception tables are read. */
  default void beforeSpecialAlts(ObjtoolFile file) {}

  /** After the CFG is built, before the walk; returns the number of warnings. */
  default int beforeWalk(ObjtoolFile file) {
    return 0;
  }
}
