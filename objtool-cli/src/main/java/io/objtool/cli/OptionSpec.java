package io.objtool.cli;

/**
 * One row of an option table: a group heading, a flag, an integer or an option whose argument is
 * optional and handed to a callback. {@code shortName} is 0 when there is none.
 */
record OptionSpec(Kind kind, char shortName, String longName, String argHelp, String help,
    String key) {

  enum Kind { GROUP, FLAG, INTEGER, OPTIONAL_ARG }

  static OptionSpec group(String title) {
    return new OptionSpec(Kind.GROUP, '\0', null, null, title, null);
  }

  static OptionSpec flag(char shortName, String longName, String help) {
    return new OptionSpec(Kind.FLAG, shortName, longName, null, help, longName);
  }

  static OptionSpec integer(char shortName, String longName, String argHelp, String help) {
    return new OptionSpec(Kind.INTEGER, shortName, longName, argHelp, help, longName);
  }

  static OptionSpec optionalArg(char shortName, String longName, String argHelp, String help) {
    return new OptionSpec(Kind.OPTIONAL_ARG, shortName, longName, argHelp, help, longName);
  }

  boolean isGroup() { return kind == Kind.GROUP; }

  /** The option as one line (or two, when the left column is too wide) of a usage listing. */
  String usageLine() {
    StringBuilder sb = new StringBuilder("    ");
    if (shortName != 0) {
      sb.append('-').append(shortName);
      if (longName != null) sb.append(", ");
    } else {
      sb.append("    ");
    }
    if (longName != null) sb.append("--").append(longName);
    switch (kind) {
      case INTEGER -> sb.append(" <").append(argHelp).append('>');
      case OPTIONAL_ARG -> sb.append("[=<").append(argHelp).append(">]");
      default -> { }
    }
    final int width = 24;
    final int gap = 2;
    int used = sb.length();
    int pad;
    if (used <= width) {
      pad = width - used;
    } else {
      sb.append('\n');
      pad = width;
    }
    sb.repeat(' ', pad + gap).append(help).append('\n');
    return sb.toString();
  }
}
