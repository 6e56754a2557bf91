package io.objtool.cli;

import io.objtool.api.CfiState;
import io.objtool.api.Instruction;
import io.objtool.api.arch.CfiRegs;
import io.objtool.check.trace.Trace;
import io.objtool.elf.dwarf.LineTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The path of {@code --trace} that led to a warning, as the JSON records and SARIF results carry
 * it: the instructions from the walk's start to the warning, each with its location, the CFA after
 * it and (when the object has DWARF line information) its source line. A warning about a traced
 * function that no path reaches (unreachable code, a check made before the walk) has an empty path.
 *
 * @param function the traced function (null for a walk from an unwind hint outside one)
 * @param steps the instructions in path order
 */
record TracePath(String function, List<Step> steps) {
  /**
   * One instruction of a path.
   *
   * @param function the symbol covering it, or null
   * @param functionOffset its offset from that symbol, or -1
   * @param section its section
   * @param offset its offset in the section
   * @param cfaBase the register the CFA is based on after it ({@code rsp}, {@code rbp}, {@code undef} ...)
   * @param cfaOffset the CFA's offset from that register
   * @param source its source line, or null
   */
  record Step(String function, long functionOffset, String section, long offset, String cfaBase, int cfaOffset,
      LineTable.SourceLine source) {
    /** {@code rsp+16}. */
    String cfa() {
      return cfaBase + (cfaOffset >= 0 ? "+" : "") + cfaOffset;
    }

    /** {@code f+0x4}, or {@code .text+0x4} outside any symbol. */
    String where() {
      return function != null ? function + "+0x" + Long.toHexString(functionOffset) : section + "+0x" + Long.toHexString(offset);
    }
  }

  /** The path of a warning about a traced function that no traced walk reached. */
  static TracePath outside(String function) {
    return new TracePath(function, List.of());
  }

  /** {@code path} with source lines from {@code lines} (null: none). */
  static TracePath of(Trace.Path path, LineTable lines) {
    List<Step> out = new ArrayList<>(path.steps().size());
    for (Trace.Step s : path.steps()) {
      Instruction insn = s.insn();
      CfiState c = s.state();
      int base = c == null ? CfiRegs.UNDEFINED : c.cfaBase();
      LineTable.SourceLine src = lines == null ? null : lines.find(insn.section(), insn.offset());
      out.add(new Step(insn.sym() == null ? null : insn.sym().name(), insn.sym() == null ? -1 : insn.offset() - insn.sym().offset(),
          insn.section().name(), insn.offset(), base == CfiRegs.UNDEFINED ? "undef" : CfiRegs.name(base),
          c == null ? 0 : c.cfaOffset(), src));
    }
    return new TracePath(path.function(), List.copyOf(out));
  }

  /** The JSON object of the path: {@code {"function":..., "steps":[{function, function_offset, section, offset, cfa, cfa_base, cfa_offset, source_file, source_line}...]}}. */
  Map<String, Object> toJson() {
    List<Object> ss = new ArrayList<>(steps.size());
    for (Step s : steps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("function", s.function());
      m.put("function_offset", s.function() == null ? null : s.functionOffset());
      m.put("section", s.section());
      m.put("offset", s.offset());
      m.put("cfa", s.cfa());
      m.put("cfa_base", s.cfaBase());
      m.put("cfa_offset", s.cfaOffset());
      m.put("source_file", s.source() == null ? null : s.source().file());
      m.put("source_line", s.source() == null ? null : s.source().line());
      ss.add(m);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("function", function);
    m.put("steps", ss);
    return m;
  }
}
