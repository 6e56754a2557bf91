package io.objtool.elf;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A string table section ({@code SHT_STRTAB}): NUL-terminated names read in place from the
 * section's bytes, and names appended by a writer after the original bytes.
 */
final class StringTable {
  private final ElfFile file;
  private final Section section;
  private ByteArrayOutputStream added;

  StringTable(ElfFile file, Section section) {
    this.file = file;
    this.section = section;
  }

  Section section() {
    return section;
  }

  /** Names are copied through this buffer (one allocation per name: the string's own). */
  private byte[] scratch = new byte[256];

  /**
   * The name at {@code offset} of the entry {@code what} {@code index} (e.g. "symbol", 12, which
   * failures name); fails with one line when the offset or its terminator is out of the table.
   */
  String get(long offset, String what, long index) {
    MemorySegment data = section.data();
    long size = data.byteSize();
    if (offset < 0 || offset >= size) {
      if (added != null && offset >= size && offset < size + added.size()) {
        byte[] b = added.toByteArray();
        int start = (int) (offset - size);
        int end = start;
        while (b[end] != 0) end++;
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
      }
      throw file.error(what + " " + index + " name offset " + offset + " is outside " + section.name() + " (size " + size + ")");
    }
    long end = offset;
    while (end < size && data.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
    if (end == size) {
      throw file.error(what + " " + index + " name at offset " + offset + " of " + section.name() + " is not NUL-terminated");
    }
    int len = (int) (end - offset);
    if (len == 0) return "";
    file.chargeName(len, what, index);
    if (len > scratch.length) scratch = new byte[Math.max(len, scratch.length * 2)];
    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, scratch, 0, len);
    return new String(scratch, 0, len, StandardCharsets.ISO_8859_1);
  }

  /** Appends {@code name} and returns its offset in the table. */
  int add(String name) {
    if (added == null) added = new ByteArrayOutputStream();
    long offset = section.data().byteSize() + added.size();
    if (offset > Integer.MAX_VALUE) throw file.error(section.name() + " is too large");
    byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
    added.write(b, 0, b.length);
    added.write(0);
    section.markDirty();
    return (int) offset;
  }

  boolean grown() {
    return added != null && added.size() > 0;
  }

  /** The table's bytes including appended names. */
  MemorySegment bytes() {
    MemorySegment data = section.data();
    if (!grown()) return data;
    byte[] extra = added.toByteArray();
    byte[] all = new byte[Math.toIntExact(data.byteSize() + extra.length)];
    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, all, 0, (int) data.byteSize());
    System.arraycopy(extra, 0, all, (int) data.byteSize(), extra.length);
    return MemorySegment.ofArray(all);
  }
}
