package io.objtool.cli;

import io.objtool.api.Options;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A command line parser that behaves like the option parser of the kernel's tools (the one
 * objtool, perf and friends share), down to its messages and quirks, as measured against the
 * reference binary:
 *
 * <ul>
 *   <li>long options may be abbreviated to any unique prefix; {@code --no-X} negates, and so do
 *       {@code --n} and {@code --no} on their own; an option whose name starts with {@code no-}
 *       is also reachable (negated) through the rest of its name;
 *   <li>short flags may be clustered ({@code -os}); {@code h} anywhere in a cluster and
 *       {@code --help} print help, filtered by the arguments that follow;
 *   <li>non-option arguments may appear anywhere; {@code --} ends option parsing;
 *   <li>usage errors exit with 129 and print the usage text to stderr.
 * </ul>
 */
final class OptionParser {

  /** Receives parsed values. */
  interface Sink {
    void flag(OptionSpec opt, boolean value);

    void integer(OptionSpec opt, int value);

    /** {@code value} is null when no {@code =value} was attached; false rejects the value. */
    boolean optionalArg(OptionSpec opt, String value, boolean unset);
  }

  private final List<OptionSpec> table;
  private final List<OptionSpec> sorted;
  private final String usage;

  OptionParser(List<OptionSpec> table, String usage) {
    this.table = List.copyOf(table);
    this.sorted = sortWithinGroups(this.table);
    this.usage = usage;
  }

  /** Parses all of {@code argv}; returns the non-option arguments in order. */
  List<String> parse(ArgVector argv, Sink sink) throws UsageExit {
    List<String> positional = new ArrayList<>();
    int i = 0;
    while (i < argv.size()) {
      String arg = argv.get(i);
      if (arg.length() < 2 || arg.charAt(0) != '-') {
        positional.add(arg);
        i++;
        continue;
      }
      if (arg.equals("--")) {
        positional.addAll(argv.from(i + 1));
        break;
      }
      if (arg.charAt(1) == '-') {
        i = parseLong(argv, i, sink);
      } else {
        i = parseCluster(argv, i, sink);
      }
    }
    return positional;
  }

  // ---- short options ------------------------------------------------------------------------

  private int parseCluster(ArgVector argv, int i, Sink sink) throws UsageExit {
    String arg = argv.get(i);
    for (int k = 1; k < arg.length(); k++) {
      char c = arg.charAt(k);
      if (c == 'h') {
        throw new UsageExit(help(argv, i + 1));
      }
      if (c == '-') {
        throw new UsageExit("  Error: unknown option `" + arg.substring(k + 1) + "'\n" + fullUsage());
      }
      OptionSpec opt = byShortName(c);
      if (opt == null) {
        throw new UsageExit("  Error: unknown switch `" + c + "'\n" + fullUsage());
      }
      // Every short option of the table is a flag; anything else would take the rest of the
      // cluster or the next argument as its value.
      switch (opt.kind()) {
        case FLAG -> sink.flag(opt, true);
        case OPTIONAL_ARG -> {
          String value = k + 1 < arg.length() ? arg.substring(k + 1) : null;
          if (!sink.optionalArg(opt, value, false)) throw new UsageExit(callbackFailure());
          return i + 1;
        }
        case INTEGER -> {
          String rest = arg.substring(k + 1);
          if (!rest.isEmpty()) {
            sink.integer(opt, parseInteger(opt, "switch `" + c + "'", rest, argv, i));
            return i + 1;
          }
          if (i + 1 >= argv.size()) {
            throw valueError("switch `" + c + "'", "requires a value", argv, -1);
          }
          sink.integer(opt, parseInteger(opt, "switch `" + c + "'", argv.get(i + 1), argv, -1));
          return i + 2;
        }
        default -> throw new IllegalStateException();
      }
    }
    return i + 1;
  }

  private OptionSpec byShortName(char c) {
    for (OptionSpec o : table) {
      if (!o.isGroup() && o.shortName() == c) return o;
    }
    return null;
  }

  // ---- long options -------------------------------------------------------------------------

  private record Candidate(OptionSpec opt, boolean unset) { }

  private int parseLong(ArgVector argv, int i, Sink sink) throws UsageExit {
    String body = argv.get(i).substring(2);
    int bodyOffset = argv.offset(i) + 2;
    if (body.equals("help")) {
      throw new UsageExit(help(argv, i + 1));
    }
    int eq = body.indexOf('=');
    String key = eq < 0 ? body : body.substring(0, eq);
    String attached = eq < 0 ? null : body.substring(eq + 1);

    Candidate previous = null;
    Candidate last = null;
    for (OptionSpec opt : table) {
      String name = opt.longName();
      if (opt.isGroup() || name == null) continue;
      String rest = afterName(body, name);
      if (rest != null) {
        return apply(argv, i, sink, opt, false, valueOf(rest), body, bodyOffset);
      }
      if (name.startsWith("no-")) {
        String base = name.substring(3);
        rest = afterName(body, base);
        if (rest != null) {
          return apply(argv, i, sink, opt, true, valueOf(rest), body, bodyOffset);
        }
        if (base.startsWith(body)) {
          previous = last;
          last = new Candidate(opt, true);
          continue;
        }
      }
      if (name.startsWith(key)) {
        previous = last;
        last = new Candidate(opt, false);
        continue;
      }
      if ("no-".startsWith(body)) {
        previous = last;
        last = new Candidate(opt, true);
        continue;
      }
      if (!body.startsWith("no-")) continue;
      String negated = body.substring(3);
      rest = afterName(negated, name);
      if (rest != null) {
        return apply(argv, i, sink, opt, true, valueOf(rest), body, bodyOffset);
      }
      if (name.startsWith(negated)) {
        previous = last;
        last = new Candidate(opt, true);
      }
    }
    if (previous != null) {
      String text = " Error: Ambiguous option: " + body + " (could be --"
          + (previous.unset() ? "no-" : "") + previous.opt().longName() + " or --"
          + (last.unset() ? "no-" : "") + last.opt().longName() + ")\n"
          + "\n Usage: " + usage + "\n\n" + matchingOptions(argv, bodyOffset);
      throw new UsageExit(text);
    }
    if (last != null) {
      String value = last.unset() ? null : attached;
      return apply(argv, i, sink, last.opt(), last.unset(), value, body, bodyOffset);
    }
    throw new UsageExit("  Error: unknown option `" + body + "'\n" + fullUsage());
  }

  /** What follows {@code name} in {@code text} when it is the whole text or ends at '='. */
  private static String afterName(String text, String name) {
    if (!text.startsWith(name)) return null;
    String rest = text.substring(name.length());
    return rest.isEmpty() || rest.charAt(0) == '=' ? rest : null;
  }

  private static String valueOf(String rest) {
    return rest.isEmpty() ? null : rest.substring(1);
  }

  private int apply(ArgVector argv, int i, Sink sink, OptionSpec opt, boolean unset, String value,
      String body, int bodyOffset) throws UsageExit {
    String what = "option `" + (unset ? "no-" : "") + opt.longName() + "'";
    switch (opt.kind()) {
      case FLAG -> {
        if (value != null) throw valueError(what, "takes no value", argv, bodyOffset);
        sink.flag(opt, !unset);
        return i + 1;
      }
      case INTEGER -> {
        if (unset) {
          if (value != null) throw valueError(what, "takes no value", argv, bodyOffset);
          sink.integer(opt, 0);
          return i + 1;
        }
        if (value != null) {
          sink.integer(opt, parseInteger(opt, what, value, argv, bodyOffset));
          return i + 1;
        }
        if (i + 1 >= argv.size()) throw valueError(what, "requires a value", argv, bodyOffset);
        sink.integer(opt, parseInteger(opt, what, argv.get(i + 1), argv, bodyOffset));
        return i + 2;
      }
      case OPTIONAL_ARG -> {
        if (unset && value != null) throw valueError(what, "takes no value", argv, bodyOffset);
        if (!sink.optionalArg(opt, value, unset)) throw new UsageExit(callbackFailure());
        return i + 1;
      }
      default -> throw new IllegalStateException("group in apply: " + body);
    }
  }

  private int parseInteger(OptionSpec opt, String what, String text, ArgVector argv, int bodyOffset)
      throws UsageExit {
    Long v = CNumbers.strtol10(text);
    if (v == null) throw valueError(what, "expects a numerical value", argv, bodyOffset);
    return (int) v.longValue();
  }

  private UsageExit valueError(String what, String problem, ArgVector argv, int bodyOffset) {
    String list = bodyOffset < 0 ? "" : matchingOptions(argv, bodyOffset);
    return new UsageExit(" Error: " + what + " " + problem + "\n Usage: " + usage + "\n\n" + list);
  }

  private String callbackFailure() {
    return "\n Usage: " + usage + "\n\n";
  }

  /**
   * The options listed after an error about the long option text at {@code bodyOffset}: those
   * whose name starts with the text, plus, when the text is a prefix of "no-", those whose name
   * starts with whatever lies three bytes further on.
   */
  private String matchingOptions(ArgVector argv, int bodyOffset) {
    String text = argv.cStringAt(bodyOffset);
    if (text == null) text = "";
    String beyond = "no-".startsWith(text) ? argv.cStringAt(bodyOffset + 3) : null;
    StringBuilder sb = new StringBuilder();
    for (OptionSpec opt : table) {
      if (opt.isGroup() || opt.longName() == null) continue;
      if (opt.longName().startsWith(text)) sb.append(opt.usageLine());
      if (beyond != null && opt.longName().startsWith(beyond)) sb.append(opt.usageLine());
    }
    return sb.toString();
  }

  // ---- help ---------------------------------------------------------------------------------

  /** The usage text printed for an unknown option, or for help without further arguments. */
  String fullUsage() {
    StringBuilder sb = new StringBuilder("\n Usage: ").append(usage).append('\n');
    for (OptionSpec opt : sorted) sb.append(entry(opt));
    return sb.append('\n').toString();
  }

  /** Help: everything, or only the entries that one of the arguments after it names. */
  private String help(ArgVector argv, int firstFilter) {
    if (firstFilter >= argv.size()) return fullUsage();
    StringBuilder sb = new StringBuilder("\n Usage: ").append(usage).append('\n');
    for (OptionSpec opt : sorted) {
      if (named(opt, argv, firstFilter)) sb.append(entry(opt));
    }
    return sb.append('\n').toString();
  }

  private static String entry(OptionSpec opt) {
    return opt.isGroup() ? "\n" + opt.help() + "\n" : opt.usageLine();
  }

  private static boolean named(OptionSpec opt, ArgVector argv, int first) {
    for (int i = first; i < argv.size(); i++) {
      String a = argv.get(i);
      int second = a.length() > 1 ? a.charAt(1) : argv.byteAt(argv.offset(i) + 1);
      if (a.isEmpty() || a.charAt(0) != '-') {
        if (second == 0) {
          if (!a.isEmpty() && a.charAt(0) == opt.shortName()) return true;
          continue;
        }
        if (opt.longName() != null && opt.longName().equals(a)) return true;
        if (opt.help() != null && containsIgnoreCase(opt.help(), a)) return true;
        continue;
      }
      if (second == opt.shortName()) return true;
      if (second == '-' && opt.longName() != null && opt.longName().equals(a.substring(2))) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsIgnoreCase(String haystack, String needle) {
    return haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
  }

  /** Options sorted by short name (long-only ones last, then by long name), within each group. */
  private static List<OptionSpec> sortWithinGroups(List<OptionSpec> table) {
    Comparator<OptionSpec> order = Comparator
        .comparingInt((OptionSpec o) -> o.shortName() == 0 ? 'z' + 1 : Character.toLowerCase(o.shortName()))
        .thenComparing(o -> o.longName() == null ? "" : o.longName());
    List<OptionSpec> out = new ArrayList<>();
    List<OptionSpec> run = new ArrayList<>();
    for (OptionSpec o : table) {
      if (o.isGroup()) {
        run.sort(order);
        out.addAll(run);
        run.clear();
        out.add(o);
      } else {
        run.add(o);
      }
    }
    run.sort(order);
    out.addAll(run);
    return out;
  }
}
