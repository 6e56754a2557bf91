package io.objtool.cli;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Warning;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.Architectures;
import io.objtool.check.Checker;
import io.objtool.elf.ElfFile;
import io.objtool.check.PassProviders;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the check once for all requested actions: the passes found by {@link ServiceLoader} that
 * the options enable take part in one shared walk; warnings are printed as the reference prints
 * them, and the object is rewritten when a pass changed it (unless {@code --dry-run}).
 */
final class CheckAction implements Pass {
  /** The exit status when the object cannot be written back (objtool's elf_write returns -1). */
  static final int WRITE_FAILED = 255;
  /** Rule {@code unexpected-machine}: The object is not x86 code. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule UNEXPECTED_MACHINE = Rule.warning("unexpected-machine", "The object is not x86 code.");

  /** Rule {@code unsupported-action}: An action the object's architecture does not have (e.g. {@code --retpoline} on arm64). Printed by the command line itself. */
  static final Rule UNSUPPORTED_ACTION = Rule.error("unsupported-action", "An action the object's architecture does not have.");

  private final PassProviders passes;
  private final WarningListener listener;
  private final RunContext ctx;

  /** A check in {@code ctx} whose warnings are printed, and also handed to {@code listener} (for reports). */
  CheckAction(PassProviders passes, WarningListener listener, RunContext ctx) {
    this.passes = passes;
    this.listener = listener;
    this.ctx = ctx;
  }

  /**
   * The dispatcher slots ({@code --orc}, ...) that a pass on the class path implements, run in
   * {@code ctx}, with every printed warning also given to {@code listener}.
   */
  static Map<String, Pass> slots(PassProviders passes, WarningListener listener, RunContext ctx) {
    CheckAction action = new CheckAction(passes, listener, ctx);
    Map<String, Pass> m = new HashMap<>();
    for (io.objtool.api.Pass p : passes.create()) {
      m.put("--" + p.option(), action);
    }
    return m;
  }

  /** The path of {@code --trace} to the {@code i}-th warning: null when its function was not traced. */
  private static TracePath tracePath(io.objtool.check.trace.Traces traces, int i, Warning w, io.objtool.elf.dwarf.LineTable lines) {
    if (traces == null || !traces.traced(i)) return null;
    io.objtool.check.trace.Trace.Path p = traces.path(i);
    return p == null ? TracePath.outside(w.function()) : TracePath.of(p, lines);
  }

  @Override
  public int run(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    Arch arch = Architectures.forElfMachine(elf.machine()).orElse(null);
    if (arch == null) {
      // as the reference: a warning, and the object is left alone with exit status 0
      err.println(opts.objectFile() + ": warning: objtool: unexpected ELF machine type " + elf.machine());
      return 0;
    }
    String refused = refusedAction(arch, opts);
    if (refused != null) {
      err.println(opts.objectFile() + ": error: objtool: --" + refused + " is an x86-64 action, not available for "
          + arch.name() + " objects (" + arch.name() + " supports --orc, --stackval and --dump=orc)");
      return 1;
    }
    io.objtool.api.Compat compat;
    try {
      compat = io.objtool.api.Compat.parse(opts.env(io.objtool.api.Compat.ENV));
    } catch (IllegalArgumentException e) {
      err.println("error: objtool: " + e.getMessage());
      return 1;
    }
    Diagnostics diag = new Diagnostics(opts.objectFile().toString(), opts.secAddress());
    ObjtoolFile file = new ObjtoolFile(elf, opts, arch, diag);
    Model.setCompat(file, compat);
    List<io.objtool.api.Pass> passes = Checker.enabledPasses(opts, this.passes);
    io.objtool.check.trace.TracePass trace = io.objtool.check.trace.TracePass.of(opts);
    if (trace != null) passes.add(trace);
    io.objtool.cli.explain.Explainer explain = ExplainOption.explainer(opts, ctx);
    if (explain != null) passes.add(explain.recorder());
    Checker checker = new Checker(file, passes);
    checker.run();
    io.objtool.check.trace.Traces traces = trace == null ? null : trace.traces();
    if (traces != null) traces.complete(file);
    if (opts.stats()) io.objtool.check.Stats.of(file).print(out);
    io.objtool.elf.dwarf.LineTable lines = null;
    List<Warning> warnings = diag.warnings();
    for (int i = 0; i < warnings.size(); i++) {
      Warning w = warnings.get(i);
      err.println(w.line());
      io.objtool.elf.dwarf.LineTable.SourceLine source = null;
      if (listener.wantsSources() && (w.section() != null && w.offset() >= 0 || traces != null)) {
        if (lines == null) lines = io.objtool.elf.dwarf.LineTable.of(elf);
        io.objtool.elf.Section sec = w.section() == null ? null : elf.section(w.section());
        if (sec != null && w.offset() >= 0) source = lines.find(sec, w.offset());
      }
      listener.accept(w, source, tracePath(traces, i, w, listener.wantsSources() ? lines : null));
    }
    if (traces != null) {
      // after the warnings, as upstream prints its trace; objdump reads the object as it was given
      io.objtool.check.trace.Disassembly disas = io.objtool.check.trace.Disassembly.of(
          opts.objectFile().toString(), ctx.cwd(), ctx.env(), traces.instructions());
      io.objtool.check.trace.TraceText.print(traces, disas, err);
    }
    if (opts.verbose()) io.objtool.check.WarnedDisassembly.print(file, opts.objectFile().toString(), ctx.cwd(), ctx.env(), err);
    if (explain != null) {
      try {
        explain.write(file, elf, diag.warnings());
      } catch (io.objtool.cli.explain.Explainer.ExplainException e) {
        err.println("error: objtool: " + e.getMessage());
        return 1;
      }
    }
    if (checker.failed()) return 1;
    // as libelf lays it out; a run whose requester has gone leaves the object as it was
    if (file.changed() && !opts.dryRun() && !ctx.abandoned().getAsBoolean()) {
      Path at = ctx.resolve(opts.objectFile());
      try {
        io.objtool.elf.edit.ElfEdit.write(elf, at, ElfFile.Layout.REPACK);
      } catch (io.objtool.elf.ElfException e) {
        // the reference's elf_write fails with -1: exit status 255 (the object is untouched)
        err.println(Main.elfProblem(opts.objectFile(), at, e));
        return WRITE_FAILED;
      }
    }
    return 0;
  }

  /** The first action given that {@code arch} refuses ({@link Arch#unsupportedActions()}), or null. */
  static String refusedAction(Arch arch, Options opts) {
    for (String a : Options.FLAGS) if (arch.unsupportedActions().contains(a) && opts.flag(a)) return a;
    if (opts.prefix() > 0 && arch.unsupportedActions().contains("prefix")) return "prefix";
    return null;
  }
}
