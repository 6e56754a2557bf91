package io.objtool.api;

import java.util.Locale;

/**
 * Which objtool the check behaves like: 6.12 (the default) or 6.1, whose kernels use the older
 * ORC entry format and whose objtool differs in a few rules (the alternatives entry layout, the
 * list of noreturn functions, when a call ends a path, one unreachable-code warning per object).
 * Chosen by the environment variable {@value #ENV} ({@code 6.12} or {@code 6.1}), which a kernel
 * build passes through to objtool.
 */
public enum Compat {
/** objtool 6.12 (the default). */
  V6_12,
/** objtool 6.1. */
  V6_1;

  /** Rule {@code orc-format-invalid}: `OBJTOOL_ORC_FORMAT` has an unknown value. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  public static final Rule ORC_FORMAT_INVALID = Rule.error("orc-format-invalid", "`OBJTOOL_ORC_FORMAT` has an unknown value.");


  /** The environment variable naming the format. */
  public static final String ENV = "OBJTOOL_ORC_FORMAT";

  /** From {@value #ENV} in {@code env}: unset, empty, {@code 6.12} or {@code current} give 6.12. */
  public static Compat fromEnvironment(java.util.Map<String, String> env) {
    return parse(env.get(ENV));
  }

  /**
   * From a value of {@value #ENV}.
   *
   * @throws IllegalArgumentException for an unknown value
   */
  public static Compat parse(String v) {
    if (v == null) return V6_12;
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "", "6.12", "current" -> V6_12;
      case "6.1" -> V6_1;
      default -> throw new IllegalArgumentException(ENV + ": unknown orc format '" + v + "' (6.12 or 6.1)");
    };
  }
}
