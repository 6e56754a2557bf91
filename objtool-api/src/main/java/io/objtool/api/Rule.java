package io.objtool.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A rule: the unit every warning belongs to, in the style of Error Prone's bug patterns. A rule
 * has an id ({@code stack-state-mismatch}), a severity, a one-line summary, and a documentation
 * page {@code docs/rules/<id>.md} (what it means, why objtool cares, the usual causes and fixes,
 * an example). A rule is declared once, as a {@code static final} constant of the class that
 * emits its warnings, and every warning names it ({@link Diagnostics}); the machine-readable
 * outputs carry it (SARIF {@code ruleId} and {@code tool.driver.rules}, JSON {@code rule}), and
 * {@code docs/rules.md} is generated from the declarations.
 *
 * <p>A plug-in declares its own rules the same way; their ids should carry a prefix of its own.
 */
public final class Rule {
  /** How bad a warning of the rule is. */
  public enum Severity {
    /** Reported; the check goes on (objtool's exit status depends on the options). */
    WARNING,
    /** The object cannot be checked further: the check stops after it and writes nothing. */
    ERROR;

    /** {@code warning} or {@code error}, as SARIF's {@code level} and the docs spell it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final String id;
  private final Severity severity;
  private final String summary;

  private Rule(String id, Severity severity, String summary) {
    if (!ID.matcher(id).matches()) throw new IllegalArgumentException("rule id must be lower-case-with-dashes: " + id);
    if (summary.isBlank() || summary.contains("\n")) throw new IllegalArgumentException("rule summary must be one line: " + id);
    this.id = id;
    this.severity = Objects.requireNonNull(severity);
    this.summary = summary;
  }

  /** A rule whose warnings let the check go on. */
  public static Rule warning(String id, String summary) {
    return new Rule(id, Severity.WARNING, summary);
  }

  /** A rule whose warning stops the check of the object. */
  public static Rule error(String id, String summary) {
    return new Rule(id, Severity.ERROR, summary);
  }

  /** The id, lower case with dashes. */
  public String id() { return id; }

  /** The severity. */
  public Severity severity() { return severity; }

  /** The one-line summary. */
  public String summary() { return summary; }

  /** The documentation page, relative to the project root: {@code docs/rules/<id>.md}. */
  public String docPath() { return "docs/rules/" + id + ".md"; }

  /** Rules are equal when their ids are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Rule r && r.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id;
  }
}
