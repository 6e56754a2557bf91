package io.objtool.cli;

/** The name and version reports give for this tool. */
final class ToolInfo {
  static final String NAME = "objtool-jvm";

  private ToolInfo() { }

  /** The jar's implementation version, or "dev" when run from classes. */
  static String version() {
    String v = ToolInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * The project's {@code docs/} directory when this build runs from a checkout
   * ({@code objtool-cli/target/*.jar} or {@code target/classes}), else null.
   */
  private static final java.nio.file.Path DOCS = findDocs();

  private static java.nio.file.Path findDocs() {
    try {
      java.nio.file.Path p = java.nio.file.Path.of(ToolInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (int up = 0; up < 4 && p != null; up++, p = p.getParent()) {
        java.nio.file.Path d = p.resolve("docs");
        if (java.nio.file.Files.isRegularFile(d.resolve("rules.md"))) return d;
      }
    } catch (RuntimeException | java.net.URISyntaxException e) {
      // no code source (e.g. an AOT-linked or unusual class loader): no links
    }
    return null;
  }

  /** A {@code file:} URI of the rule's documentation page, or null when the docs are not at hand. */
  static String ruleHelpUri(io.objtool.api.Rule rule) {
    if (DOCS == null) return null;
    java.nio.file.Path page = DOCS.getParent().resolve(rule.docPath());
    return java.nio.file.Files.isRegularFile(page) ? page.toUri().toString() : null;
  }
}
