package io.objtool.check.passes;

import com.google.auto.service.AutoService;
import io.objtool.api.BranchVisitor;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.Rule;

/**
 * {@code --backtrace} (and {@code --verbose}): after a warning that ended a path, one line per
 * step back along it to where the walk started, {@code "  FUNC+0xOFF: (branch)"} (two spaces,
 * then the location, inside the message). It needs no walk of its own: it reports on the walk
 * other actions ask for.
 */
@AutoService(Pass.class)
public final class BacktracePass implements Pass {
  /** Rule {@code backtrace}: One step of the path that led to the warning above it (`--backtrace`). */
  public static final Rule BACKTRACE = Rule.warning("backtrace", "One step of the path that led to the warning above it (`--backtrace`).");

  @Override
  public String option() {
    return "backtrace";
  }

  @Override
  public boolean enabled(Options options) {
    return options.backtrace() || options.verbose();
  }

  @Override
  public boolean needsWalk() {
    return false;
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new BranchVisitor(BranchVisitor.API_2, next) {
      @Override
      public void visitBacktrace(Instruction insn, PathStep step) {
        String what = switch (step) {
          case SYM -> "<=== (sym)";
          case HINT -> "<=== (hint)";
          case BRANCH -> "(branch)";
          case ALT -> "(alt)";
        };
        file.diag().warn(BACKTRACE, "  " + file.diag().offstr(insn.section(), insn.offset()) + ": " + what);
        super.visitBacktrace(insn, step);
      }
    };
  }
}
