package io.objtool.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The totals of a batch: how many objects, how they exited, warnings, time and memory.
 *
 * @param files objects processed
 * @param byExit how many objects exited with each status (timeouts count as 124)
 * @param timeouts objects that did not finish in time
 * @param warnings warnings of the check over all objects
 * @param nanos wall time of the whole batch
 * @param jobs worker threads
 * @param peakRssKb the process's peak resident set size (0 when unknown)
 * @param exit the batch's exit status: the first non-zero status in input order, or 0
 */
record BatchSummary(int files, SortedMap<Integer, Integer> byExit, int timeouts, long warnings,
    long nanos, int jobs, long peakRssKb, int exit) {

  /** Accumulates results as they are reported. */
  static final class Tally {
    private int files;
    private final SortedMap<Integer, Integer> byExit = new TreeMap<>();
    private int timeouts;
    private long warnings;
    private int exit;

    void add(FileResult r) {
      files++;
      byExit.merge(r.status(), 1, Integer::sum);
      if (r.timedOut()) timeouts++;
      warnings += r.warnings().size();
      if (exit == 0) exit = r.status();
    }

    BatchSummary finish(long nanos, int jobs, long peakRssKb) {
      return new BatchSummary(files, new TreeMap<>(byExit), timeouts, warnings, nanos, jobs, peakRssKb, exit);
    }
  }

  /** Objects with a non-zero status. */
  int failed() {
    return files - byExit.getOrDefault(0, 0);
  }

  /** The one-line summary printed at the end of a batch. */
  String line() {
    StringBuilder sb = new StringBuilder("objtool-batch: ");
    sb.append(files).append(files == 1 ? " file" : " files");
    sb.append(String.format(" in %.2f s (%d jobs): %d ok, %d failed", nanos / 1e9, jobs, files - failed(), failed()));
    if (failed() > 0) {
      sb.append(" (");
      boolean first = true;
      for (Map.Entry<Integer, Integer> e : byExit.entrySet()) {
        if (e.getKey() == 0) continue;
        if (!first) sb.append(", ");
        first = false;
        sb.append(e.getKey() == FileResult.TIMEOUT_EXIT && timeouts > 0 ? "timeout/exit " : "exit ")
            .append(e.getKey()).append(": ").append(e.getValue());
      }
      sb.append(')');
    }
    sb.append("; ").append(warnings).append(warnings == 1 ? " warning" : " warnings");
    if (peakRssKb > 0) sb.append(String.format("; peak RSS %.1f MiB", peakRssKb / 1024.0));
    return sb.toString();
  }

  /** The summary as a JSON object. */
  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files", files);
    m.put("ok", files - failed());
    m.put("failed", failed());
    m.put("timeouts", timeouts);
    Map<String, Object> ex = new LinkedHashMap<>();
    for (Map.Entry<Integer, Integer> e : byExit.entrySet()) ex.put(String.valueOf(e.getKey()), e.getValue());
    m.put("by_exit", ex);
    m.put("warnings", warnings);
    m.put("wall_s", nanos / 1e9);
    m.put("jobs", jobs);
    m.put("peak_rss_kb", peakRssKb);
    m.put("exit", exit);
    return m;
  }
}
