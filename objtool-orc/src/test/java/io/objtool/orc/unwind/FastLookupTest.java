package io.objtool.orc.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcReg;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sorting and lookups against a linear scan. */
class FastLookupTest {
  /** The rightmost index whose ip is at or below {@code ip}, by a linear scan. */
  static int linear(OrcTable t, long ip) {
    int found = -1;
    for (int i = 0; i < t.size(); i++) if (Long.compareUnsigned(t.ip(i), ip) <= 0) found = i;
    return found;
  }

  static OrcTable random(Random r, int n, long base, int span) {
    long[] ips = new long[n];
    OrcEntry[] e = new OrcEntry[n];
    for (int i = 0; i < n; i++) {
      ips[i] = base + r.nextInt(span);
      e[i] = r.nextInt(5) == 0 ? OrcEntry.undefined(OrcFormat.CURRENT)
          : OrcEntry.call(OrcFormat.CURRENT, OrcReg.SP, 8 * (1 + r.nextInt(8)), OrcReg.UNDEFINED, 0);
    }
    return OrcTable.of(OrcFormat.CURRENT, ips, e);
  }

  @Test
  void sortedWithTerminatorsFirst() {
    OrcTable t = random(new Random(1), 5000, 0xffffffff_c0000000L, 20000);
    for (int i = 1; i < t.size(); i++) {
      int c = Long.compareUnsigned(t.ip(i - 1), t.ip(i));
      assertTrue(c < 0 || c == 0 && (t.entry(i - 1).isUndefined() || !t.entry(i).isUndefined()), "at " + i);
    }
  }

  @Test
  void aRealEntryWinsOverATerminatorAtTheSameIp() {
    long[] ips = {0x100, 0x100, 0x200};
    OrcEntry call = OrcEntry.call(OrcFormat.CURRENT, OrcReg.SP, 8, OrcReg.UNDEFINED, 0);
    OrcEntry[] e = {call, OrcEntry.undefined(OrcFormat.CURRENT), OrcEntry.undefined(OrcFormat.CURRENT)};
    OrcTable t = OrcTable.of(OrcFormat.CURRENT, ips, e);
    assertEquals(call, t.entry(t.find(0x100)));
    assertEquals(call, t.entry(t.find(0x1ff)));
    assertTrue(t.entry(t.find(0x200)).isUndefined());
    assertEquals(-1, t.find(0xff));
  }

  @Test
  void fastLookupAgreesWithBinaryAndLinearSearch() {
    Random r = new Random(7);
    long base = 0xffffffff_a0000000L; // kernel addresses: unsigned comparisons matter
    OrcTable t = random(r, 3000, base, 50000);
    for (int blocks : new int[] {1, 7, 64, 1024, 100000}) {
      FastLookup f = FastLookup.build(t, base + 1000, base + 40000, blocks);
      for (int k = 0; k < 20000; k++) {
        long ip = base - 100 + r.nextInt(50200);
        int want = linear(t, ip);
        assertEquals(want, t.find(ip), "binary at " + Long.toHexString(ip));
        assertEquals(want, f.find(ip), blocks + " blocks at " + Long.toHexString(ip));
      }
    }
    FastLookup whole = FastLookup.build(t);
    for (int k = 0; k < 20000; k++) {
      long ip = base + r.nextInt(50000);
      assertEquals(linear(t, ip), whole.find(ip));
    }
  }

  @Test
  void emptyTable() {
    OrcTable t = OrcTable.of(OrcFormat.CURRENT, new long[0], new OrcEntry[0]);
    assertEquals(-1, t.find(0x1000));
    assertEquals(-1, FastLookup.build(t, 0, 0x1000, 16).find(0x10));
  }
}
