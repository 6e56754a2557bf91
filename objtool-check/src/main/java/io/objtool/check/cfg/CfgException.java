package io.objtool.check.cfg;

/**
 * A fatal problem found while building the CFG (the reference's "return -1" paths): the warning
 * has already been reported; the check stops and writes nothing.
 */
public final class CfgException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CfgException() {
    super(null, null, false, false);
  }
}
