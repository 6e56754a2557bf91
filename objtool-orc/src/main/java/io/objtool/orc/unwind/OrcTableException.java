package io.objtool.orc.unwind;

/** An orc table that cannot be loaded: missing sections, mismatched sizes, unresolvable ips. */
public final class OrcTableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A table that cannot be loaded, for the reason {@code message} says. */
  public OrcTableException(String message) {
    super(message, null, false, false);
  }
}
