package io.objtool.check.trace;

import io.objtool.api.BranchVisitor;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;

/**
 * {@code --trace=FUNC}: puts a {@link TraceRecorder} at the head of the visitor chain. It is not a
 * service (the command line adds it when the option is given, {@link #of}), it asks for no walk of
 * its own, and without it the engine reports no API 3 events at all.
 */
public final class TracePass implements Pass {
  private final Traces traces;

  /** A pass recording the walks of the functions {@code glob} matches into {@code traces}. */
  public TracePass(Traces traces) {
    this.traces = traces;
  }

  /** The pass for {@code options}' {@code --trace}, or null when it was not given. */
  public static TracePass of(Options options) {
    return options.trace() == null ? null : new TracePass(new Traces(Glob.of(options.trace())));
  }

  /** What it recorded. */
  public Traces traces() {
    return traces;
  }

  @Override
  public String option() {
    return "trace";
  }

  @Override
  public boolean enabled(Options options) {
    return options.trace() != null;
  }

  /** First in the chain, so it sees every call and every answer of the passes. */
  @Override
  public int order() {
    return Integer.MIN_VALUE;
  }

  @Override
  public boolean needsWalk() {
    return false;
  }

  @Override
  public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return new TraceRecorder(file, traces.glob(), traces, next);
  }
}
