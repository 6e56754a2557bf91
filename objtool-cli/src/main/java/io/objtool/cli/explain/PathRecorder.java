package io.objtool.cli.explain;

import io.objtool.api.BranchVisitor;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.Warning;
import java.util.ArrayList;
import java.util.List;

/**
 * For {@code --explain}: keeps the steps the engine reports back along a path that a warning
 * ended ({@link BranchVisitor#visitBacktrace}, the data behind {@code --backtrace}), one
 * {@link WarnedPath} per warning. It prints nothing and asks for no walk of its own. It is not a
 * service: the command line adds it to the passes only when {@code --explain} is given.
 */
public final class PathRecorder implements Pass {
  /** The id of the rule whose warnings are {@code --backtrace}'s step lines, not findings. */
  static final String BACKTRACE_RULE = "backtrace";

  /** One step back along a path: the instruction, and how the path went on from it. */
  public record Step(Instruction insn, BranchVisitor.PathStep how) { }

  /**
   * The path that led to a warning, as the engine reported it: innermost step first, the start
   * (a function entry or an unwind hint) last.
   *
   * @param warning the warning that ended the path
   * @param steps the steps, innermost first
   */
  public record WarnedPath(Warning warning, List<Step> steps) { }

  private final List<WarnedPath> paths = new ArrayList<>();

  @Override
  public String option() {
    return "explain";
  }

  @Override
  public boolean enabled(Options options) {
    return true;
  }

  @Override
  public boolean needsWalk() {
    return false;
  }

  /** The paths recorded so far, in the order their warnings were reported. */
  public List<WarnedPath> paths() {
    return paths;
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new BranchVisitor(BranchVisitor.API_2, next) {
      private List<Step> open;

      @Override
      public void visitBacktrace(Instruction insn, PathStep how) {
        if (open == null) {
          Warning w = lastFinding(file.diag().warnings());
          open = new ArrayList<>();
          if (w != null) paths.add(new WarnedPath(w, open));
        }
        open.add(new Step(insn, how));
        // a path's report ends where the walk started
        if (how == PathStep.SYM || how == PathStep.HINT) open = null;
        super.visitBacktrace(insn, how);
      }
    };
  }

  private static Warning lastFinding(List<Warning> ws) {
    for (int i = ws.size() - 1; i >= 0; i--) {
      if (!ws.get(i).rule().id().equals(BACKTRACE_RULE)) return ws.get(i);
    }
    return null;
  }
}
