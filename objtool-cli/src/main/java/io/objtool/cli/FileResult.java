package io.objtool.cli;

import io.objtool.api.Warning;
import io.objtool.elf.dwarf.LineTable;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one object's run produced: the exact bytes a single {@code objtool} run would have printed
 * on stdout and stderr, its exit status, the structured warnings, and the wall time.
 *
 * @param file the object as named on the command line (or found in a directory)
 * @param exit the exit status; meaningless when {@code timedOut}
 * @param timedOut the run did not finish within the batch's time limit
 * @param stdout bytes printed on stdout
 * @param stderr bytes printed on stderr
 * @param warnings the check's warnings, in the order printed
 * @param sources the source line of each warning (same order; null entries where unknown), or
 *     an empty list when none is known
 * @param paths the {@code --trace} path of each warning (same order; null entries where its
 *     function was not traced), or an empty list when none was
 * @param nanos wall time of the run
 */
record FileResult(String file, int exit, boolean timedOut, byte[] stdout, byte[] stderr,
    List<Warning> warnings, List<LineTable.SourceLine> sources, List<TracePath> paths, long nanos) {

  /** A result whose warnings have no known source lines. */
  FileResult(String file, int exit, boolean timedOut, byte[] stdout, byte[] stderr, List<Warning> warnings, long nanos) {
    this(file, exit, timedOut, stdout, stderr, warnings, List.of(), List.of(), nanos);
  }

  /** The {@code --trace} path of the {@code i}-th warning, or null. */
  TracePath path(int i) {
    return i < paths.size() ? paths.get(i) : null;
  }

  /** The source line of the {@code i}-th warning, or null. */
  LineTable.SourceLine source(int i) {
    return i < sources.size() ? sources.get(i) : null;
  }

  /** The status a timed-out file counts as (that of timeout(1)). */
  static final int TIMEOUT_EXIT = 124;

  /** A run stopped waiting for after {@code nanos}. */
  static FileResult timeout(String file, long nanos) {
    return new FileResult(file, TIMEOUT_EXIT, true, new byte[0], new byte[0], List.of(), nanos);
  }

  /** The status to report: the exit code, or {@link #TIMEOUT_EXIT}. */
  int status() {
    return timedOut ? TIMEOUT_EXIT : exit;
  }

  /** The lines of stderr (without line ends; an unterminated last line counts). */
  List<String> stderrLines(Charset cs) {
    List<String> out = new ArrayList<>();
    String text = new String(stderr, cs);
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length();
      out.add(text.substring(start, nl));
      start = nl + 1;
    }
    return out;
  }

  /** The JSON object of this file, as in {@code --records} and {@code --format=json}. */
  Map<String, Object> toJson(Charset cs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", file);
    m.put("exit", timedOut ? (Object) "timeout" : (Object) exit);
    m.put("wall_s", nanos / 1e9);
    m.put("stderr", stderrLines(cs));
    m.put("stdout", new String(stdout, cs));
    List<Object> ws = new ArrayList<>();
    for (int i = 0; i < warnings.size(); i++) {
      Map<String, Object> w = warningJson(warnings.get(i), source(i));
      if (path(i) != null) w.put("trace", path(i).toJson());
      ws.add(w);
    }
    m.put("warnings", ws);
    return m;
  }

  /** A warning's JSON object; {@code source} (or null) gives its {@code source_file}, {@code source_line} and {@code source_column}. */
  static Map<String, Object> warningJson(Warning w, LineTable.SourceLine source) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", w.rule().id());
    m.put("rule_summary", w.rule().summary());
    m.put("severity", w.rule().severity().label());
    m.put("section", w.section());
    m.put("offset", w.offset() < 0 ? null : w.offset());
    m.put("function", w.function());
    m.put("function_offset", w.function() == null || w.functionOffset() < 0 ? null : w.functionOffset());
    m.put("message", w.message());
    m.put("source_file", source == null ? null : source.file());
    m.put("source_line", source == null ? null : source.line());
    m.put("source_column", source == null || source.column() == 0 ? null : source.column());
    m.put("line", w.line());
    return m;
  }
}
