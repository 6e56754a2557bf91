package io.objtool.check.trace;

import io.objtool.api.Instruction;
import io.objtool.elf.Section;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The disassembly text of some instructions, from binutils' objdump run once per section they are
 * in ({@code objdump -dwr --no-show-raw-insn -j SEC --start-address --stop-address}, the range
 * they cover) on the object: for each section and offset,
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
   * The text of the instructions of {@code insns} in {@code object} (named as on the command
   * line, relative to {@code cwd}): one objdump process per section they are in, limited to the
   * range of offsets they cover.
   */
  public static Disassembly of(String object, Path cwd, Map<String, String> env, Iterable<Instruction> insns) {
    Disassembly d = new Disassembly();
    Map<Section, long[]> ranges = new java.util.LinkedHashMap<>();
    for (Instruction insn : insns) {
      long[] r = ranges.computeIfAbsent(insn.section(), k -> new long[] {Long.MAX_VALUE, 0});
      r[0] = Math.min(r[0], insn.offset());
      r[1] = Math.max(r[1], insn.offset() + insn.length());
    }
    for (var e : ranges.entrySet()) {
      Section sec = e.getKey();
      List<String> args = List.of("-dwr", "--no-show-raw-insn", "-j", sec.name(),
          "--start-address=0x" + Long.toHexString(e.getValue()[0]), "--stop-address=0x" + Long.toHexString(e.getValue()[1]), object);
      Map<Long, String> text = d.text.computeIfAbsent(sec.name(), k -> new HashMap<>());
      long[] last = {-1};
      Objdump.Outcome o = Objdump.run(args, cwd, env, line -> d.read(line, text, last));
      if (!o.started()) {
        d.problem = o.tool() + ": not found";
        break;
      }
      if (text.isEmpty() && o.stderr().length > 0) d.problem = new String(o.stderr(), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
    }
    return d;
  }

  /** One line of objdump's output: an instruction (at {@code last[0]} then) or a relocation of the last one. */
  private void read(String line, Map<Long, String> text, long[] last) {
    if (SECTION.matcher(line).matches()) {
      last[0] = -1;
      return;
    }
    Matcher r = RELOC.matcher(line);
    if (r.matches() && last[0] >= 0) {
      text.merge(last[0], "", (a, b) -> a + " # " + r.group(2) + " " + r.group(3).strip());
      return;
    }
    Matcher i = INSN.matcher(line);
    if (i.matches()) {
      last[0] = Long.parseLong(i.group(1), 16);
      // objdump -w puts an instruction's relocations on its line: "\t28: R_X86_64_PLT32\tf-0x4"
      text.put(last[0], INLINE_RELOC.matcher(i.group(2)).replaceAll(" # $1 $2").strip().replaceAll("\\s+", " "));
    }
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
