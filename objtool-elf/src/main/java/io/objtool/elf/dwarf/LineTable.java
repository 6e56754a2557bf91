package io.objtool.elf.dwarf;

import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.ValueLayout;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The source lines of an object's code: its DWARF line-number programs ({@code .debug_line},
 * versions 2 to 5, 32- and 64-bit DWARF) run into a table that answers "which file and line is
 * {@code section+offset}", as {@code addr2line -j SECTION} does. In a relocatable object the
 * addresses (and, in version 5, the strings in {@code .debug_line_str} and {@code .debug_str})
 * come through the relocations of {@code .rela.debug_line}, so each row knows its section.
 *
 * <p>Line information is optional: an object without {@code .debug_line} has an empty table, and
 * a unit whose program is malformed (a field past the unit's end, an unknown form, an address
 * size other than 4 or 8, ...) adds the rows read before the fault and nothing more; a unit whose
 * length runs past the section ends the table. The file names the units make the reader decode
 * may total at most 4 times the object's size plus 1 MiB (a hostile table can name one long string
 * from every 4-byte entry): past that, a unit is malformed.
 */
public final class LineTable {
  private static final int DW_LNS_COPY = 1, DW_LNS_ADVANCE_PC = 2, DW_LNS_ADVANCE_LINE = 3, DW_LNS_SET_FILE = 4,
      DW_LNS_SET_COLUMN = 5, DW_LNS_NEGATE_STMT = 6, DW_LNS_SET_BASIC_BLOCK = 7, DW_LNS_CONST_ADD_PC = 8,
      DW_LNS_FIXED_ADVANCE_PC = 9;
  private static final int DW_LNE_END_SEQUENCE = 1, DW_LNE_SET_ADDRESS = 2, DW_LNE_DEFINE_FILE = 3;
  private static final int DW_LNCT_PATH = 1, DW_LNCT_DIRECTORY_INDEX = 2;
  private static final int DW_FORM_BLOCK = 0x09, DW_FORM_BLOCK1 = 0x0a, DW_FORM_DATA1 = 0x0b, DW_FORM_DATA2 = 0x05,
      DW_FORM_DATA4 = 0x06, DW_FORM_DATA8 = 0x07, DW_FORM_DATA16 = 0x1e, DW_FORM_STRING = 0x08, DW_FORM_STRP = 0x0e,
      DW_FORM_LINE_STRP = 0x1f, DW_FORM_UDATA = 0x0f, DW_FORM_SDATA = 0x0d, DW_FORM_BLOCK2 = 0x03, DW_FORM_BLOCK4 = 0x04,
      DW_FORM_STRX = 0x1a, DW_FORM_STRX1 = 0x25, DW_FORM_STRX2 = 0x26, DW_FORM_STRX3 = 0x27, DW_FORM_STRX4 = 0x28;

  /** A source location: the file's path as the line table names it, the line (1-based) and column (0 when unknown). */
  public record SourceLine(String file, int line, int column) { }

  /** One sequence of rows: increasing addresses in one section, ending (exclusive) at {@code end}. */
  private record Sequence(long[] addr, int[] line, int[] column, String[] file, long end) { }

  private final Map<Integer, List<Sequence>> bySection = new HashMap<>();

  /** A malformed unit: caught where the unit is read, which keeps its rows so far. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String what) {
      super(what, null, false, false);
    }
  }

  private LineTable() {}

  /** The line table of {@code elf}; empty when it has no {@code .debug_line}. */
  public static LineTable of(ElfFile elf) {
    LineTable t = new LineTable();
    Section sec = elf.section(".debug_line");
    if (sec == null || sec.size() == 0) return t;
    byte[] bytes = sec.data().toArray(ValueLayout.JAVA_BYTE);
    Reader r = new Reader(elf, bytes, sec.relocations(), 4 * elf.size() + (1 << 20));
    int pos = 0;
    while (pos < bytes.length) {
      int next = t.unit(r, pos);
      if (next <= pos) break;
      pos = next;
    }
    for (List<Sequence> l : t.bySection.values()) l.sort((a, b) -> Long.compare(a.addr[0], b.addr[0]));
    return t;
  }

  /** Whether the table has no rows. */
  public boolean isEmpty() {
    return bySection.isEmpty();
  }

  /**
   * The source line of {@code offset} in {@code sec}: the last row at or before it in the
   * sequence that covers it; null when no sequence covers it.
   */
  public SourceLine find(Section sec, long offset) {
    List<Sequence> seqs = bySection.get(sec.index());
    if (seqs == null) return null;
    // the sequences are sorted by start and do not overlap: the last one starting at or before
    // the offset is the only one that can cover it (a linked vmlinux has tens of thousands)
    int lo = 0, hi = seqs.size() - 1, k = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (seqs.get(mid).addr[0] <= offset) {
        k = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (k >= 0) {
      Sequence s = seqs.get(k);
      if (offset >= s.end) return null;
      int i = Arrays.binarySearch(s.addr, offset);
      if (i < 0) {
        i = -i - 2;
      } else {
        while (i + 1 < s.addr.length && s.addr[i + 1] == offset) i++; // the last row at an address holds
      }
      if (i < 0) return null;
      return new SourceLine(s.file[i], s.line[i], s.column[i]);
    }
    return null;
  }

  /** Reads the unit at {@code start}; returns the offset after it (or -1 when its length is unusable). */
  private int unit(Reader r, int start) {
    ByteBuffer b = r.buf;
    b.position(start);
    long unitLength;
    boolean dwarf64;
    try {
      unitLength = Integer.toUnsignedLong(b.getInt());
      dwarf64 = unitLength == 0xffffffffL;
      if (dwarf64) unitLength = b.getLong();
    } catch (BufferUnderflowException e) {
      return -1;
    }
    long endL = b.position() + unitLength;
    if (unitLength < 0 || endL > b.limit()) return -1;
    int end = (int) endL;
    int limit = b.limit();
    b.limit(end); // a read past the unit's end is a BufferUnderflowException
    try {
      program(r, dwarf64, end);
    } catch (BufferUnderflowException | Malformed e) {
      // a malformed unit: the rows read so far stay
    } finally {
      b.limit(limit);
    }
    return end;
  }

  private void program(Reader r, boolean dwarf64, int end) {
    ByteBuffer b = r.buf;
    int version = Short.toUnsignedInt(b.getShort());
    if (version < 2 || version > 5) return;
    int addressSize = 8;
    if (version >= 5) {
      addressSize = Byte.toUnsignedInt(b.get());
      b.get(); // segment selector size
    }
    long headerLength = dwarf64 ? b.getLong() : Integer.toUnsignedLong(b.getInt());
    long programStartL = b.position() + headerLength;
    if (headerLength < 0 || programStartL > end) return;
    int programStart = (int) programStartL;
    int minInsnLength = Byte.toUnsignedInt(b.get());
    if (version >= 4) b.get(); // maximum operations per instruction (1 on x86)
    boolean defaultIsStmt = b.get() != 0;
    int lineBase = b.get();
    int lineRange = Byte.toUnsignedInt(b.get());
    int opcodeBase = Byte.toUnsignedInt(b.get());
    if (lineRange == 0 || opcodeBase == 0) return;
    int[] argCounts = new int[opcodeBase];
    for (int i = 1; i < opcodeBase; i++) argCounts[i] = Byte.toUnsignedInt(b.get());

    List<String> dirs = new ArrayList<>();
    List<String> files = new ArrayList<>();
    if (version >= 5) {
      List<String[]> dirEntries = entries(r, dwarf64, end);
      for (String[] d : dirEntries) dirs.add(d[0] == null ? "" : d[0]);
      for (String[] f : entries(r, dwarf64, end)) files.add(join(r, dirs, f[0], f[1]));
    } else {
      dirs.add(""); // index 0: the compilation directory, which only .debug_info names
      for (String s; !(s = r.cstring(end)).isEmpty(); ) dirs.add(s);
      files.add(null); // version 2-4 file numbers start at 1
      for (String s; !(s = r.cstring(end)).isEmpty(); ) {
        long dir = r.uleb(end);
        r.uleb(end); // modification time
        r.uleb(end); // length
        files.add(join(r, dirs, s, Long.toString(dir)));
      }
    }
    b.position(programStart);

    // the state machine
    long address = 0;
    int sectionIndex = -1;
    int file = 1, line = 1, column = 0;
    Rows rows = new Rows();
    while (b.position() < end) {
      int op = Byte.toUnsignedInt(b.get());
      if (op >= opcodeBase) {
        int adj = op - opcodeBase;
        address += (long) (adj / lineRange) * minInsnLength;
        line += lineBase + adj % lineRange;
        rows.add(address, line, column, name(files, file));
        continue;
      }
      switch (op) {
        case 0 -> {
          long len = r.uleb(end);
          int at = b.position();
          if (len <= 0 || at + len > end) return;
          int sub = Byte.toUnsignedInt(b.get());
          switch (sub) {
            case DW_LNE_END_SEQUENCE -> {
              if (sectionIndex >= 0) rows.finish(this, sectionIndex, address);
              rows.n = 0;
              address = 0;
              sectionIndex = -1;
              file = 1;
              line = 1;
              column = 0;
            }
            case DW_LNE_SET_ADDRESS -> {
              int field = b.position();
              long[] where = r.address(field, addressSize);
              sectionIndex = (int) where[0];
              address = where[1];
            }
            case DW_LNE_DEFINE_FILE -> {
              String s = r.cstring(end);
              long dir = r.uleb(end);
              files.add(join(r, dirs, s, Long.toString(dir)));
            }
            default -> { }
          }
          b.position((int) (at + len));
        }
        case DW_LNS_COPY -> rows.add(address, line, column, name(files, file));
        case DW_LNS_ADVANCE_PC -> address += r.uleb(end) * minInsnLength;
        case DW_LNS_ADVANCE_LINE -> line += (int) r.sleb(end);
        case DW_LNS_SET_FILE -> file = (int) r.uleb(end);
        case DW_LNS_SET_COLUMN -> column = (int) r.uleb(end);
        case DW_LNS_NEGATE_STMT, DW_LNS_SET_BASIC_BLOCK -> { }
        case DW_LNS_CONST_ADD_PC -> address += (long) ((255 - opcodeBase) / lineRange) * minInsnLength;
        case DW_LNS_FIXED_ADVANCE_PC -> address += Short.toUnsignedInt(b.getShort());
        default -> {
          for (int i = 0; i < argCounts[op]; i++) r.uleb(end);
        }
      }
    }
  }

  private static String name(List<String> files, int file) {
    return file >= 0 && file < files.size() ? files.get(file) : null;
  }

  /** A path from a file entry: absolute as it is, else under its directory entry (when there is one). */
  private static String join(Reader r, List<String> dirs, String path, String dirIndex) {
    if (path == null) return null;
    if (path.startsWith("/") || dirIndex == null) return path;
    int d;
    try {
      d = Integer.parseInt(dirIndex);
    } catch (NumberFormatException e) {
      return path;
    }
    String dir = d >= 0 && d < dirs.size() ? dirs.get(d) : "";
    if (dir.isEmpty()) return path;
    r.charge(dir.length() + 1 + path.length());
    return dir.endsWith("/") ? dir + path : dir + "/" + path;
  }

  /** Version 5 directory or file entries: {path, directory index} per entry. */
  private static List<String[]> entries(Reader r, boolean dwarf64, int end) {
    ByteBuffer b = r.buf;
    int formats = Byte.toUnsignedInt(b.get());
    long[] kinds = new long[formats], forms = new long[formats];
    for (int i = 0; i < formats; i++) {
      kinds[i] = r.uleb(end);
      forms[i] = r.uleb(end);
    }
    long count = r.uleb(end);
    if (count < 0 || count > end - b.position()) throw new Malformed("entry count"); // every entry takes a byte or more
    List<String[]> out = new ArrayList<>();
    for (long k = 0; k < count; k++) {
      String[] e = new String[2];
      for (int i = 0; i < formats; i++) {
        String v = r.form((int) forms[i], dwarf64, end);
        if (kinds[i] == DW_LNCT_PATH) e[0] = v;
        else if (kinds[i] == DW_LNCT_DIRECTORY_INDEX) e[1] = v;
      }
      out.add(e);
    }
    return out;
  }

  /** The rows of one sequence as they are made. */
  private static final class Rows {
    long[] addr = new long[16];
    int[] line = new int[16], column = new int[16];
    String[] file = new String[16];
    int n;

    void add(long a, int l, int c, String f) {
      if (n == addr.length) {
        addr = Arrays.copyOf(addr, n * 2);
        line = Arrays.copyOf(line, n * 2);
        column = Arrays.copyOf(column, n * 2);
        file = Arrays.copyOf(file, n * 2);
      }
      addr[n] = a;
      line[n] = l;
      column[n] = c;
      file[n] = f;
      n++;
    }

    void finish(LineTable t, int section, long end) {
      if (n == 0 || end <= addr[0]) return; // a sequence that covers no address
      for (int i = 1; i < n; i++) if (addr[i] < addr[i - 1]) return; // not a sequence the spec allows
      t.bySection.computeIfAbsent(section, k -> new ArrayList<>()).add(new Sequence(Arrays.copyOf(addr, n),
          Arrays.copyOf(line, n), Arrays.copyOf(column, n), Arrays.copyOf(file, n), end));
    }
  }

  /** Reads {@code .debug_line}, applying its relocations where a field has one. */
  private static final class Reader {
    final ElfFile elf;
    final ByteBuffer buf;
    final Relocations relocs;
    /** The characters of names still to be decoded before the table is too large. */
    private long nameBudget;
    /** The allocated sections with an address, by address (made when an address is first looked up). */
    private Section[] allocated;
    /** The highest end address of {@link #allocated}{@code [0..i]}. */
    private long[] maxEnd;

    Reader(ElfFile elf, byte[] bytes, Relocations relocs, long nameBudget) {
      this.elf = elf;
      this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      this.relocs = relocs;
      this.nameBudget = nameBudget;
    }

    /** Counts {@code n} characters of names against the budget. */
    void charge(long n) {
      nameBudget -= n;
      if (nameBudget < 0) throw new Malformed("names past the budget");
    }

    /** The allocated section whose addresses hold {@code addr} (the first by address), or null. */
    private Section byAddress(long addr) {
      if (allocated == null) {
        allocated = elf.sections().stream().filter(s -> s.isAlloc() && s.addr() != 0 && s.size() > 0)
            .sorted((a, b) -> Long.compareUnsigned(a.addr(), b.addr())).toArray(Section[]::new);
        maxEnd = new long[allocated.length];
        for (int i = 0; i < allocated.length; i++) {
          long e = allocated[i].addr() + allocated[i].size();
          if (Long.compareUnsigned(e, allocated[i].addr()) < 0) e = -1L; // wraps: up to the top
          maxEnd[i] = i == 0 || Long.compareUnsigned(e, maxEnd[i - 1]) > 0 ? e : maxEnd[i - 1];
        }
      }
      // the last section starting at or before addr, then earlier ones in case sections overlap
      int lo = 0, hi = allocated.length - 1, k = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (Long.compareUnsigned(allocated[mid].addr(), addr) <= 0) {
          k = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      for (int i = k; i >= 0 && Long.compareUnsigned(addr, maxEnd[i]) < 0; i--) {
        Section s = allocated[i];
        if (Long.compareUnsigned(addr - s.addr(), s.size()) < 0) return s;
      }
      return null;
    }

    /** {section index, offset} of the address field at {@code at}: relocated, or found by the sections' addresses. */
    long[] address(int at, int size) {
      if (size != 8 && size != 4) throw new Malformed("address size " + size);
      if (at + size > buf.limit()) throw new Malformed("address past the unit");
      long raw = size == 8 ? buf.getLong(at) : Integer.toUnsignedLong(buf.getInt(at));
      int k = relocs == null ? -1 : relocs.at(at);
      if (k >= 0) {
        Symbol s = relocs.symbol(k);
        if (s == null || s.section() == null) return new long[] {-1, 0};
        return new long[] {s.section().index(), s.value() + relocs.addend(k)};
      }
      Section sec = byAddress(raw);
      return sec == null ? new long[] {-1, 0} : new long[] {sec.index(), raw - sec.addr()};
    }

    /** An offset field at the current position (4 or 8 bytes), relocated when a relocation applies. */
    long offset(boolean dwarf64) {
      int at = buf.position();
      long raw = dwarf64 ? buf.getLong() : Integer.toUnsignedLong(buf.getInt());
      int k = relocs == null ? -1 : relocs.at(at);
      if (k < 0) return raw;
      Symbol s = relocs.symbol(k);
      return (s == null ? 0 : s.value()) + relocs.addend(k);
    }

    /** A value of {@code form} as text (strings as they are, numbers in decimal; others skipped as null). */
    String form(int form, boolean dwarf64, int end) {
      switch (form) {
        case DW_FORM_STRING -> {
          return cstring(end);
        }
        case DW_FORM_LINE_STRP -> {
          return string(".debug_line_str", offset(dwarf64));
        }
        case DW_FORM_STRP -> {
          return string(".debug_str", offset(dwarf64));
        }
        case DW_FORM_UDATA -> {
          return Long.toString(uleb(end));
        }
        case DW_FORM_SDATA -> {
          return Long.toString(sleb(end));
        }
        case DW_FORM_DATA1 -> {
          return Integer.toString(Byte.toUnsignedInt(buf.get()));
        }
        case DW_FORM_DATA2 -> {
          return Integer.toString(Short.toUnsignedInt(buf.getShort()));
        }
        case DW_FORM_DATA4 -> {
          return Long.toString(Integer.toUnsignedLong(buf.getInt()));
        }
        case DW_FORM_DATA8 -> {
          return Long.toString(buf.getLong());
        }
        case DW_FORM_DATA16 -> skip(16);
        case DW_FORM_BLOCK -> skip(uleb(end));
        case DW_FORM_BLOCK1 -> skip(Byte.toUnsignedInt(buf.get()));
        case DW_FORM_BLOCK2 -> skip(Short.toUnsignedInt(buf.getShort()));
        case DW_FORM_BLOCK4 -> skip(Integer.toUnsignedLong(buf.getInt()));
        case DW_FORM_STRX -> uleb(end); // a string index: its base is in .debug_info, so the name stays unknown
        case DW_FORM_STRX1 -> skip(1);
        case DW_FORM_STRX2 -> skip(2);
        case DW_FORM_STRX3 -> skip(3);
        case DW_FORM_STRX4 -> skip(4);
        default -> throw new Malformed("form " + form);
      }
      return null;
    }

    private void skip(long n) {
      if (n < 0 || n > buf.remaining()) throw new Malformed("block length");
      buf.position(buf.position() + (int) n);
    }

    private String string(String section, long off) {
      Section s = elf.section(section);
      if (s == null) return null;
      var data = s.data();
      long size = data.byteSize();
      if (off < 0 || off >= size) return null;
      long e = off;
      while (e < size && data.get(ValueLayout.JAVA_BYTE, e) != 0) e++;
      charge(e - off);
      byte[] b = data.asSlice(off, e - off).toArray(ValueLayout.JAVA_BYTE);
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    String cstring(int end) {
      int start = buf.position();
      int e = start;
      while (e < end && buf.get(e) != 0) e++;
      if (e >= end) throw new Malformed("unterminated string");
      charge(e - start);
      byte[] b = new byte[e - start];
      buf.get(b);
      buf.get(); // the NUL
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    long uleb(int end) {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        if (buf.position() >= end) throw new Malformed("LEB128 past the unit");
        int c = Byte.toUnsignedInt(buf.get());
        if (shift < 64) v |= (long) (c & 0x7f) << shift;
        if ((c & 0x80) == 0) return v;
      }
    }

    long sleb(int end) {
      long v = 0;
      int shift = 0, c;
      do {
        if (buf.position() >= end) throw new Malformed("LEB128 past the unit");
        c = Byte.toUnsignedInt(buf.get());
        if (shift < 64) v |= (long) (c & 0x7f) << shift;
        shift += 7;
      } while ((c & 0x80) != 0);
      if (shift < 64 && (c & 0x40) != 0) v |= -1L << shift;
      return v;
    }
  }
}
