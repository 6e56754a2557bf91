package io.objtool.check.cfg;

/**
 * A fatal problem found while building the CFG (the reference's "return -1" paths): the warning
 * has already been reported; the check stops and writes nothing.
 */
public final class CfgException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean exitFailure;

  public CfgException() {
    this(false);
  }

  /** {@code exitFailure}: the object could not be read at all, and the tool exits non-zero. */
  public CfgException(boolean exitFailure) {
    super(null, null, false, false);
    this.exitFailure = exitFailure;
  }

  public boolean exitFailure() {
    return exitFailure;
  }
}
