package io.objtool.orc.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.mockito.Mockito.mock;

import io.objtool.elf.Section;
import org.junit.jupiter.api.Test;

/**
 * The generator's table of entries: chunks that double as it grows (nothing copied), read back
 * entry by entry across the chunk boundaries, with the runs of entries per section.
 */
class OrcTableTest {
  @Test
  void entriesReadBackAcrossChunksAndRunsFollowSections() {
    Section a = mock(Section.class), b = mock(Section.class), c = mock(Section.class);
    OrcGenerator.Table t = new OrcGenerator.Table();
    int n = 300_000; // chunks of 1024, 1024, 2048, ... 262144: the last one part full
    for (int i = 0; i < n; i++) {
      Section s = i < 1000 ? a : i < 5000 ? b : c;
      t.add(0x0000_0102_0304_0506L ^ ((long) i << 7), s, 3L * i + (s == c ? 1L << 40 : 0));
    }
    assertEquals(n, t.count);
    for (int i = 0; i < n; i++) {
      assertEquals(0x0000_0102_0304_0506L ^ ((long) i << 7), t.entry(i), "entry " + i);
      assertEquals(3L * i + (i >= 5000 ? 1L << 40 : 0), t.offset(i), "offset " + i);
    }
    assertEquals(3, t.runs());
    assertSame(a, t.runSection(0));
    assertSame(b, t.runSection(1));
    assertSame(c, t.runSection(2));
    assertEquals(0, t.runStart(0));
    assertEquals(1000, t.runEnd(0));
    assertEquals(1000, t.runStart(1));
    assertEquals(5000, t.runEnd(1));
    assertEquals(5000, t.runStart(2));
    assertEquals(n, t.runEnd(2));
  }

  @Test
  void aSectionMetAgainLaterStartsANewRun() {
    Section a = mock(Section.class), b = mock(Section.class);
    OrcGenerator.Table t = new OrcGenerator.Table();
    t.add(1, a, 0);
    t.add(2, b, 0);
    t.add(3, a, 4);
    assertEquals(3, t.runs());
    assertSame(a, t.runSection(2));
    assertEquals(2, t.runStart(2));
    assertEquals(3, t.runEnd(2));
    assertEquals(3, t.entry(2));
    assertEquals(4, t.offset(2));
  }
}
