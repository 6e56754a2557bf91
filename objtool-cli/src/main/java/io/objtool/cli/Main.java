package io.objtool.cli;

import io.objtool.api.Rule;
import io.objtool.api.Options;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Symbol;
import io.objtool.check.PassProviders;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code objtool} on the JVM: parses the command line like objtool 6.12, opens the object and
 * hands it to the requested passes. Messages, streams and exit codes follow the reference.
 */
public final class Main {
  /** Rule {@code backup-failed}: `--backup` could not write `FILE.orig`. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule BACKUP_FAILED = Rule.error("backup-failed", "`--backup` could not write `FILE.orig`.");
  /** Rule {@code cannot-open-file}: The object file cannot be opened. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule CANNOT_OPEN_FILE = Rule.error("cannot-open-file", "The object file cannot be opened.");
  /** Rule {@code malformed-elf}: The input is not a well-formed x86-64 ELF relocatable object. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule MALFORMED_ELF = Rule.error("malformed-elf", "The input is not a well-formed x86-64 ELF relocatable object.");
  /** Rule {@code linked-object-forcing-link}: A linked object was given without `--link`; objtool goes on as if it was. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule LINKED_OBJECT_FORCING_LINK = Rule.error("linked-object-forcing-link", "A linked object was given without `--link`; objtool goes on as if it was.");
  /** Rule {@code internal-error}: A bug: an unexpected exception. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule INTERNAL_ERROR = Rule.error("internal-error", "A bug: an unexpected exception.");
  /** Rule {@code usage-error}: The command line is not valid (unknown option, missing file, no action). Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule USAGE_ERROR = Rule.error("usage-error", "The command line is not valid (unknown option, missing file, no action).");

  private static final String PREFIX_ERROR = "error: objtool: ";

  private final Dispatcher dispatcher;
  private final List<Plugins.Action> plugins;
  private final RunContext ctx;

  public Main(Dispatcher dispatcher) {
    this(dispatcher, List.of());
  }

  Main(Dispatcher dispatcher, List<Plugins.Action> plugins) {
    this(dispatcher, plugins, RunContext.inProcess(Map.of()));
  }

  /** A command line whose object paths resolve against {@code ctx}'s working directory. */
  Main(Dispatcher dispatcher, List<Plugins.Action> plugins, RunContext ctx) {
    this.dispatcher = dispatcher;
    this.plugins = plugins;
    this.ctx = ctx;
  }

  public static void main(String[] args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    int rc = runCommand(Arrays.asList(args), RunContext.inProcess(System.getenv()), Main.class.getClassLoader(), out, err);
    out.flush();
    err.flush();
    System.exit(rc);
  }

  /**
   * Runs one command line as {@code bin/objtool} does (with {@code OBJTOOL_FORMAT} honoured) in
   * {@code ctx}, with the passes and plug-ins found by {@code loader}; returns the exit status.
   * Reads nothing process-wide: the objtool server runs its requests through here.
   */
  static int runCommand(List<String> args, RunContext ctx, ClassLoader loader, PrintStream out, PrintStream err) {
    return runCommand(args, ctx, PassProviders.of(loader), out, err);
  }

  /** As {@link #runCommand(List, RunContext, ClassLoader, PrintStream, PrintStream)}, with the passes already looked up. */
  static int runCommand(List<String> args, RunContext ctx, PassProviders passes, PrintStream out, PrintStream err) {
    if (SingleFormat.requested(ctx.env())) return SingleFormat.run(args, ctx, passes, out, err);
    return create(passes, WarningListener.NONE, ctx).run(args, ctx.env(), out, err);
  }

  /** A command line for one run in {@code ctx}: its own passes and plug-in actions from {@code loader}. */
  static Main create(ClassLoader loader, WarningListener listener, RunContext ctx) {
    return create(PassProviders.of(loader), listener, ctx);
  }

  /** A command line for one run in {@code ctx}: its own instances of {@code passes}, and their plug-in actions. */
  static Main create(PassProviders passes, WarningListener listener, RunContext ctx) {
    List<Plugins.Action> plugins = Plugins.discover(passes);
    Map<String, Pass> slots = slots(passes, listener, ctx);
    Dispatcher d = Dispatcher.of(slots).withPlugins(plugins, slots.get("--orc"));
    return new Main(d, plugins, ctx);
  }

  /** The command line as {@code bin/objtool} runs it: every pass found through {@code loader}, plug-ins included. */
  public static Main standard(ClassLoader loader) {
    return create(loader, WarningListener.NONE, RunContext.inProcess(System.getenv()));
  }

  /** The implemented actions: the check's passes found on the class path, and --dump. */
  static Map<String, Pass> slots(ClassLoader loader) {
    return slots(PassProviders.of(loader), WarningListener.NONE, RunContext.inProcess(System.getenv()));
  }

  /** As {@link #slots(ClassLoader)}, with the check's warnings also handed to {@code listener}. */
  static Map<String, Pass> slots(PassProviders passes, WarningListener listener, RunContext ctx) {
    Map<String, Pass> m = new java.util.HashMap<>(CheckAction.slots(passes, listener, ctx));
    m.put("--dump", new DumpAction(ctx));
    return m;
  }

  /** Runs one command line; returns the exit status. Never throws for any input. */
  public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    Path[] object = new Path[1];
    try {
      return runUnguarded(args, env, out, err, object);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      boolean trace = env.containsKey(TRACE_VAR);
      if (trace) e.printStackTrace(err);
      err.println(internalError(object[0], e, trace));
      return 1;
    }
  }

  /**
   * {@link #run} without the net for internal errors: a bug in the tool escapes as the exception
   * (the fuzz targets want it with its stack). {@code object[0]} is set to the object once known.
   */
  int runUnguarded(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, Path[] object) {
    if (ExplainOption.given(args, env.get(CommandLine.ENV_VAR))) {
      ExplainOption ex = ExplainOption.extract(args, env.get(CommandLine.ENV_VAR));
      String problem = ex.check(ctx);
      if (problem != null) {
        err.println(PREFIX_ERROR + problem);
        return 1;
      }
      args = ex.rest();
      env = ex.environment(env, ctx);
    }
    Options opts;
    try {
      opts = CommandLine.parse(args, env.get(CommandLine.ENV_VAR), plugins).toBuilder().environment(env).build();
    } catch (UsageExit e) {
      err.print(e.text());
      return e.exitCode();
    } catch (CommandLine.Invalid e) {
      err.println(PREFIX_ERROR + e.getMessage());
      return 1;
    }
    object[0] = opts.objectFile();
    return opts.isDump() ? dump(opts, out, err) : check(opts, out, err);
  }

  /** Set (to anything) in the environment, an internal error prints its stack trace. */
  static final String TRACE_VAR = "OBJTOOL_JVM_TRACE";

  /**
   * The one line of an internal error: a bug in this tool, never a verdict on the input. It names
   * the object, the exception, the tool's version and how to see the stack trace.
   */
  static String internalError(Object object, Throwable e, boolean traced) {
    return PREFIX_ERROR + "internal error" + (object == null ? "" : " on " + object) + ": " + oneLine(e)
        + " (a bug in " + ToolInfo.NAME + " " + ToolInfo.version() + ", not a problem with the input; "
        + (traced ? "stack trace above" : TRACE_VAR + "=1 prints the stack trace") + ")";
  }

  private int check(Options opts, PrintStream out, PrintStream err) {
    Path file = opts.objectFile();
    Path at = ctx.resolve(file);
    String problem = unopenable(at, true);
    if (problem != null) {
      err.println("objtool: Can't open '" + file + "': " + problem);
      return 1;
    }
    try (ElfFile elf = ElfFile.open(at)) {
      if (opts.backup() && !backup(file, at, err)) return 1;
      if (opts.mnop() && !opts.mcount()) {
        err.println(PREFIX_ERROR + "--mnop requires --mcount");
        if (opts.stats()) io.objtool.check.Stats.printObject(elf, out);
        return 1;
      }
      if (!opts.link()) {
        if (sourceFiles(elf) > 1) {
          err.println(PREFIX_ERROR + "Linked object detected, forcing --link");
          opts = opts.withLink(true);
        } else {
          String needsLink = opts.noinstr() ? "--noinstr" : opts.ibt() ? "--ibt" : opts.unret() ? "--unret" : null;
          if (needsLink != null) {
            err.println(PREFIX_ERROR + needsLink + " requires --link");
            if (opts.stats()) io.objtool.check.Stats.printObject(elf, out);
            return 1;
          }
        }
      }
      return dispatcher.runActions(opts, elf, out, err);
    } catch (ElfException e) {
      err.println(elfProblem(file, at, e));
      return 1;
    }
  }

  /**
   * {@code --backup}: {@code FILE.orig} is a copy of the object as it was, made as soon as the
   * object is open (before the options are checked further) and whether or not it changes.
   */
  private boolean backup(Path file, Path at, PrintStream err) {
    Path orig = ctx.resolve(file + ".orig");
    String problem;
    if (Files.isDirectory(orig)) {
      problem = "Is a directory";
    } else {
      try {
        Files.copy(at, orig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return true;
      } catch (java.nio.file.AccessDeniedException e) {
        problem = "Permission denied";
      } catch (java.nio.file.NoSuchFileException e) {
        problem = "No such file or directory";
      } catch (java.io.IOException e) {
        problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
    }
    err.println("failed to create backup file: " + problem);
    err.println(file + ": warning: objtool: can't create backup file");
    return false;
  }

  private int dump(Options opts, PrintStream out, PrintStream err) {
    Path file = opts.objectFile();
    Path at = ctx.resolve(file);
    if (Files.isDirectory(at)) {
      err.println(file + ": warning: objtool: elf_begin: invalid file descriptor");
      return 255;
    }
    String problem = unopenable(at, false);
    if (problem != null) {
      err.println("open: " + problem);
      return 255;
    }
    try (ElfFile elf = ElfFile.open(at)) {
      return dispatcher.runDump(opts, elf, out, err);
    } catch (ElfException e) {
      err.println(elfProblem(file, at, e));
      return 255;
    }
  }

  /** Number of STT_FILE symbols: more than one means the object was linked from several files. */
  static int sourceFiles(ElfFile elf) {
    int n = 0;
    for (Symbol s : elf.symbols()) {
      if (s.type() == Elf.STT_FILE) n++;
    }
    return n;
  }

  /**
   * Why {@code file} cannot be opened, in the words of {@code strerror}, or null when it can.
   * Directories cannot be opened for writing; the dump only reads.
   */
  static String unopenable(Path file, boolean forWriting) {
    if (file.toString().isEmpty()) return "No such file or directory";
    if (!Files.exists(file)) {
      Path parent = file.toAbsolutePath().getParent();
      while (parent != null && !Files.exists(parent)) parent = parent.getParent();
      if (parent != null && !Files.isDirectory(parent) && !parent.equals(file.toAbsolutePath())) {
        return "Not a directory";
      }
      return "No such file or directory";
    }
    if (forWriting && Files.isDirectory(file)) return "Is a directory";
    if (!Files.isReadable(file)) return "Permission denied";
    return null;
  }

  /**
   * Formats an ELF error like the reference's warnings: "file: warning: objtool: problem".
   * {@code file} is the path as given, {@code at} where it was opened (the same outside the server).
   */
  static String elfProblem(Path file, Path at, ElfException e) {
    String msg = oneLine(e);
    for (Path p : new Path[] {file, at}) {
      String lead = p + ": ";
      if (msg.startsWith(lead)) {
        msg = msg.substring(lead.length());
        break;
      }
    }
    return file + ": warning: objtool: " + msg;
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    if (e.getMessage() != null && !(e instanceof ElfException)) m = e.getClass().getSimpleName() + ": " + m;
    return m.replace('\n', ' ').replace('\r', ' ');
  }
}
