package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void disabledBarPassesOutputThrough() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(err, false, 2, 80);
    bar.completed(true);
    bar.above(err, "line\n".getBytes(StandardCharsets.US_ASCII));
    bar.completed(false);
    bar.clear();
    assertEquals("line\n", err.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void enabledBarDrawsAndClearsAroundOutput() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(err, true, 2, 80);
    bar.completed(false);
    assertTrue(err.toString(StandardCharsets.US_ASCII).contains("] 1/2 files, 1 failed"), err.toString());
    bar.above(out, "x\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals("x\n", out.toString(StandardCharsets.US_ASCII));
    bar.completed(true);
    bar.clear();
    String s = err.toString(StandardCharsets.US_ASCII);
    assertTrue(s.contains("[" + "#".repeat(35) + "] 2/2 files"), s);
    assertTrue(s.endsWith("\r\033[K"), s);
  }

  @Test
  void peakRssParses() {
    assertEquals(81234, PeakRss.parse("VmHWM:\t   81234 kB"));
    assertTrue(PeakRss.kib() > 0);
  }
}
