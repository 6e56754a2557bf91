package io.objtool.api;

/**
 * A validation or generation pass, found with {@link java.util.ServiceLoader} and enabled by its
 * command-line option ({@link #option()}, e.g. {@code stackval}, {@code uaccess}, {@code orc}).
 * A pass takes part in the shared walk by contributing a {@link BranchVisitor} to the chain, and
 * may do its own work before or after it; it never walks the code itself.
 */
public interface Pass {
  /** The long option that enables it, without dashes. */
  String option();

  /** The help text shown in {@code --help} for a pass from outside the project. */
  default String help() {
    return option();
  }

  /**
   * Whether the options enable it. The built-in passes map their flag of {@link Options}; by
   * default a pass is enabled when its {@link #option()} was given on the command line.
   */
  default boolean enabled(Options options) {
    return options.has(option());
  }

  /** Position in the visitor chain: lower runs first (the reference's order of checks). */
  default int order() {
    return 100;
  }

  /** Whether this pass needs the engine's walk (the CFG and the CFI of every instruction). */
  default boolean needsWalk() {
    return true;
  }

  /** Adds this pass's visitor in front of {@code next}; returns {@code next} to take no part. */
  default BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
    return next;
  }

  /**
   * Before the special sections (alternatives, jump labels, exception tables) are read: for a
   * pass that must see the object as it was read (e.g. {@code --hacks=jump_label}).
   */
  default void beforeSpecialAlts(ObjtoolFile file) {}

  /**
   * After the CFG is built, before the walk: a validation that needs no walk (its warnings come
   * before the walk's, and count for skipping the unreachable-code report).
   *
   * @return the number of warnings it reported
   */
  default int beforeWalk(ObjtoolFile file) {
    return 0;
  }

  /** Runs after the walk, with the number of warnings so far (e.g. ORC generation, section writers). */
  default void finish(ObjtoolFile file, int warnings) {}
}
