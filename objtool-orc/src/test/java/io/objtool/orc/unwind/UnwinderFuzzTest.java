package io.objtool.orc.unwind;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;

/**
 * Fuzz target: the ORC unwinder over hostile stack memory and a hostile table. The fuzzer chooses
 * the table (ips and raw entries, either format), one or two stack regions with their contents,
 * and the start (an ip/sp/bp, or a full or iret-only pt_regs frame). An unwind always ends, with
 * a stop reason, within its frame limit, and the fast lookup table unwinds exactly as the binary
 * search does. {@code scripts/fuzz.sh unwind SECONDS} fuzzes it.
 */
class UnwinderFuzzTest {
  private static final int MAX_FRAMES = 512;

  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    OrcFormat format = data.consumeBoolean() ? OrcFormat.CURRENT : OrcFormat.V6_1;
    int n = data.consumeInt(0, 32);
    long ipBase = data.consumeLong();
    long[] ips = new long[n];
    OrcEntry[] entries = new OrcEntry[n];
    for (int i = 0; i < n; i++) {
      ips[i] = ipBase + data.consumeInt(0, 1 << 16);
      entries[i] = new OrcEntry(format, data.consumeShort(), data.consumeShort(), data.consumeShort());
    }
    OrcTable table = OrcTable.of(format, ips, entries);
    ByteArrayMemory mem = new ByteArrayMemory();
    int regions = data.consumeInt(1, 2);
    long[] bases = new long[regions];
    for (int r = 0; r < regions; r++) {
      bases[r] = data.consumeLong();
      mem.add(bases[r], data.consumeBytes(data.consumeInt(0, 4096)), data.consumeInt(0, 1));
    }
    long sp = bases[0] + data.consumeInt(-64, 4096);
    long ip = n > 0 && data.consumeBoolean() ? ips[data.consumeInt(0, n - 1)] + data.consumeInt(-2, 2) : data.consumeLong();
    long bp = data.consumeBoolean() ? sp + data.consumeInt(-64, 4096) : data.consumeLong();
    int start = data.consumeInt(0, 3);
    Unwind plain = unwind(new OrcUnwinder(table, mem), start, ip, sp, bp);
    if (n == 0) return;
    if (table.ip(0) == -1L) return; // every ip at the last address: no range to look up in
    FastLookup fast = FastLookup.build(table, table.ip(0), FastLookup.stopAfter(table.ip(n - 1)), 16);
    Unwind quick = unwind(new OrcUnwinder(fast, mem), start, ip, sp, bp);
    if (plain != null && !plain.equals(quick)) {
      throw new AssertionError("fast lookup unwinds differently:\n" + plain + "\n" + quick);
    }
  }

  private static Unwind unwind(OrcUnwinder u, int start, long ip, long sp, long bp) {
    Frame first = switch (start) {
      case 0 -> OrcUnwinder.at(ip, sp, bp);
      case 1 -> OrcUnwinder.returningTo(ip, sp, bp);
      default -> u.fromRegs(sp, start == 2, bp);
    };
    if (first == null) return null;
    Unwind w = u.unwind(first, MAX_FRAMES);
    if (w.reason() == null) throw new AssertionError("an unwind without a stop reason: " + w);
    if (w.frames().size() > MAX_FRAMES) throw new AssertionError(w.frames().size() + " frames, limit " + MAX_FRAMES);
    return w;
  }

  @FuzzTest
  void unwind(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }
}
