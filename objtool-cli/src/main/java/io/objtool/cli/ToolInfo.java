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
}
