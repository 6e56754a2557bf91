package io.objtool.cli;

import io.objtool.api.Warning;
import io.objtool.elf.dwarf.LineTable;
import io.objtool.check.PassProviders;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Runs the single-object command line ({@link Main#run}) on one object with both streams
 * captured, so a batch can print the output later and whole. Each run gets its own dispatcher
 * and passes, so runs on different threads share no mutable state.
 */
final class ObjectRun {
  private final List<String> flags;
  private final RunContext ctx;
  private final PassProviders passes;
  private final Charset charset;
  /** The plug-in actions on the loader (OBJTOOL_PLUGINS), found once for all runs. */
  private final List<Plugins.Action> plugins;

  /**
   * @param flags the objtool arguments, without the object
   * @param ctx the working directory and environment the runs see ({@code OBJTOOL_ARGS} and friends)
   * @param charset how the streams encode text (that of the real stderr)
   */
  ObjectRun(List<String> flags, RunContext ctx, ClassLoader loader, Charset charset) {
    this(flags, ctx, PassProviders.of(loader), charset);
  }

  /** As {@link #ObjectRun(List, RunContext, ClassLoader, Charset)}, with the passes already looked up. */
  ObjectRun(List<String> flags, RunContext ctx, PassProviders passes, Charset charset) {
    this.flags = List.copyOf(flags);
    this.ctx = new RunContext(ctx.cwd(), Map.copyOf(ctx.env()), ctx.abandoned());
    this.passes = passes;
    this.charset = charset;
    this.plugins = List.copyOf(Plugins.discover(passes));
  }

  /** The plug-in actions the runs accept. */
  List<Plugins.Action> plugins() {
    return plugins;
  }

  /** Runs objtool with the flags on {@code file}; never throws for a bad object. */
  FileResult run(String file) {
    List<String> args = new ArrayList<>(flags);
    args.add(file);
    return runArgs(args, file);
  }

  /** Runs objtool with the whole command line {@code args}; the result is named {@code file}. */
  FileResult runArgs(List<String> args, String file) {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    List<Warning> warnings = new ArrayList<>();
    List<LineTable.SourceLine> sources = new ArrayList<>();
    List<TracePath> paths = new ArrayList<>();
    WarningListener listener = (w, source, path) -> {
      synchronized (warnings) {
        warnings.add(w);
        sources.add(source);
        paths.add(path);
      }
    };
    long start = System.nanoTime();
    int rc;
    try (PrintStream out = new PrintStream(outBytes, false, charset);
         PrintStream err = new PrintStream(errBytes, false, charset)) {
      Map<String, Pass> slots = Main.slots(passes, listener, ctx);
      Main main = new Main(Dispatcher.of(slots).withPlugins(plugins, slots.get("--orc")), plugins, ctx);
      rc = main.run(args, ctx.env(), out, err);
      out.flush();
      err.flush();
    }
    synchronized (warnings) {
      return new FileResult(file, rc, false, outBytes.toByteArray(), errBytes.toByteArray(),
          List.copyOf(warnings), Collections.unmodifiableList(new ArrayList<>(sources)),
          Collections.unmodifiableList(new ArrayList<>(paths)), System.nanoTime() - start);
    }
  }
}
