package io.objtool.check;

import io.objtool.api.Func;
import io.objtool.api.ObjtoolFile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.objtool.check.trace.Objdump;

/**
 * {@code --verbose}: after the warnings, the disassembly of every function that was warned about,
 * in the reference's text. The reference pipes binutils' {@code objdump -wdr} of the object (the
 * tool named with the {@code CROSS_COMPILE} prefix) through a filter; this class runs the same
 * objdump once per object and filters its output itself:
 * <ul>
 *   <li>a label line ({@code ADDR <NAME>:}) naming a warned function starts printing, and its
 *       first field is the base address;
 *   <li>an empty line stops printing;
 *   <li>each printed line is prefixed with its first field, read as hex digits up to the first
 *       other character, less the base, in at least four hex digits (two's complement when
 *       negative, as for a {@code ...} line) and a space.
 * </ul>
 * The text goes to stderr after the warnings and before the object is written, so objdump reads
 * the object as it was given. When objdump cannot be run, the line a shell prints is printed and
 * the run goes on, as the reference's.
 */
public final class WarnedDisassembly {
  /** The environment variable whose value prefixes {@code objdump}, as in a kernel build. */
  public static final String CROSS_COMPILE = Objdump.CROSS_COMPILE;

  private static final Pattern LABEL = Pattern.compile(".*<(.*)>:");

  private WarnedDisassembly() {}

  /**
   * Prints the disassembly of the functions of {@code file} that were warned about to
   * {@code err}; nothing when none was, or when a step of the check failed and ended it early
   * (the reference disassembles after its last step).
   *
   * @param file the checked object
   * @param object the object's name as given on the command line (objdump opens it)
   * @param cwd the directory {@code object} is relative to; the empty path means the process's
   * @param env the run's environment: {@code CROSS_COMPILE} prefixes objdump, {@code PATH} finds it
   * @param err where the text goes
   */
  public static void print(ObjtoolFile file, String object, Path cwd, Map<String, String> env, PrintStream err) {
    if (io.objtool.api.internal.Model.checkStopped(file)) return;
    // a warned function under every name it has: objdump labels an address with one of its
    // aliases (init_module rather than the module's own name for its init function)
    Set<String> funcs = new HashSet<>();
    Map<io.objtool.elf.Section, Set<Long>> starts = new java.util.HashMap<>();
    for (Func f : file.funcs()) {
      if (!f.warned()) continue;
      funcs.add(f.name());
      if (f.section() != null) starts.computeIfAbsent(f.section(), k -> new HashSet<>()).add(f.offset());
    }
    for (var e : starts.entrySet()) {
      for (io.objtool.elf.Symbol s : e.getKey().symbols().functions()) {
        if (e.getValue().contains(s.value())) funcs.add(s.name());
      }
    }
    print(funcs, object, cwd, env, err);
  }

  /** Prints the disassembly of the functions named {@code funcs} in {@code object} to {@code err}. */
  static void print(Set<String> funcs, String object, Path cwd, Map<String, String> env, PrintStream err) {
    if (funcs.isEmpty()) return;
    List<String> printed = new ArrayList<>();
    boolean[] on = {false};
    long[] base = {0};
    Objdump.Outcome o = Objdump.run(List.of("-wdr", object), cwd, env, line -> {
      if (line.isEmpty()) on[0] = false;
      Matcher m = LABEL.matcher(line);
      if (m.find() && funcs.contains(m.replaceFirst("$1"))) {
        on[0] = true;
        base[0] = firstFieldHex(line);
      }
      if (on[0]) printed.add(hex4(firstFieldHex(line) - base[0]) + " " + line);
    });
    if (!o.started()) {
      err.println("sh: 1: " + o.tool() + ": not found");
      return;
    }
    // objdump's own complaints reach the terminal first: the reference's filter prints on exit
    err.write(o.stderr(), 0, o.stderr().length);
    for (String s : printed) {
      err.write(s.getBytes(StandardCharsets.ISO_8859_1), 0, s.length());
      err.write('\n');
    }
    err.flush();
  }

  /** The line's first blank-separated field read as hex digits up to the first other character (0 when none). */
  static long firstFieldHex(String line) {
    int i = 0, n = line.length();
    while (i < n && isBlank(line.charAt(i))) i++;
    long v = 0;
    for (; i < n; i++) {
      int d = Character.digit(line.charAt(i), 16);
      if (d < 0) break;
      v = (v << 4) | d;
    }
    return v;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** {@code v} in hex, at least four digits; negative values in 64-bit two's complement. */
  static String hex4(long v) {
    String h = Long.toHexString(v);
    return h.length() >= 4 ? h : "0000".substring(h.length()) + h;
  }
}
