package io.objtool.cli;

import io.objtool.api.Rule;
import io.objtool.api.Options;

import java.nio.file.Path;
import java.util.List;

/**
 * The option table of {@code objtool} 6.12 and the checks it applies to the parsed options
 * before any file is opened.
 */
final class CommandLine {
  /** Rule {@code option-requires-option}: An action given without another option it needs. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule OPTION_REQUIRES_OPTION = Rule.error("option-requires-option", "An action given without another option it needs.");
  /** Rule {@code invalid-action-combination}: No action, or `--dump` combined with other actions. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule INVALID_ACTION_COMBINATION = Rule.error("invalid-action-combination", "No action, or `--dump` combined with other actions.");

  static final String USAGE = "objtool <actions> [<options>] file.o";
  static final String ENV_USAGE = "OBJTOOL_ARGS=\"<options>\"";
  static final String ENV_VAR = "OBJTOOL_ARGS";
  /** The option of the walk's trace, which the reference 6.12 does not have. */
  static final String TRACE = "--trace";

  /** The table in the reference's order, which decides ambiguity messages and error listings. */
  static final List<OptionSpec> TABLE = List.of(
      OptionSpec.group("Actions:"),
      OptionSpec.optionalArg('h', "hacks", "jump_label,noinstr,skylake", "patch toolchain bugs/limitations"),
      OptionSpec.flag('i', "ibt", "validate and annotate IBT"),
      OptionSpec.flag('m', "mcount", "annotate mcount/fentry calls for ftrace"),
      OptionSpec.flag('n', "noinstr", "validate noinstr rules"),
      OptionSpec.flag('o', "orc", "generate ORC metadata"),
      OptionSpec.flag('r', "retpoline", "validate and annotate retpoline usage"),
      OptionSpec.flag('\0', "rethunk", "validate and annotate rethunk usage"),
      OptionSpec.flag('\0', "unret", "validate entry unret placement"),
      OptionSpec.integer('\0', "prefix", "n", "generate prefix symbols"),
      OptionSpec.flag('l', "sls", "validate straight-line-speculation mitigations"),
      OptionSpec.flag('s', "stackval", "validate frame pointer rules"),
      OptionSpec.flag('t', "static-call", "annotate static calls"),
      OptionSpec.flag('u', "uaccess", "validate uaccess rules for SMAP"),
      OptionSpec.flag('\0', "cfi", "annotate kernel control flow integrity (kCFI) function preambles"),
      OptionSpec.optionalArg('\0', "dump", "orc", "dump metadata"),
      OptionSpec.group("Options:"),
      OptionSpec.flag('\0', "backtrace", "unwind on error"),
      OptionSpec.flag('\0', "backup", "create .orig files before modification"),
      OptionSpec.flag('\0', "dry-run", "don't write modifications"),
      OptionSpec.flag('\0', "link", "object is a linked object"),
      OptionSpec.flag('\0', "module", "object is part of a kernel module"),
      OptionSpec.flag('\0', "mnop", "nop out mcount call sites"),
      OptionSpec.flag('\0', "no-unreachable", "skip 'unreachable instruction' warnings"),
      OptionSpec.flag('\0', "sec-address", "print section addresses in warnings"),
      OptionSpec.flag('\0', "stats", "print statistics"),
      OptionSpec.flag('v', "verbose", "verbose warnings"));

  private CommandLine() { }

  /** A validation failure before the object is opened: one line, exit status 1. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Parses {@code $OBJTOOL_ARGS} (when set) and then {@code args}, and applies the checks that
   * need no object file.
   *
   * @throws UsageExit for anything the option parser rejects (usage text, exit 129)
   * @throws Invalid for a rejected combination of options (one message line, exit 1)
   */
  static Options parse(List<String> args, String envArgs) throws UsageExit, Invalid {
    return parse(args, envArgs, List.of());
  }

  /**
   * As {@link #parse(List, String)}, with the actions of plug-in passes ({@code --OPTION} flags
   * with their help) listed after the reference's actions.
   */
  static Options parse(List<String> args, String envArgs, List<Plugins.Action> plugins) throws UsageExit, Invalid {
    // --trace=FUNC (upstream 6.19's option) is taken out before the reference's parser sees the
    // line, so its table, usage text and abbreviations stay those of 6.12
    String trace = null;
    if (envArgs != null && envArgs.contains(TRACE + "=")) {
      // OBJTOOL_ARGS="--trace=FUNC ...": its words are split at spaces, so the option is one word
      StringBuilder kept = new StringBuilder();
      for (String word : envArgs.split(" ")) {
        if (word.startsWith(TRACE + "=")) {
          trace = word.substring(TRACE.length() + 1);
          if (trace.isEmpty()) throw new Invalid(TRACE + " needs a function name or glob (--trace=FUNC)");
        } else if (!word.isEmpty()) {
          kept.append(kept.isEmpty() ? "" : " ").append(word);
        }
      }
      envArgs = kept.toString();
    }
    List<String> rest = new java.util.ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--")) {
        rest.addAll(args.subList(i, args.size()));
        break;
      }
      if (a.startsWith(TRACE + "=") || a.equals(TRACE)) {
        String v = a.equals(TRACE) ? (i + 1 < args.size() ? args.get(++i) : "") : a.substring(TRACE.length() + 1);
        if (v.isEmpty()) throw new Invalid(TRACE + " needs a function name or glob (--trace=FUNC)");
        trace = v;
        continue;
      }
      rest.add(a);
    }
    args = rest;
    List<OptionSpec> table = table(plugins);
    Builder b = new Builder();
    for (Plugins.Action a : plugins) b.pluginKeys.add(a.option());
    if (envArgs != null) {
      new OptionParser(table, ENV_USAGE).parse(ArgVector.ofSpaceSeparated(envArgs), b);
    }
    OptionParser parser = new OptionParser(table, USAGE);
    List<String> files = parser.parse(ArgVector.ofArgs(args), b);
    if (files.size() != 1) throw new UsageExit(parser.fullUsage());
    Options o = b.build(Path.of(files.getFirst()));
    if (trace != null) o = o.toBuilder().trace(trace).build();
    validate(o);
    return o;
  }

  /** The option table: the reference's, with plug-in actions at the end of the actions. */
  static List<OptionSpec> table(List<Plugins.Action> plugins) {
    if (plugins.isEmpty()) return TABLE;
    List<OptionSpec> t = new java.util.ArrayList<>();
    for (OptionSpec o : TABLE) {
      if (o.kind() == OptionSpec.Kind.GROUP && o.help() != null && o.help().equals("Options:")) {
        for (Plugins.Action a : plugins) t.add(OptionSpec.flag('\0', a.option(), a.help()));
      }
      t.add(o);
    }
    return t;
  }

  /** The combination checks the reference makes before it looks at the object. */
  static void validate(Options o) throws Invalid {
    if (o.hasAction()) {
      if (o.dumpOrc()) throw new Invalid("--dump can't be combined with other actions");
      return;
    }
    if (o.unret()) throw new Invalid("--unret requires --rethunk");
    if (!o.dumpOrc()) throw new Invalid("At least one action required");
  }

  /** Collects the values the parser hands over. */
  private static final class Builder implements OptionParser.Sink {
    boolean hackJumpLabel, hackNoinstr, hackSkylake;
    boolean ibt, mcount, noinstr, orc, retpoline, rethunk, unret, sls, stackval, staticCall;
    boolean uaccess, cfi, dumpOrc;
    int prefix;
    boolean verbose, backtrace, backup, dryRun, link, mnop, module, noUnreachable, secAddress;
    boolean stats;
    final java.util.Set<String> pluginKeys = new java.util.HashSet<>();
    final java.util.Set<String> plugins = new java.util.LinkedHashSet<>();

    @Override
    public void flag(OptionSpec opt, boolean v) {
      if (pluginKeys.contains(opt.key())) {
        if (v) plugins.add(opt.key());
        else plugins.remove(opt.key());
        return;
      }
      switch (opt.key()) {
        case "ibt" -> ibt = v;
        case "mcount" -> mcount = v;
        case "noinstr" -> noinstr = v;
        case "orc" -> orc = v;
        case "retpoline" -> retpoline = v;
        case "rethunk" -> rethunk = v;
        case "unret" -> unret = v;
        case "sls" -> sls = v;
        case "stackval" -> stackval = v;
        case "static-call" -> staticCall = v;
        case "uaccess" -> uaccess = v;
        case "cfi" -> cfi = v;
        case "backtrace" -> backtrace = v;
        case "backup" -> backup = v;
        case "dry-run" -> dryRun = v;
        case "link" -> link = v;
        case "module" -> module = v;
        case "mnop" -> mnop = v;
        case "no-unreachable" -> noUnreachable = v;
        case "sec-address" -> secAddress = v;
        case "stats" -> stats = v;
        case "verbose" -> verbose = v;
        default -> throw new IllegalArgumentException("no flag " + opt.key());
      }
    }

    @Override
    public void integer(OptionSpec opt, int v) {
      if (!opt.key().equals("prefix")) throw new IllegalArgumentException("no integer " + opt.key());
      prefix = v;
    }

    @Override
    public boolean optionalArg(OptionSpec opt, String value, boolean unset) {
      switch (opt.key()) {
        case "hacks" -> {
          // Without a value (or negated) every hack is on; otherwise each hack named anywhere
          // in the value is switched on, and a value naming none is rejected.
          if (value == null) {
            hackJumpLabel = hackNoinstr = hackSkylake = true;
            return true;
          }
          boolean any = false;
          if (value.contains("jump_label")) { hackJumpLabel = true; any = true; }
          if (value.contains("noinstr")) { hackNoinstr = true; any = true; }
          if (value.contains("skylake")) { hackSkylake = true; any = true; }
          return any;
        }
        case "dump" -> {
          if (value == null || value.equals("orc")) {
            dumpOrc = true;
            return true;
          }
          return false;
        }
        default -> throw new IllegalArgumentException("no optional-argument option " + opt.key());
      }
    }

    Options build(Path file) {
      Options.Builder b = Options.builder().objectFile(file).prefix(prefix);
      b.set("hacks=jump_label", hackJumpLabel).set("hacks=noinstr", hackNoinstr).set("hacks=skylake", hackSkylake);
      b.set("ibt", ibt).set("mcount", mcount).set("noinstr", noinstr).set("orc", orc);
      b.set("retpoline", retpoline).set("rethunk", rethunk).set("unret", unret).set("sls", sls);
      b.set("stackval", stackval).set("static-call", staticCall).set("uaccess", uaccess).set("cfi", cfi);
      b.set("dump", dumpOrc).set("verbose", verbose).set("backtrace", backtrace).set("backup", backup);
      b.set("dry-run", dryRun).set("link", link).set("mnop", mnop).set("module", module);
      b.set("no-unreachable", noUnreachable).set("sec-address", secAddress).set("stats", stats);
      for (String p : plugins) b.set(p, true);
      return b.build();
    }
  }
}
