package io.objtool.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code bin/objtool-batch}:
 * {@code [BATCH OPTIONS] -- OBJTOOL FLAGS -- FILE|DIR|-...}. The objtool flags are exactly those
 * of a single run; the inputs are objects, directories (searched for *.o and *.ko) or "-" (paths
 * read from stdin, one a line).
 *
 * @param jobs worker threads
 * @param format what goes to stdout
 * @param records JSON Lines file of per-object records, or null
 * @param output where the json/sarif document goes instead of stdout, or null
 * @param timeoutSeconds per-object limit, 0 for none
 * @param progress "auto", "always" or "never"
 * @param summary print the summary line on stderr
 * @param flags the objtool flags
 * @param inputs files, directories and "-"
 */
record BatchArgs(int jobs, Format format, String records, String output, double timeoutSeconds,
    String progress, boolean summary, List<String> flags, List<String> inputs) {

  /** What a batch prints on stdout. */
  enum Format { TEXT, JSON, SARIF;

    /** The format named {@code s} (text, json, sarif). */
    static Format parse(String s) throws Invalid {
      return switch (s) {
        case "text" -> TEXT;
        case "json" -> JSON;
        case "sarif" -> SARIF;
        default -> throw new Invalid("unknown format '" + s + "' (text, json or sarif)");
      };
    }
  }

  static final String USAGE = """
      usage: objtool-batch [--jobs N] [--format text|json|sarif] [--output FILE] [--records FILE]
                           [--timeout SECONDS] [--progress auto|always|never] [--no-summary]
                           -- OBJTOOL-FLAGS... -- FILE|DIR|-...

      Runs objtool with OBJTOOL-FLAGS on every object, in parallel in one JVM. Each object's
      stderr (and, with --format=text, its stdout) is printed as one block, in input order, byte
      for byte as a single run prints it; a summary line ends stderr. A directory stands for the
      *.o and *.ko files under it; "-" reads paths from stdin, one a line.

        --jobs N          worker threads (default: number of processors)
        --format F        stdout: text (each object's stdout), json or sarif (one document)
        --output FILE     write the json/sarif document to FILE instead of stdout
        --records FILE    write one JSON record per object (JSON Lines) to FILE
        --timeout S       give up on an object after S seconds (status 124; default: none)
        --progress P      progress bar on stderr: auto (when stdout and stderr are terminals)
        --no-summary      no summary line

      Exit status: the first non-zero status of an object in input order, 0 when all succeeded,
      2 for a problem of the batch itself (bad options, unreadable directory).
      """;

  /** A bad batch command line: one message line, exit status 2. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code --help} was given. */
  static final class Help extends Exception {
    private static final long serialVersionUID = 1L;

    Help() {
      super(null, null, false, false);
    }
  }

  /** Parses the batch command line. */
  static BatchArgs parse(List<String> args, int processors) throws Invalid, Help {
    int jobs = processors;
    Format format = Format.TEXT;
    String records = null;
    String output = null;
    double timeout = 0;
    String progress = "auto";
    boolean summary = true;
    int i = 0;
    while (i < args.size() && !args.get(i).equals("--")) {
      String a = args.get(i);
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (name) {
        case "--help", "-h" -> throw new Help();
        case "--no-summary" -> summary = false;
        case "--jobs", "-j", "--format", "--records", "--output", "--timeout", "--progress" -> {
          if (value == null) {
            if (i + 1 >= args.size()) throw new Invalid("option " + name + " needs a value");
            value = args.get(++i);
          }
          switch (name) {
            case "--jobs", "-j" -> jobs = positiveInt(name, value);
            case "--format" -> format = Format.parse(value);
            case "--records" -> records = value;
            case "--output" -> output = value;
            case "--timeout" -> timeout = seconds(value);
            default -> {
              if (!List.of("auto", "always", "never").contains(value)) {
                throw new Invalid("--progress takes auto, always or never, not '" + value + "'");
              }
              progress = value;
            }
          }
        }
        default -> throw new Invalid("unknown option '" + a + "' (objtool flags go after '--')");
      }
      i++;
    }
    if (i >= args.size()) throw new Invalid("missing '--' before the objtool flags");
    int second = args.subList(i + 1, args.size()).indexOf("--");
    if (second < 0) throw new Invalid("missing '--' between the objtool flags and the objects");
    List<String> flags = new ArrayList<>(args.subList(i + 1, i + 1 + second));
    List<String> inputs = new ArrayList<>(args.subList(i + 2 + second, args.size()));
    if (inputs.isEmpty()) throw new Invalid("no objects given (files, directories or '-')");
    if (output != null && format == Format.TEXT) throw new Invalid("--output needs --format json or sarif");
    return new BatchArgs(jobs, format, records, output, timeout, progress, summary, flags, inputs);
  }

  private static int positiveInt(String name, String v) throws Invalid {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 4096) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Invalid(name + " takes a number from 1 to 4096, not '" + v + "'");
  }

  private static double seconds(String v) throws Invalid {
    try {
      double d = Double.parseDouble(v);
      if (d >= 0 && d < 1e9) return d;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Invalid("--timeout takes a number of seconds, not '" + v + "'");
  }
}
