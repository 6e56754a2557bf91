package io.objtool.orc.unwind;

/**
 * The fast lookup table over an {@link OrcTable}: the text range {@code [start, stop)} is cut
 * into equal blocks, and for each block boundary the table index covering it is precomputed, so
 * a lookup binary-searches only the entries between two boundaries. Ips outside the range fall
 * back to a search of the whole table.
 */
public final class FastLookup implements OrcLookup {
  /** The kernel's choice: 32k blocks. */
  public static final int DEFAULT_BLOCKS = 32 * 1024;

  private final OrcTable table;
  private final long start;
  private final long stop;
  private final long blockSize;
  private final int blocks;
  /** blocks + 1 boundaries: index covering the block's first ip (0 when none covers it). */
  private final int[] first;

  private FastLookup(OrcTable table, long start, long stop, int blocks) {
    if (Long.compareUnsigned(start, stop) >= 0) throw new IllegalArgumentException("empty lookup range");
    if (blocks < 1) throw new IllegalArgumentException("blocks " + blocks);
    this.table = table;
    this.start = start;
    this.stop = stop;
    long span = stop - start;
    this.blockSize = Math.max(1, Long.divideUnsigned(span + blocks - 1, blocks));
    this.blocks = blocks;
    this.first = new int[blocks + 1];
    for (int i = 0; i <= blocks; i++) {
      long at = i == blocks ? stop : start + blockSize * i;
      first[i] = Math.max(0, table.find(at));
    }
  }

  /** A lookup table of {@code blocks} blocks over {@code [start, stop)}. */
  public static FastLookup build(OrcTable table, long start, long stop, int blocks) {
    return new FastLookup(table, start, stop, blocks);
  }

  /** {@link #DEFAULT_BLOCKS} blocks over the table's own ip range (first ip to last ip + 1). */
  public static FastLookup build(OrcTable table) {
    if (table.size() == 0) throw new IllegalArgumentException("empty orc table");
    return build(table, table.ip(0), table.ip(table.size() - 1) + 1, DEFAULT_BLOCKS);
  }

  @Override
  public OrcTable table() {
    return table;
  }

  /** The first ip the lookup table covers. */
  public long start() { return start; }
  /** The ip just past the range the lookup table covers. */
  public long stop() { return stop; }
  /** The number of address blocks, each mapped to a range of table indexes. */
  public int blocks() { return blocks; }

  @Override
  public int find(long ip) {
    long off = ip - start;
    if (table.size() == 0) return -1;
    if (Long.compareUnsigned(ip, start) < 0 || Long.compareUnsigned(ip, stop) >= 0) return table.find(ip);
    int idx = (int) Long.divideUnsigned(off, blockSize);
    return table.find(ip, first[idx], first[idx + 1]);
  }
}
