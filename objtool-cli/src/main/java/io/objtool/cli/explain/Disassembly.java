package io.objtool.cli.explain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of every instruction of an object, by section and offset, from one run of binutils'
 * {@code objdump -dwr --no-show-raw-insn} (with the {@code CROSS_COMPILE} prefix, as
 * {@code --verbose} runs it); a relocation line is added to the instruction it patches.
 */
final class Disassembly {
  private static final Pattern SECTION = Pattern.compile("^Disassembly of section (.*):$");
  private static final Pattern INSN = Pattern.compile("^\\s*([0-9a-f]+):\\t(.*)$");
  /** A relocation {@code -w} puts on the instruction's line: {@code \tOFF: R_X86_64_PLT32\tsym-0x4}. */
  private static final Pattern INLINE_RELOC = Pattern.compile("\\s+[0-9a-f]+: (R_\\S+)\\s+(.*)$");
  private static final Pattern RELOC = Pattern.compile("^\\s*([0-9a-f]+): (R_\\S+)\\s+(.*)$");

  private final Map<String, Map<Long, String>> text = new HashMap<>();
  private final String problem;

  private Disassembly(String problem) {
    this.problem = problem;
  }

  /** The text of the instruction at {@code offset} of section {@code sec}, or null. */
  String at(String sec, long offset) {
    Map<Long, String> m = text.get(sec);
    return m == null ? null : m.get(offset);
  }

  /** Why there is no text (objdump missing or failing), or null. */
  String problem() {
    return problem;
  }

  /** Runs objdump once on {@code object} ({@code cwd}-relative, empty for the process's directory). */
  static Disassembly of(String object, Path cwd, Map<String, String> env) {
    String tool = env.getOrDefault("CROSS_COMPILE", "") + "objdump";
    ProcessBuilder pb = new ProcessBuilder(List.of(tool, "-dwr", "--no-show-raw-insn", object));
    if (!cwd.toString().isEmpty()) pb.directory(cwd.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    if (env.get("PATH") != null) pb.environment().put("PATH", env.get("PATH"));
    Disassembly d;
    try {
      Process p = pb.start();
      d = new Disassembly(null);
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        d.parse(in);
      }
      if (p.waitFor() != 0 && d.text.isEmpty()) d = new Disassembly(tool + " failed on " + object);
    } catch (IOException e) {
      d = new Disassembly(tool + " not found");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      d = new Disassembly(tool + " interrupted");
    }
    return d;
  }

  private void parse(BufferedReader in) throws IOException {
    Map<Long, String> sec = null;
    long last = -1;
    for (String line; (line = in.readLine()) != null; ) {
      Matcher m = SECTION.matcher(line);
      if (m.matches()) {
        sec = text.computeIfAbsent(m.group(1), k -> new HashMap<>());
        last = -1;
        continue;
      }
      if (sec == null) continue;
      Matcher r = RELOC.matcher(line);
      if (r.matches()) {
        if (last >= 0) sec.merge(last, "  \u2190 " + r.group(2) + " " + r.group(3), String::concat);
        continue;
      }
      Matcher i = INSN.matcher(line);
      if (i.matches()) {
        last = Long.parseLong(i.group(1), 16);
        String t = i.group(2);
        Matcher inline = INLINE_RELOC.matcher(t);
        if (inline.find()) t = t.substring(0, inline.start()) + "  \u2190 " + inline.group(1) + " " + inline.group(2);
        sec.put(last, t.replace('\t', ' ').strip());
      }
    }
  }
}
