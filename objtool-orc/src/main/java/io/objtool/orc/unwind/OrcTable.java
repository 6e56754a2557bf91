package io.objtool.orc.unwind;

import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcType;

/**
 * A sorted orc table: two parallel arrays, absolute ips and entries (kept as three primitive
 * columns: sp offset, bp offset, flag word). Sorted by ip; among entries at the same ip the weak
 * ones (undefined: section terminators) come first, so that a search for the rightmost entry at
 * or below an ip prefers the real entry.
 */
public final class OrcTable implements OrcLookup {
  private final OrcFormat format;
  private final long[] ips;
  private final short[] spOffsets;
  private final short[] bpOffsets;
  private final short[] flags;

  private OrcTable(OrcFormat format, long[] ips, short[] sp, short[] bp, short[] flags) {
    this.format = format;
    this.ips = ips;
    this.spOffsets = sp;
    this.bpOffsets = bp;
    this.flags = flags;
  }

  /** Sorts {@code ips} and {@code entries} together (neither array is changed). */
  public static OrcTable of(OrcFormat format, long[] ips, OrcEntry[] entries) {
    if (ips.length != entries.length) {
      throw new IllegalArgumentException(ips.length + " ips for " + entries.length + " orc entries");
    }
    int n = ips.length;
    short[] sp = new short[n];
    short[] bp = new short[n];
    short[] fl = new short[n];
    for (int i = 0; i < n; i++) {
      OrcEntry e = entries[i];
      if (e.format() != format) throw new IllegalArgumentException("orc entry " + i + " is in format " + e.format());
      sp[i] = e.spOffset();
      bp[i] = e.bpOffset();
      fl[i] = e.flags();
    }
    return sorted(format, ips.clone(), sp, bp, fl);
  }

  /** Sorts the columns in place (they become the table's). */
  static OrcTable sorted(OrcFormat format, long[] ips, short[] sp, short[] bp, short[] fl) {
    int n = ips.length;
    boolean[] weak = new boolean[n];
    for (int i = 0; i < n; i++) weak[i] = format.kind(fl[i] & 0xffff) == OrcType.UNDEFINED;
    int[] order = TableSort.order(ips, weak);
    long[] sIps = new long[n];
    short[] sSp = new short[n];
    short[] sBp = new short[n];
    short[] sFl = new short[n];
    for (int i = 0; i < n; i++) {
      int k = order[i];
      sIps[i] = ips[k];
      sSp[i] = sp[k];
      sBp[i] = bp[k];
      sFl[i] = fl[k];
    }
    return new OrcTable(format, sIps, sSp, sBp, sFl);
  }

  /** The format its entries were read in. */
  public OrcFormat format() { return format; }
  /** The number of entries. */
  public int size() { return ips.length; }
  /** The ip of entry {@code i} (sorted order). */
  public long ip(int i) { return ips[i]; }
  /** The sp (cfa) offset of entry {@code i}. */
  public short spOffset(int i) { return spOffsets[i]; }
  /** The bp offset of entry {@code i}. */
  public short bpOffset(int i) { return bpOffsets[i]; }
  /** The raw flag word of entry {@code i}, unsigned. */
  public int flags(int i) { return flags[i] & 0xffff; }

  /** Entry {@code i} as a value. */
  public OrcEntry entry(int i) {
    return new OrcEntry(format, spOffsets[i], bpOffsets[i], flags[i]);
  }

  @Override
  public OrcTable table() {
    return this;
  }

  /** Binary search over the whole table. */
  @Override
  public int find(long ip) {
    return find(ip, 0, ips.length - 1);
  }

  /**
   * The rightmost index in {@code [first, last]} whose ip is at or below {@code ip}, or -1 when
   * even {@code first}'s is above it (ips compare unsigned, as kernel addresses do).
   */
  public int find(long ip, int first, int last) {
    int found = -1;
    while (first <= last) {
      int mid = (first + last) >>> 1;
      if (Long.compareUnsigned(ips[mid], ip) <= 0) {
        found = mid;
        first = mid + 1;
      } else {
        last = mid - 1;
      }
    }
    return found;
  }
}
