package io.objtool.api;

import io.objtool.api.internal.Cfi;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.Arrays;

/**
 * The instructions of one decoded section as columns, one array per field indexed by the
 * instruction's position ({@link Instruction} is a view of one row): no object per instruction.
 * The file's pseudo-instructions (the NOPs padding short alternatives), which belong to no
 * section's list, live in one more table of the file whose rows each name their section.
 */
final class InsnTable {
  /** Internal flag bit: the row has a {@link Rare} record. Not one of the public flags. */
  static final int HAS_RARE = 1 << 15;
  /** {@link #dest}: no destination. */
  static final int NO_DEST = 0;
  /** {@link #dest}: the destinations are in the row's {@link Rare} record. */
  static final int DEST_RARE = Integer.MIN_VALUE;
  private static final int TYPE_MASK = 31;
  static final int VISITED_SHIFT = 5;

  final ObjtoolFile file;
  /** The section of every row; null for the pseudo-instruction table (see {@link #secs}). */
  final Section sec;
  /** Per row, the section of a pseudo-instruction; null for a section's table. */
  Section[] secs;
  /** Seed of {@link Instruction#hashCode()}: distinct per table. */
  final int salt;
  /** File-wide number of row 0 (jump destinations are stored as such numbers); -1 for pseudo-instructions. */
  int base = -1;
  int count;

  int[] offset;
  byte[] len;
  /** The {@link io.objtool.api.arch.InsnType} ordinal (low 5 bits) and the visited bits (high 3). */
  byte[] typeVisited;
  /** The {@code Instruction} flags, and {@link #HAS_RARE}. */
  short[] flags;
  /**
   * The immediates, sparse (about one instruction in five has one): a bit per row whose
   * immediate is a non-zero int, the number of such rows before each 64 (set as rows are
   * appended), and their values in row order, in chunks of at most 4,096 (no large copy as they grow). A row whose
   * immediate does not fit, or was changed to a value it has no slot for, has it in its
   * {@link Rare} record instead.
   */
  long[] immBits;
  int[] immRank;
  int[][] immChunks = new int[1][];
  int immCount;
  private static final int CHUNK_SHIFT = 12;
  private static final int CHUNK = 1 << CHUNK_SHIFT;
  /**
   * Stack operations: the number of the row's distinct sequence in the file's pool (0: none).
   * A few thousand sequences serve millions of instructions, so a char holds it; a table whose
   * sequences pass 65,535 switches to {@link #opsWide}.
   */
  char[] ops;
  int[] opsWide;
  Func[] sym;
  /**
   * The destinations: {@link #NO_DEST}; a jump destination in a section's table as its file-wide
   * number + 1 (positive); a call destination as -(its symbol table index + 1); or
   * {@link #DEST_RARE} (both, or ones that have no such number).
   */
  int[] dest;
  Cfi[] cfi;
  /** Pseudo-instructions only: each row's relocation index, -1 none, -2 not looked up yet. */
  int[] reloc;
  /**
   * A section's table, filled on the first question: a bit per row that has a relocation, the
   * number of such rows before each 64, and their relocation indexes in row order.
   */
  long[] relocBits;
  int[] relocRank;
  int[] relocIdx;

  /** The rows' {@link Rare} records by row (open addressing; null until a row needs one). */
  private int[] rareKeys;
  private Rare[] rareVals;
  private int rareCount;

  InsnTable(ObjtoolFile file, Section sec, int capacity, int salt) {
    this.file = file;
    this.sec = sec;
    this.salt = salt;
    capacity = Math.max(capacity, 1);
    offset = new int[capacity];
    len = new byte[capacity];
    typeVisited = new byte[capacity];
    flags = new short[capacity];
    immBits = new long[(capacity + 63) >>> 6];
    immRank = new int[immBits.length];
    ops = new char[capacity];
    sym = new Func[capacity];
    dest = new int[capacity];
    cfi = new Cfi[capacity];
    if (sec == null) {
      secs = new Section[capacity];
      reloc = new int[capacity];
      Arrays.fill(reloc, -2);
    }
  }

  /** The fields few instructions need. */
  static final class Rare {
    Alternative alts;
    AltGroup altGroup;
    /** +1 / -1 for instrumentation begin/end annotations. */
    byte instr;
    /** Whether {@link #immediate} holds the immediate (not the sparse column). */
    boolean wide;
    long immediate;
    /** With {@link #DEST_RARE}: the jump destination and the call destination. */
    Instruction jump;
    Symbol call;
  }

  /** Appends a row; returns its index. */
  int add(Section s, int off, int length, int type, long immediate, int flag) {
    int i = count;
    if (i == offset.length) grow(i + (i >> 1) + 1);
    count = i + 1;
    if (secs != null) secs[i] = s;
    offset[i] = off;
    len[i] = (byte) length;
    typeVisited[i] = (byte) type;
    flags[i] = (short) flag;
    if ((i & 63) == 0) immRank[i >>> 6] = immCount;
    if (immediate != 0 && (int) immediate == immediate) {
      immBits[i >>> 6] |= 1L << i;
      int c = immCount >>> CHUNK_SHIFT;
      if (c == immChunks.length) immChunks = Arrays.copyOf(immChunks, c * 2);
      int k = immCount++ & (CHUNK - 1);
      int[] chunk = immChunks[c];
      if (chunk == null) immChunks[c] = chunk = new int[16];
      else if (k == chunk.length) immChunks[c] = chunk = Arrays.copyOf(chunk, Math.min(CHUNK, k * 2)); // small copies only
      chunk[k] = (int) immediate;
    } else if (immediate != 0) {
      setImmediate(i, immediate);
    }
    return i;
  }

  private void grow(int n) {
    offset = Arrays.copyOf(offset, n);
    len = Arrays.copyOf(len, n);
    typeVisited = Arrays.copyOf(typeVisited, n);
    flags = Arrays.copyOf(flags, n);
    immBits = Arrays.copyOf(immBits, (n + 63) >>> 6);
    immRank = Arrays.copyOf(immRank, immBits.length);
    if (opsWide != null) opsWide = Arrays.copyOf(opsWide, n);
    else ops = Arrays.copyOf(ops, n);
    sym = Arrays.copyOf(sym, n);
    dest = Arrays.copyOf(dest, n);
    cfi = Arrays.copyOf(cfi, n);
    if (secs != null) {
      secs = Arrays.copyOf(secs, n);
      int old = reloc.length;
      reloc = Arrays.copyOf(reloc, n);
      Arrays.fill(reloc, old, n, -2);
    }
  }

  /** Drops the unused tail of the columns (a section whose decode found fewer rows than counted). */
  void trim() {
    if (count < offset.length) grow(count);
  }

  int opsId(int i) { return opsWide != null ? opsWide[i] : ops[i]; }

  void setOpsId(int i, int id) {
    if (opsWide == null && id > Character.MAX_VALUE) {
      opsWide = new int[ops.length];
      for (int k = 0; k < ops.length; k++) opsWide[k] = ops[k];
      ops = null;
    }
    if (opsWide != null) opsWide[i] = id;
    else ops[i] = (char) id;
  }

  Section section(int i) { return sec != null ? sec : secs[i]; }

  int type(int i) { return typeVisited[i] & TYPE_MASK; }

  void setType(int i, int t) {
    typeVisited[i] = (byte) ((typeVisited[i] & ~TYPE_MASK) | t);
  }

  int visited(int i) { return (typeVisited[i] & 0xff) >>> VISITED_SHIFT; }

  void setVisited(int i, int bits) {
    typeVisited[i] |= (byte) (bits << VISITED_SHIFT);
  }

  long immediate(int i) {
    if ((flags[i] & HAS_RARE) != 0) {
      Rare r = rare(i);
      if (r.wide) return r.immediate;
    }
    int k = immSlot(i);
    return k < 0 ? 0 : immChunks[k >>> CHUNK_SHIFT][k & (CHUNK - 1)];
  }

  /** The row's place among the sparse immediates, or -1. */
  private int immSlot(int i) {
    long w = immBits[i >>> 6];
    long bit = 1L << i;
    return (w & bit) == 0 ? -1 : immRank[i >>> 6] + Long.bitCount(w & (bit - 1));
  }

  void setImmediate(int i, long immediate) {
    int k = immSlot(i);
    if ((int) immediate == immediate && (k >= 0 || immediate == 0)) {
      if (k >= 0) immChunks[k >>> CHUNK_SHIFT][k & (CHUNK - 1)] = (int) immediate;
      if ((flags[i] & HAS_RARE) != 0) rare(i).wide = false;
    } else {
      Rare r = rareForWrite(i);
      r.wide = true;
      r.immediate = immediate;
    }
  }

  /** The row's rare record, or null. */
  Rare rare(int i) {
    if ((flags[i] & HAS_RARE) == 0) return null;
    int[] k = rareKeys;
    int mask = k.length - 1;
    for (int s = mix(i) & mask; ; s = (s + 1) & mask) {
      if (k[s] == i + 1) return rareVals[s];
    }
  }

  /** The row's rare record, created when it has none. */
  Rare rareForWrite(int i) {
    Rare r = rare(i);
    if (r != null) return r;
    if (rareKeys == null) {
      rareKeys = new int[16];
      rareVals = new Rare[16];
    } else if ((rareCount + 1) * 2 > rareKeys.length) {
      int[] ok = rareKeys;
      Rare[] ov = rareVals;
      rareKeys = new int[ok.length * 2];
      rareVals = new Rare[ok.length * 2];
      for (int s = 0; s < ok.length; s++) if (ok[s] != 0) put(ok[s], ov[s]);
    }
    r = new Rare();
    put(i + 1, r);
    rareCount++;
    flags[i] |= (short) HAS_RARE;
    return r;
  }

  private void put(int key, Rare r) {
    int mask = rareKeys.length - 1;
    int s = mix(key - 1) & mask;
    while (rareKeys[s] != 0) s = (s + 1) & mask;
    rareKeys[s] = key;
    rareVals[s] = r;
  }

  private static int mix(int i) {
    int h = i * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  // ---------------------------------------------------------------- destinations

  Instruction jumpDest(int i) {
    int d = dest[i];
    if (d > 0) return file.insnById(d - 1);
    if (d == DEST_RARE) return rare(i).jump;
    return null;
  }

  Symbol callDest(int i) {
    int d = dest[i];
    if (d < 0 && d != DEST_RARE) return file.elf().symbol(-d - 1);
    if (d == DEST_RARE) return rare(i).call;
    return null;
  }

  void setDests(int i, Instruction jump, Symbol call) {
    int enc;
    if (jump == null && call == null) {
      enc = NO_DEST;
    } else if (call == null && jump.t.base >= 0 && jump.t.file == file) {
      enc = jump.t.base + jump.i + 1;
    } else if (jump == null && call.index() >= 0 && call.index() < file.elf().symbols().size()
        && file.elf().symbol(call.index()) == call) {
      enc = -call.index() - 1;
    } else {
      enc = DEST_RARE;
    }
    if (enc == DEST_RARE || dest[i] == DEST_RARE) {
      Rare r = enc == DEST_RARE ? rareForWrite(i) : rare(i);
      r.jump = enc == DEST_RARE ? jump : null;
      r.call = enc == DEST_RARE ? call : null;
    }
    dest[i] = enc;
  }
}
