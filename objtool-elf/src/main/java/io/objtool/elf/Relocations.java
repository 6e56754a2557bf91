package io.objtool.elf;

import java.util.Arrays;

/**
 * The entries of one {@code SHT_RELA} section, stored column by column (offset, type, symbol,
 * addend) in file order, with an offset-sorted view for range lookups. Symbols are held by
 * reference, so a writer may renumber the symbol table without touching relocations.
 */
public final class Relocations {
  private final Section rela;
  private long[] offset;
  private int[] type;
  private Symbol[] symbol;
  private long[] addend;
  private int count;
  /** Entry indices in offset order; null while file order is already sorted. */
  private int[] byOffset;
  private boolean sortedChecked;

  Relocations(Section rela, int capacity) {
    this.rela = rela;
    this.offset = new long[capacity];
    this.type = new int[capacity];
    this.symbol = new Symbol[capacity];
    this.addend = new long[capacity];
  }

  /** The {@code .rela} section holding these entries. */
  public Section section() { return rela; }
  /** The number of entries. */
  public int count() { return count; }
  /** {@code r_offset} of entry {@code i} (file order). */
  public long offset(int i) { return offset[check(i)]; }
  /** The relocation type ({@code R_X86_64_*}) of entry {@code i}. */
  public int type(int i) { return type[check(i)]; }
  /** The symbol entry {@code i} refers to ({@code ELF64_R_SYM}). */
  public Symbol symbol(int i) { return symbol[check(i)]; }
  /** {@code r_addend} of entry {@code i}. */
  public long addend(int i) { return addend[check(i)]; }

  private int check(int i) {
    if (i < 0 || i >= count) throw new IndexOutOfBoundsException(i);
    return i;
  }

  /** Appends an entry (reading and writing). */
  int add(long off, int relType, Symbol sym, long add) {
    if (count == offset.length) resize(Math.max(16, count * 2));
    if (count > 0 && off < offset[count - 1]) sortedChecked = false;
    offset[count] = off;
    type[count] = relType;
    symbol[count] = sym;
    addend[count] = add;
    byOffset = null;
    if (rela.file.readDone) rela.markDirty();
    return count++;
  }

  /**
   * Makes room for {@code more} entries beyond the current ones, so that adding them copies no
   * column (a writer that knows how many it adds reserves them first).
   */
  void reserve(int more) {
    if (more < 0) throw new IllegalArgumentException("reserve " + more);
    long need = (long) count + more;
    if (need > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many relocations: " + need);
    if (need > offset.length) resize((int) need);
  }

  private void resize(int n) {
    offset = Arrays.copyOf(offset, n);
    type = Arrays.copyOf(type, n);
    symbol = Arrays.copyOf(symbol, n);
    addend = Arrays.copyOf(addend, n);
  }

  /** Changes the addend of entry {@code i}. */
  void setAddend(int i, long value) {
    addend[check(i)] = value;
    rela.markDirty();
  }

  /** Changes the type of entry {@code i} (e.g. to {@code R_X86_64_NONE} when the code it patched is gone). */
  void setType(int i, int relType) {
    type[check(i)] = relType;
    rela.markDirty();
  }

  /** Changes the symbol of entry {@code i}. */
  void setSymbol(int i, Symbol sym) {
    symbol[check(i)] = sym;
    rela.markDirty();
  }

  void sealRead() {
    sortedChecked = false;
    sortIndex();
  }

  private void sortIndex() {
    if (sortedChecked) return;
    boolean sorted = true;
    for (int i = 1; i < count && sorted; i++) sorted = offset[i - 1] <= offset[i];
    if (sorted) {
      byOffset = null;
    } else {
      Integer[] idx = new Integer[count];
      for (int i = 0; i < count; i++) idx[i] = i;
      Arrays.sort(idx, (a, b) -> a.equals(b) ? 0 : offset[a] != offset[b] ? Long.compare(offset[a], offset[b]) : Integer.compare(a, b));
      byOffset = new int[count];
      for (int i = 0; i < count; i++) byOffset[i] = idx[i];
    }
    sortedChecked = true;
  }

  private long sortedOffset(int k) {
    return offset[byOffset == null ? k : byOffset[k]];
  }

  /** The file-order index of the entry that is {@code k}-th by offset (stable for equal offsets). */
  public int byOffset(int k) {
    sortIndex();
    if (k < 0 || k >= count) throw new IndexOutOfBoundsException(k);
    return byOffset == null ? k : byOffset[k];
  }

  /**
   * The entry (file-order index) with the lowest offset in {@code [start, start+len)}, or -1.
   * O(log n).
   */
  public int find(long start, long len) {
    sortIndex();
    int lo = 0, hi = count - 1, r = -1;
    while (lo <= hi) { // first k with offset >= start
      int mid = (lo + hi) >>> 1;
      if (sortedOffset(mid) >= start) {
        r = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    if (r < 0 || sortedOffset(r) >= start + len) return -1;
    return byOffset == null ? r : byOffset[r];
  }

  /** The entry at exactly {@code off}, or -1. */
  public int at(long off) {
    return find(off, 1);
  }
}
