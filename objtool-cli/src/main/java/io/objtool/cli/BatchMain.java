package io.objtool.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/objtool-batch}: many objects in one JVM. See {@link BatchArgs#USAGE}. Each object
 * is run exactly as a single {@code objtool} run with the same flags would be ({@link ObjectRun});
 * the batch only decides the order of the output and adds the reports and the summary.
 */
public final class BatchMain {
  static final String NAME = "objtool-batch";
  static final int BATCH_ERROR = 2;

  private final ClassLoader loader;

  BatchMain(ClassLoader loader) {
    this.loader = loader;
  }

  public static void main(String[] args) {
    int rc = new BatchMain(BatchMain.class.getClassLoader())
        .run(Arrays.asList(args), System.getenv(), System.in, System.out, System.err, null);
    System.out.flush();
    System.err.flush();
    System.exit(rc);
  }

  /**
   * Runs a batch; returns its exit status. {@code tty} forces the terminal question (null: ask
   * the C library about fds 1 and 2).
   */
  int run(List<String> args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err, Boolean tty) {
    BatchArgs a;
    try {
      a = BatchArgs.parse(args, Runtime.getRuntime().availableProcessors());
    } catch (BatchArgs.Help h) {
      out.print(BatchArgs.USAGE);
      return 0;
    } catch (BatchArgs.Invalid e) {
      err.println(NAME + ": " + e.getMessage());
      err.println("Try '" + NAME + " --help'.");
      return BATCH_ERROR;
    }
    Charset cs = err.charset();
    List<String> files;
    try {
      files = BatchInputs.expand(a.inputs(), stdin, cs);
    } catch (BatchInputs.Unreadable e) {
      err.println(NAME + ": " + e.getMessage());
      return BATCH_ERROR;
    }
    ObjectRun objectRun = new ObjectRun(a.flags(), RunContext.inProcess(env), loader, cs);
    Integer early = rejectedFlags(a.flags(), env, files, objectRun, out, err);
    if (early != null) return early;

    boolean showBar = switch (a.progress()) {
      case "always" -> true;
      case "never" -> false;
      default -> tty != null ? tty : Terminal.isatty(1) && Terminal.isatty(2);
    };
    ProgressBar bar = new ProgressBar(err, showBar, files.size(), columns(env));
    List<OutputStream> opened = new ArrayList<>();
    try {
      List<Report> reports = new ArrayList<>();
      OutputStream doc = out;
      if (a.output() != null) {
        doc = open(a.output(), opened);
      }
      reports.add(switch (a.format()) {
        case TEXT -> new TextReport(out, bar);
        case JSON -> new JsonReport(doc, cs);
        case SARIF -> new SarifReport(doc, cs);
      });
      if (a.records() != null) reports.add(new RecordsReport(open(a.records(), opened), cs));
      long start = System.nanoTime();
      BatchSummary.Tally tally = new BatchSummary.Tally();
      for (Report r : reports) r.begin();
      long timeout = (long) (a.timeoutSeconds() * 1e9);
      new BatchRunner(objectRun::run, a.jobs(), timeout).run(files, (i, r) -> {
        byte[] block = r.timedOut()
            ? (NAME + ": " + r.file() + ": timed out after " + fmt(a.timeoutSeconds()) + " s\n").getBytes(cs)
            : r.stderr();
        bar.above(err, block);
        for (Report rep : reports) rep.file(i, r);
        tally.add(r);
      }, r -> bar.completed(r.status() == 0));
      bar.clear();
      BatchSummary summary = tally.finish(System.nanoTime() - start, a.jobs(), PeakRss.kib());
      for (Report r : reports) r.end(summary);
      if (a.summary()) err.println(summary.line());
      return summary.exit();
    } catch (IOException e) {
      err.println(NAME + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return BATCH_ERROR;
    } finally {
      for (OutputStream o : opened) {
        try {
          o.close();
        } catch (IOException e) {
          err.println(NAME + ": " + e.getMessage());
        }
      }
    }
  }

  /**
   * Flags a single run would reject before opening any object are rejected once, with the
   * output of a single run on the first object; null when the flags are fine.
   */
  private Integer rejectedFlags(List<String> flags, Map<String, String> env, List<String> files,
      ObjectRun objectRun, PrintStream out, PrintStream err) {
    List<String> probe = new ArrayList<>(flags);
    probe.add(files.isEmpty() ? "object.o" : files.getFirst());
    try {
      ExplainOption.parseWithout(probe, env.get(CommandLine.ENV_VAR), objectRun.plugins());
      return null;
    } catch (UsageExit | CommandLine.Invalid e) {
      FileResult r = objectRun.run(files.isEmpty() ? "object.o" : files.getFirst());
      out.write(r.stdout(), 0, r.stdout().length);
      err.write(r.stderr(), 0, r.stderr().length);
      err.flush();
      return r.exit();
    }
  }

  private static OutputStream open(String file, List<OutputStream> opened) throws IOException {
    try {
      OutputStream o = new BufferedOutputStream(Files.newOutputStream(Path.of(file)));
      opened.add(o);
      return o;
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot write " + file + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  private static int columns(Map<String, String> env) {
    try {
      return Integer.parseInt(env.getOrDefault("COLUMNS", "80").trim());
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  private static String fmt(double seconds) {
    return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
  }
}
