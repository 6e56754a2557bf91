package io.objtool.cli;

/** Parsing stopped: print {@link #text()} to stderr and exit with {@link #exitCode()}. */
final class UsageExit extends Exception {
  private static final long serialVersionUID = 1L;
  static final int USAGE_EXIT = 129;

  private final String text;
  private final int exitCode;

  UsageExit(String text) {
    this(text, USAGE_EXIT);
  }

  UsageExit(String text, int exitCode) {
    super(null, null, false, false);
    this.text = text;
    this.exitCode = exitCode;
  }

  String text() { return text; }

  int exitCode() { return exitCode; }
}
