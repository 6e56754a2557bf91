package io.objtool.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The parsed objtool command line, immutable: the actions (what to validate or generate) and the
 * options of objtool 6.12, plus the actions of plug-in passes. Built with {@link #builder()} (or
 * {@link #of}); read with the named accessors or by name with {@link #flag(String)}, so adding
 * an option changes no caller.
 *
 * <p>Flag names are the long options without dashes ({@code orc}, {@code link},
 * {@code static-call}, {@code no-unreachable}, ...); the hacks are {@code hacks=jump_label},
 * {@code hacks=noinstr}, {@code hacks=skylake}; {@code dump} is {@code --dump=orc}. Any other name
 * is a plug-in action.
 */
public final class Options {
  /** The flags of objtool 6.12, in the order of their bits. */
  public static final List<String> FLAGS = List.of("hacks=jump_label", "hacks=noinstr", "hacks=skylake",
      "ibt", "mcount", "noinstr", "orc", "retpoline", "rethunk", "unret", "sls", "stackval",
      "static-call", "uaccess", "cfi", "dump", "verbose", "backtrace", "backup", "dry-run", "link",
      "mnop", "module", "no-unreachable", "sec-address", "stats");

  /** The flags that are actions (besides {@code --dump}, which must stand alone). */
  private static final long ACTIONS = bits("hacks=jump_label", "hacks=noinstr", "ibt", "mcount", "noinstr",
      "orc", "retpoline", "rethunk", "sls", "stackval", "static-call", "uaccess");

  private final long flags;
  private final int prefix;
  private final Path objectFile;
  private final Set<String> pluginActions;
  private final java.util.Map<String, String> environment;
  private final String trace;

  private Options(Builder b) {
    this.trace = b.trace;
    this.environment = java.util.Map.copyOf(b.environment);
    this.flags = b.flags;
    this.prefix = b.prefix;
    this.objectFile = b.objectFile;
    this.pluginActions = Collections.unmodifiableSet(new LinkedHashSet<>(b.pluginActions));
  }

  private static long bit(String name) {
    int i = FLAGS.indexOf(name);
    return i < 0 ? 0 : 1L << i;
  }

  private static long bits(String... names) {
    long b = 0;
    for (String n : names) b |= bit(n);
    return b;
  }

  private boolean on(int i) {
    return (flags & (1L << i)) != 0;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.flags = flags;
    b.prefix = prefix;
    b.objectFile = objectFile;
    b.pluginActions.addAll(pluginActions);
    b.environment.putAll(environment);
    b.trace = trace;
    return b;
  }

  /**
   * Options with the given flags (names as in {@link #FLAGS}, {@code prefix=N}, or plug-in
   * actions), for tools and tests.
   */
  public static Options of(Path file, String... flags) {
    Builder b = builder().objectFile(file);
    for (String f : flags) {
      if (f.startsWith("prefix=")) b.prefix(Integer.parseInt(f.substring(7)));
      else b.set(f, true);
    }
    return b.build();
  }

  /** Whether the flag or plug-in action {@code name} was given. */
  public boolean flag(String name) {
    long b = bit(name);
    return b != 0 ? (flags & b) != 0 : pluginActions.contains(name);
  }

  /** Whether the action of a plug-in pass ({@link Pass#option()}) was given on the command line. */
  public boolean has(String pluginAction) {
    return flag(pluginAction);
  }

  /**
   * A setting of the environment the run received (e.g. {@code OBJTOOL_ORC_FORMAT}), or null.
   * Passes read the environment here, never from the process: one JVM may run many requests
   * with different environments.
   */
  public String env(String name) {
    return environment.get(name);
  }

  /** The plug-in actions given. */
  public Set<String> pluginActions() { return pluginActions; }

  /** {@code --hacks=jump_label}. */
  public boolean hackJumpLabel() { return on(0); }
  /** {@code --hacks=noinstr}. */
  public boolean hackNoinstr() { return on(1); }
  /** {@code --hacks=skylake}. */
  public boolean hackSkylake() { return on(2); }
  /** {@code --ibt}. */
  public boolean ibt() { return on(3); }
  /** {@code --mcount}. */
  public boolean mcount() { return on(4); }
  /** {@code --noinstr}. */
  public boolean noinstr() { return on(5); }
  /** {@code --orc}. */
  public boolean orc() { return on(6); }
  /** {@code --retpoline}. */
  public boolean retpoline() { return on(7); }
  /** {@code --rethunk}. */
  public boolean rethunk() { return on(8); }
  /** {@code --unret}. */
  public boolean unret() { return on(9); }
  /** {@code --sls}. */
  public boolean sls() { return on(10); }
  /** {@code --stackval}. */
  public boolean stackval() { return on(11); }
  /** {@code --static-call}. */
  public boolean staticCall() { return on(12); }
  /** {@code --uaccess}. */
  public boolean uaccess() { return on(13); }
  /** {@code --cfi}. */
  public boolean cfi() { return on(14); }
  /** {@code --dump=orc}. */
  public boolean dumpOrc() { return on(15); }
  /** {@code --verbose}. */
  public boolean verbose() { return on(16); }
  /** {@code --backtrace}. */
  public boolean backtrace() { return on(17); }
  /** {@code --backup}. */
  public boolean backup() { return on(18); }
  /** {@code --dry-run}. */
  public boolean dryRun() { return on(19); }
  /** {@code --link}. */
  public boolean link() { return on(20); }
  /** {@code --mnop}. */
  public boolean mnop() { return on(21); }
  /** {@code --module}. */
  public boolean module() { return on(22); }
  /** {@code --no-unreachable}. */
  public boolean noUnreachable() { return on(23); }
  /** {@code --sec-address}. */
  public boolean secAddress() { return on(24); }
  /** {@code --stats}. */
  public boolean stats() { return on(25); }
  /** {@code --prefix=N} (0 when not given). */
  public int prefix() { return prefix; }
  /**
   * {@code --trace=FUNC} (upstream objtool's option of 6.19): the function name or glob
   * ({@code *}, {@code ?}, {@code [...]}) whose walk is to be traced step by step, or null.
   */
  public String trace() { return trace; }
  /** The object file named on the command line (may be null in tools and tests). */
  public Path objectFile() { return objectFile; }

  /** At least one action (what the reference requires, besides --dump), or a plug-in action. */
  public boolean hasAction() {
    return (flags & ACTIONS) != 0 || !pluginActions.isEmpty();
  }

  /** {@code --dump} without other actions. */
  public boolean isDump() {
    return dumpOrc() && !hasAction();
  }

  /** The same options with {@code --link} set as given. */
  public Options withLink(boolean newLink) {
    return toBuilder().set("link", newLink).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Options x && x.flags == flags && x.prefix == prefix
        && Objects.equals(x.objectFile, objectFile) && x.pluginActions.equals(pluginActions)
        && x.environment.equals(environment) && Objects.equals(x.trace, trace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(flags, prefix, objectFile, pluginActions);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Options[");
    for (int i = 0; i < FLAGS.size(); i++) if (on(i)) b.append(FLAGS.get(i)).append(' ');
    if (prefix != 0) b.append("prefix=").append(prefix).append(' ');
    for (String p : pluginActions) b.append(p).append(' ');
    if (trace != null) b.append("trace=").append(trace).append(' ');
    return b.append(objectFile).append(']').toString();
  }

  /** Builds {@link Options}. */
  public static final class Builder {
    private long flags;
    private int prefix;
    private Path objectFile;
    private final Set<String> pluginActions = new LinkedHashSet<>();
    private final java.util.Map<String, String> environment = new java.util.HashMap<>();
    private String trace;

    private Builder() {}

    /** Sets {@code --trace=FUNC}: a function name or glob, or null for no trace. */
    public Builder trace(String funcGlob) {
      trace = funcGlob;
      return this;
    }

    /** Sets the environment the run received (replacing any set before). */
    public Builder environment(java.util.Map<String, String> env) {
      environment.clear();
      env.forEach((k, v) -> {
        if (k != null && v != null) environment.put(k, v);
      });
      return this;
    }

    /** Sets flag {@code name} (see {@link Options}); an unknown name is a plug-in action. */
    public Builder set(String name, boolean value) {
      long b = bit(name);
      if (b != 0) flags = value ? flags | b : flags & ~b;
      else if (value) pluginActions.add(name);
      else pluginActions.remove(name);
      return this;
    }

    /** Sets {@code --prefix=N}. */
    public Builder prefix(int n) {
      prefix = n;
      return this;
    }

    /** Sets the object file. */
    public Builder objectFile(Path file) {
      objectFile = file;
      return this;
    }

    /** The options. */
    public Options build() {
      return new Options(this);
    }
  }
}
