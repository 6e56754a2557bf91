/**
 * The check: the CFG builder, the engine's walk and the built-in passes. Only the driver
 * ({@link io.objtool.check.Checker}) is exported; the engine and passes are found as services.
 */
module io.objtool.check {
  requires transitive io.objtool.api;
  requires static com.google.auto.service;

  exports io.objtool.check;
  exports io.objtool.check.trace to io.objtool.cli;

  uses io.objtool.api.Pass;

  provides io.objtool.api.Pass with
      io.objtool.check.annotate.IbtSealPass,
      io.objtool.check.annotate.PrefixPass,
      io.objtool.check.annotate.NoinstrHackPass,
      io.objtool.check.annotate.SlsPass,
      io.objtool.check.annotate.RethunkPass,
      io.objtool.check.annotate.JumpLabelHackPass,
      io.objtool.check.annotate.IbtPass,
      io.objtool.check.annotate.StaticCallPass,
      io.objtool.check.annotate.RetpolinePass,
      io.objtool.check.annotate.UnretPass,
      io.objtool.check.annotate.McountPass,
      io.objtool.check.annotate.CfiPass,
      io.objtool.check.passes.StackValidationPass,
      io.objtool.check.passes.StackStatePass,
      io.objtool.check.passes.BacktracePass,
      io.objtool.check.passes.NoinstrPass,
      io.objtool.check.passes.FramePointerPass,
      io.objtool.check.passes.UaccessPass;
}
