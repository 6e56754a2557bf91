package io.objtool.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The peak resident set size of this process ({@code VmHWM} of {@code /proc/self/status}). */
final class PeakRss {
  private PeakRss() { }

  /** Peak RSS in KiB, or 0 where /proc is not available. */
  static long kib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return parse(line);
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /** The number of a {@code Name:  1234 kB} line. */
  static long parse(String line) {
    String v = line.substring(line.indexOf(':') + 1).trim();
    int sp = v.indexOf(' ');
    return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
  }
}
