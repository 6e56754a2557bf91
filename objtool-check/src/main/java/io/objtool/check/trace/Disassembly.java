package io.objtool.check.trace;

import io.objtool.api.Instruction;
import io.objtool.elf.Section;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The disassembly text of the instructions of some sections, from one run of
 * {@code objdump -dwr --no-show-raw-insn -j SEC...} on the object: for each section and offset,
 * the instruction's text, with the relocation objdump prints after it appended
 * ({@code call 9 <f+0x9> # R_X86_64_PLT32 g-0x4}). Empty (every {@link #text} null) when objdump
 * cannot be run; {@link #problem()} then says so.
 */
public final class Disassembly {
  private static final Pattern SECTION = Pattern.compile("^Disassembly of section (.*):$");
  private static final Pattern INSN = Pattern.compile("^\\s*([0-9a-f]+):\\t(.*)$");
  private static final Pattern INLINE_RELOC = Pattern.compile("\\s+[0-9a-f]+: (R_\\S+)\\s+(\\S+)");
  private static final Pattern RELOC = Pattern.compile("^\\s*([0-9a-f]+): (R_\\S+)\\s+(.*)$");

  private final Map<String, Map<Long, String>> text = new HashMap<>();
  private String problem;

  private Disassembly() {}

  /** No disassembly at all (instructions are shown by their bytes only). */
  public static Disassembly none() {
    return new Disassembly();
  }

  /**
   * The text of the instructions of {@code sections} of {@code object} (named as on the command
   * line, relative to {@code cwd}), with one objdump process.
   */
  public static Disassembly of(String object, Path cwd, Map<String, String> env, Iterable<Section> sections) {
    Disassembly d = new Disassembly();
    List<String> args = new ArrayList<>(List.of("-dwr", "--no-show-raw-insn"));
    boolean any = false;
    for (Section s : sections) {
      args.add("-j");
      args.add(s.name());
      any = true;
    }
    if (!any) return d;
    args.add(object);
    Map<Long, String>[] cur = new Map[] {null};
    long[] last = {-1};
    Objdump.Outcome o = Objdump.run(args, cwd, env, line -> {
      Matcher m = SECTION.matcher(line);
      if (m.matches()) {
        cur[0] = d.text.computeIfAbsent(m.group(1), k -> new HashMap<>());
        last[0] = -1;
        return;
      }
      if (cur[0] == null) return;
      Matcher r = RELOC.matcher(line);
      if (r.matches() && last[0] >= 0) {
        cur[0].merge(last[0], "", (a, b) -> a + " # " + r.group(2) + " " + r.group(3).strip());
        return;
      }
      Matcher i = INSN.matcher(line);
      if (i.matches()) {
        last[0] = Long.parseLong(i.group(1), 16);
        // objdump -w puts an instruction's relocations on its line: "\t28: R_X86_64_PLT32\tf-0x4"
        cur[0].put(last[0], INLINE_RELOC.matcher(i.group(2)).replaceAll(" # $1 $2").strip().replaceAll("\\s+", " "));
      }
    });
    if (!o.started()) d.problem = o.tool() + ": not found";
    else if (d.text.isEmpty() && o.stderr().length > 0) d.problem = new String(o.stderr(), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
    return d;
  }

  /** The instruction's text, or null when unknown. */
  public String text(Instruction insn) {
    Map<Long, String> m = text.get(insn.section().name());
    return m == null ? null : m.get(insn.offset());
  }

  /** Why there is no disassembly, or null. */
  public String problem() {
    return problem;
  }
}
