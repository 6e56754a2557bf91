package io.objtool.elf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Serialises an {@link ElfFile}: encodes the symbol table, {@code .symtab_shndx} and every
 * relocation section from the model, lays sections out ({@link ElfFile.Layout}), and writes
 * atomically.
 */
final class ElfWriter {
  private static final int CHUNK = 1 << 30;
  /**
   * Bytes of a heap array written at a time: the JDK writes a heap buffer through a temporary
   * native copy of it, which it keeps for the thread (a whole section's size, in the peak RSS).
   */
  private static final int HEAP_CHUNK = 1 << 20;
  /** Zeros written at a time into a gap: the gap's size is the layout's, not memory's. */
  private static final int ZERO_CHUNK = 1 << 16;
  /**
   * How much larger than its input an object may be written: what objtool adds (ORC tables,
   * their relocations, annotation sections) stays far below; hostile alignments do not.
   */
  static final int GROWTH_LIMIT = 64;

  private final ElfFile f;
  private final boolean repack;
  /** Each section's bytes; null for a relocation section, encoded as it is written. */
  private MemorySegment[] content;
  /** Each section's size in the output. */
  private long[] size;
  private long[] offset;

  ElfWriter(ElfFile f, ElfFile.Layout layout) {
    this.f = f;
    // a linked image's program headers pin its sections: only relocatable objects are repacked
    this.repack = layout == ElfFile.Layout.REPACK && f.programHeaderCount() == 0;
  }

  void write(Path out) {
    encodeTables();
    long shoff = layout();
    checkSize(shoff);
    Path abs = out.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        emit(ch, shoff);
      }
      copyPermissions(abs, tmp);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw ElfException.of(out, "cannot write: " + e.getMessage());
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temporary file is all that is left; the output was not touched
        }
      }
    }
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    if (!Files.exists(from)) return;
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(from);
      Files.setPosixFilePermissions(to, p);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep the default permissions
    }
  }

  // ---------------------------------------------------------------- encoding

  private void encodeTables() {
    List<Section> secs = f.sections;
    boolean needShndx = false;
    if (f.symtab != null) {
      for (Symbol s : f.symbols) {
        if (s.section != null && (s.section.index >= Elf.SHN_LORESERVE || s.rawShndx == Elf.SHN_XINDEX)) {
          needShndx = true;
          break;
        }
      }
      if (needShndx && f.symtabShndx == null) {
        Section x = f.addSection(".symtab_shndx", Elf.SHT_SYMTAB_SHNDX, 0, 4, 4, new byte[0]);
        x.link = f.symtab.index;
        f.symtabShndx = x;
      }
    }
    content = new MemorySegment[secs.size()];
    size = new long[secs.size()];
    for (Section s : secs) {
      if (s.index == 0) continue;
      if (s.type == Elf.SHT_RELA && s.relocs != null) {
        size[s.index] = Math.multiplyExact((long) s.relocs.count(), Elf.RELA_SIZE);
        s.size = size[s.index];
        continue;
      } else if (s == f.symtab) {
        content[s.index] = encodeSymtab(false);
      } else if (s == f.symtabShndx && f.symtab != null) {
        content[s.index] = encodeSymtab(true);
      } else if (f.strings() != null && s == f.strings().section()) {
        content[s.index] = f.strings().bytes();
      } else if (f.shstrings() != null && s == f.shstrings().section()) {
        content[s.index] = f.shstrings().bytes();
      } else {
        content[s.index] = s.mappedOrOwn(); // its patches are written over it (emit)
      }
      size[s.index] = content[s.index].byteSize();
      if (s.type != Elf.SHT_NOBITS) s.size = size[s.index];
    }
  }

  /** Relocations encoded per write: at most this many at a time, so the whole table never is in memory. */
  private static final int RELA_BATCH = 1 << 14;

  /** Writes the entries of {@code r} at {@code at}, encoded a batch at a time. */
  private static void putRela(FileChannel ch, Relocations r, long at) throws IOException {
    int n = r.count();
    MemorySegment m = MemorySegment.ofArray(new byte[Math.min(n, RELA_BATCH) * Elf.RELA_SIZE]);
    for (int from = 0; from < n; from += RELA_BATCH) {
      int k = Math.min(RELA_BATCH, n - from);
      for (int j = 0; j < k; j++) {
        int i = from + j;
        long e = (long) j * Elf.RELA_SIZE;
        m.set(JAVA_LONG_UNALIGNED, e, r.offset(i));
        m.set(JAVA_LONG_UNALIGNED, e + 8, ((long) r.symbol(i).index << 32) | (r.type(i) & 0xffffffffL));
        m.set(JAVA_LONG_UNALIGNED, e + 16, r.addend(i));
      }
      put(ch, m.asSlice(0, (long) k * Elf.RELA_SIZE), at + (long) from * Elf.RELA_SIZE);
    }
  }

  /** The symbol table, or with {@code shndxTable} its {@code .symtab_shndx} companion. */
  private MemorySegment encodeSymtab(boolean shndxTable) {
    List<Symbol> syms = f.symbols;
    int n = syms.size();
    MemorySegment m = MemorySegment.ofArray(new byte[Math.multiplyExact(n, shndxTable ? 4 : Elf.SYM_SIZE)]);
    for (int i = 0; i < n; i++) {
      Symbol s = syms.get(i);
      if (s.index != i) throw new IllegalStateException("symbol " + s.name + " has index " + s.index + " at slot " + i);
      int shndx;
      int ext = 0;
      if (s.section != null) {
        if (s.section.index >= Elf.SHN_LORESERVE || s.rawShndx == Elf.SHN_XINDEX) {
          shndx = Elf.SHN_XINDEX;
          ext = s.section.index;
        } else {
          shndx = s.section.index;
        }
      } else {
        shndx = s.rawShndx >= 0 ? s.rawShndx : s.shndx;
      }
      if (shndxTable) {
        m.set(JAVA_INT_UNALIGNED, (long) i * 4, ext);
        continue;
      }
      long e = (long) i * Elf.SYM_SIZE;
      m.set(JAVA_INT_UNALIGNED, e, s.nameOffset);
      m.set(JAVA_BYTE, e + 4, (byte) s.info);
      m.set(JAVA_BYTE, e + 5, (byte) s.other);
      m.set(JAVA_SHORT_UNALIGNED, e + 6, (short) shndx);
      m.set(JAVA_LONG_UNALIGNED, e + 8, s.value);
      m.set(JAVA_LONG_UNALIGNED, e + 16, s.size);
    }
    return m;
  }

  // ---------------------------------------------------------------- layout

  private static boolean hasFileData(Section s) {
    return s.index != 0 && s.type != Elf.SHT_NOBITS;
  }

  private static long alignUp(long v, long align) {
    if (align <= 1) return v;
    return (v + align - 1) / align * align;
  }

  /** Chooses every section's offset; returns the section header table's offset. */
  private long layout() {
    List<Section> secs = f.sections;
    offset = new long[secs.size()];
    if (repack) {
      // index order, each section at its alignment (NOBITS too, taking no room), headers at 8 after
      long cursor = Elf.EHDR_SIZE;
      for (Section s : secs) {
        if (s.index == 0) continue;
        long off = alignUp(cursor, Math.max(1, s.addralign));
        offset[s.index] = off;
        cursor = hasFileData(s) ? off + size[s.index] : off; // NOBITS: aligned, no room
      }
      return secs.isEmpty() ? 0 : alignUp(cursor, 8);
    }
    List<Section> order = new ArrayList<>();
    for (Section s : secs) if (hasFileData(s) && !s.added) order.add(s);
    order.sort(Comparator.comparingLong((Section s) -> s.fileOffset).thenComparingInt(s -> s.index));
    for (Section s : secs) if (hasFileData(s) && s.added) order.add(s);

    long cursor = Elf.EHDR_SIZE;
    if (f.programHeaderCount() > 0) cursor = Math.max(cursor, f.phoff() + (long) f.programHeaderCount() * f.phentsize());
    boolean moved = false;
    for (Section s : order) {
      long len = size[s.index];
      long off;
      if (!s.added && s.fileOffset >= cursor) {
        off = s.fileOffset;
      } else {
        off = alignUp(cursor, Math.max(1, s.addralign));
        moved = true;
      }
      offset[s.index] = off;
      cursor = Math.max(cursor, off + len);
    }
    for (Section s : secs) {
      if (!hasFileData(s)) offset[s.index] = s.added ? alignUp(cursor, Math.max(1, s.addralign)) : s.fileOffset;
    }
    if (moved && f.programHeaderCount() > 0) {
      throw ElfException.of(f.path(), "cannot lay out a linked image with program headers anew");
    }
    long shoff = f.shoff();
    int shnum = secs.size();
    if (shoff < cursor || secs.size() != originalSectionCount()) shoff = alignUp(cursor, 8);
    if (shnum == 0) shoff = 0;
    return shoff;
  }

  /**
   * Refuses a layout past {@link #GROWTH_LIMIT} times the input (plus 16 MiB), or beyond what an
   * offset can hold: sections whose alignment asks for an exabyte of zeros, before one is written.
   */
  private void checkSize(long shoff) {
    long limit = GROWTH_LIMIT * Math.max(f.fileSize, Elf.EHDR_SIZE) + (16L << 20);
    long end = shoff + (long) f.sections.size() * Elf.SHDR_SIZE;
    boolean bad = shoff < 0 || end < 0;
    for (Section s : f.sections) {
      if (!hasFileData(s)) continue;
      long o = offset[s.index];
      long e = o + size[s.index];
      if (o < 0 || e < 0) bad = true;
      end = Math.max(end, e);
    }
    if (bad || end > limit) {
      throw MalformedElfException.of(f.path(), "the sections' alignments (sh_addralign) lay the output out over "
          + (bad ? "more than 2^63" : Long.toString(end)) + " bytes, more than " + GROWTH_LIMIT + " times the input's "
          + f.fileSize);
    }
  }

  private int originalSectionCount() {
    int n = 0;
    for (Section s : f.sections) if (!s.added) n++;
    return n;
  }

  // ---------------------------------------------------------------- output

  private void emit(FileChannel ch, long shoff) throws IOException {
    List<Section> secs = f.sections;
    int shnum = secs.size();
    long end = shnum == 0 ? Elf.EHDR_SIZE : shoff + (long) shnum * Elf.SHDR_SIZE;
    // regions in file order; gaps between them copied from the input where the input had the same layout
    List<long[]> regions = new ArrayList<>(); // {offset, length, section index or -1 for the ELF header, -2 for headers}
    regions.add(new long[] {0, Elf.EHDR_SIZE, -1});
    for (Section s : secs) {
      if (hasFileData(s)) regions.add(new long[] {offset[s.index], size[s.index], s.index});
    }
    if (shnum > 0) regions.add(new long[] {shoff, (long) shnum * Elf.SHDR_SIZE, -2});
    regions.sort(Comparator.comparingLong(r -> r[0]));
    for (long[] r : regions) end = Math.max(end, r[0] + r[1]);
    if (sameLayoutAsInput(shoff)) end = Math.max(end, f.fileSize);

    long pos = 0;
    for (long[] r : regions) {
      if (r[0] > pos) gap(ch, pos, r[0]);
      if (r[2] >= 0 && content[(int) r[2]] == null) {
        putRela(ch, secs.get((int) r[2]).relocs, r[0]);
      } else {
        put(ch, r[2] == -1 ? header(shoff, shnum) : r[2] == -2 ? sectionHeaders() : content[(int) r[2]], r[0]);
        if (r[2] >= 0) putPatches(ch, secs.get((int) r[2]), r[0]);
      }
      pos = Math.max(pos, r[0] + r[1]);
    }
    if (end > pos) gap(ch, pos, end);
  }

  private boolean sameLayoutAsInput(long shoff) {
    if (repack || shoff != f.shoff()) return false;
    for (Section s : f.sections) {
      if (s.added) return false;
      if (hasFileData(s) && (offset[s.index] != s.fileOffset || size[s.index] != s.size)) return false;
    }
    return true;
  }

  /** Unowned bytes: the input's where the input has them at the same place and layout, else zeros. */
  private void gap(FileChannel ch, long from, long to) throws IOException {
    long n = to - from;
    MemorySegment src;
    if (inputHasSameGap(from, to)) {
      src = f.image().asSlice(from, n);
    } else {
      src = MemorySegment.ofArray(new byte[(int) Math.min(n, ZERO_CHUNK)]);
      for (long o = 0; o < n; o += src.byteSize()) put(ch, src.asSlice(0, Math.min(src.byteSize(), n - o)), from + o);
      return;
    }
    put(ch, src, from);
  }

  private boolean inputHasSameGap(long from, long to) {
    if (repack || to > f.fileSize) return false;
    // where the input's section header table was and no longer is, the output has zeros (as libelf)
    long oldHeaders = f.shoff();
    if (oldHeaders != 0 && oldHeaders < to && oldHeaders + (long) originalSectionCount() * Elf.SHDR_SIZE > from) {
      return false;
    }
    // the gap is a gap of the input too when no section kept in place was moved into it
    for (Section s : f.sections) {
      if (!hasFileData(s)) continue;
      long o = offset[s.index];
      long e = o + size[s.index];
      if (o < to && e > from) return false;
      if (!s.added && s.fileOffset < to && s.fileOffset + s.size > from) return false;
    }
    return true;
  }

  /** Writes the pending patches of {@code s} (in order: later ones win) over its bytes written at {@code at}. */
  private static void putPatches(FileChannel ch, Section s, long at) throws IOException {
    for (int i = 0; i < s.patchCount(); i++) put(ch, MemorySegment.ofArray(s.patchBytes(i)), at + s.patchOffset(i));
  }

  private static void put(FileChannel ch, MemorySegment data, long at) throws IOException {
    long n = data.byteSize();
    long chunk = data.isNative() ? CHUNK : HEAP_CHUNK;
    for (long o = 0; o < n; o += chunk) {
      ByteBuffer b = data.asSlice(o, Math.min(chunk, n - o)).asByteBuffer();
      long p = at + o;
      while (b.hasRemaining()) p += ch.write(b, p);
    }
  }

  private MemorySegment header(long shoff, int shnum) {
    MemorySegment h = MemorySegment.ofArray(new byte[Elf.EHDR_SIZE]);
    MemorySegment.copy(f.ident, 0, h, JAVA_BYTE, 0, 16);
    h.set(JAVA_SHORT_UNALIGNED, 16, (short) f.type());
    h.set(JAVA_SHORT_UNALIGNED, 18, (short) f.machine());
    h.set(JAVA_INT_UNALIGNED, 20, f.version());
    h.set(JAVA_LONG_UNALIGNED, 24, f.entry());
    h.set(JAVA_LONG_UNALIGNED, 32, f.programHeaderCount() > 0 ? f.phoff() : 0); // libelf: no table, no offset
    h.set(JAVA_LONG_UNALIGNED, 40, shoff);
    h.set(JAVA_INT_UNALIGNED, 48, f.flags());
    h.set(JAVA_SHORT_UNALIGNED, 52, (short) f.ehsize());
    h.set(JAVA_SHORT_UNALIGNED, 54, (short) f.phentsize());
    h.set(JAVA_SHORT_UNALIGNED, 56, (short) f.programHeaderCount());
    h.set(JAVA_SHORT_UNALIGNED, 58, (short) (shnum == 0 && f.rawShnum == 0 ? readShentsize() : Elf.SHDR_SIZE));
    h.set(JAVA_SHORT_UNALIGNED, 60, (short) (extendedCount(shnum) ? 0 : shnum));
    int shstrndx = f.shstrtab() == null ? f.rawShstrndx : f.shstrtab().index;
    h.set(JAVA_SHORT_UNALIGNED, 62, (short) (extendedStrndx(shstrndx) ? Elf.SHN_XINDEX : shstrndx));
    return h;
  }

  private int readShentsize() {
    return f.image().get(JAVA_SHORT_UNALIGNED, 58) & 0xffff;
  }

  private boolean extendedCount(int shnum) {
    return shnum >= Elf.SHN_LORESERVE || (f.rawShnum == 0 && shnum > 0);
  }

  private boolean extendedStrndx(int shstrndx) {
    return shstrndx >= Elf.SHN_LORESERVE || f.rawShstrndx == Elf.SHN_XINDEX;
  }

  private MemorySegment sectionHeaders() {
    List<Section> secs = f.sections;
    int shnum = secs.size();
    MemorySegment m = MemorySegment.ofArray(new byte[shnum * Elf.SHDR_SIZE]);
    for (Section s : secs) {
      long h = (long) s.index * Elf.SHDR_SIZE;
      long size = s.size;
      int link = s.link;
      if (s.index == 0) {
        if (extendedCount(shnum)) size = shnum;
        int strndx = f.shstrtab().index;
        if (extendedStrndx(strndx)) link = strndx;
      }
      m.set(JAVA_INT_UNALIGNED, h, s.nameOffset);
      m.set(JAVA_INT_UNALIGNED, h + 4, s.type);
      m.set(JAVA_LONG_UNALIGNED, h + 8, s.flags);
      m.set(JAVA_LONG_UNALIGNED, h + 16, s.addr);
      m.set(JAVA_LONG_UNALIGNED, h + 24, s.index == 0 ? s.fileOffset : offset[s.index]);
      m.set(JAVA_LONG_UNALIGNED, h + 32, size);
      m.set(JAVA_INT_UNALIGNED, h + 40, link);
      m.set(JAVA_INT_UNALIGNED, h + 44, s.info);
      m.set(JAVA_LONG_UNALIGNED, h + 48, s.addralign);
      m.set(JAVA_LONG_UNALIGNED, h + 56, s.entsize);
    }
    return m;
  }
}
