package io.objtool.cli;

import io.objtool.api.Rule;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Machine-readable warnings for a single run, asked for with the environment (no reference
 * option is touched): {@code OBJTOOL_FORMAT=json} or {@code sarif} writes the document of
 * {@link JsonReport} or {@link SarifReport} for the object to {@code OBJTOOL_FORMAT_FILE}, or
 * when that is unset beside the object ({@code FILE.objtool.json}, {@code FILE.sarif}); "-"
 * means stdout. The run's stdout, stderr and exit status stay those of a plain run.
 */
final class SingleFormat {
  /** Rule {@code format-output-error}: `OBJTOOL_FORMAT` is unknown, or its report cannot be written. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule FORMAT_OUTPUT_ERROR = Rule.error("format-output-error", "`OBJTOOL_FORMAT` is unknown, or its report cannot be written.");

  static final String ENV_FORMAT = "OBJTOOL_FORMAT";
  static final String ENV_FILE = "OBJTOOL_FORMAT_FILE";

  private SingleFormat() { }

  /** True when the environment asks for a document (a value other than empty or "text"). */
  static boolean requested(Map<String, String> env) {
    String f = env.get(ENV_FORMAT);
    return f != null && !f.isEmpty() && !f.equals("text");
  }

  /** Runs {@code args} like {@link Main#run} and then writes the document; returns the exit status. */
  static int run(List<String> args, RunContext ctx, io.objtool.check.PassProviders passes, PrintStream out, PrintStream err) {
    Map<String, String> env = ctx.env();
    BatchArgs.Format format;
    try {
      format = BatchArgs.Format.parse(env.get(ENV_FORMAT));
    } catch (BatchArgs.Invalid e) {
      err.println("error: objtool: " + ENV_FORMAT + ": " + e.getMessage());
      return 1;
    }
    Charset cs = err.charset();
    ObjectRun run = new ObjectRun(List.of(), ctx, passes, cs);
    String object = objectOf(args, env, run.plugins());
    FileResult r = run.runArgs(args, object == null ? "" : object);
    out.write(r.stdout(), 0, r.stdout().length);
    out.flush();
    err.write(r.stderr(), 0, r.stderr().length);
    err.flush();
    if (object == null) return r.exit(); // the command line was rejected: nothing to report on
    String dest = env.get(ENV_FILE);
    if (dest == null || dest.isEmpty()) dest = object + (format == BatchArgs.Format.SARIF ? ".sarif" : ".objtool.json");
    try {
      write(format, r, dest, ctx, out, cs);
    } catch (IOException | RuntimeException e) {
      err.println("error: objtool: cannot write " + dest + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
      return r.exit() != 0 ? r.exit() : 1;
    }
    return r.exit();
  }

  private static void write(BatchArgs.Format format, FileResult r, String dest, RunContext ctx, PrintStream stdout, Charset cs)
      throws IOException {
    boolean toStdout = dest.equals("-");
    OutputStream o = toStdout ? stdout : new BufferedOutputStream(Files.newOutputStream(ctx.resolve(dest)));
    try {
      Report rep = format == BatchArgs.Format.SARIF ? new SarifReport(o, cs).in(ctx.cwd()) : new JsonReport(o, cs);
      BatchSummary.Tally t = new BatchSummary.Tally();
      rep.begin();
      rep.file(0, r);
      t.add(r);
      rep.end(t.finish(r.nanos(), 1, 0));
    } finally {
      if (toStdout) o.flush();
      else o.close();
    }
  }

  /** The object a command line names, or null when the line would be rejected. */
  private static String objectOf(List<String> args, Map<String, String> env, List<Plugins.Action> plugins) {
    try {
      return ExplainOption.parseWithout(args, env.get(CommandLine.ENV_VAR), plugins).objectFile().toString();
    } catch (UsageExit | CommandLine.Invalid e) {
      return null;
    }
  }
}
