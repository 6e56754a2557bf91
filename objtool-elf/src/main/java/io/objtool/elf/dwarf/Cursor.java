package io.objtool.elf.dwarf;

import io.objtool.elf.MalformedElfException;
import java.nio.file.Path;

/**
 * Reads little-endian fields and LEB128 numbers from a byte range; reading past its end is a
 * {@link MalformedElfException} naming the file, {@code where} in it (the section, the entry)
 * and the offset.
 */
final class Cursor {
  private final byte[] b;
  private final Path file;
  private final String where;
  int pos;
  int end;

  Cursor(byte[] b, Path file, String where) {
    this(b, 0, b.length, file, where);
  }

  Cursor(byte[] b, int pos, int end, Path file, String where) {
    this.b = b;
    this.pos = pos;
    this.end = end;
    this.file = file;
    this.where = where;
  }

  boolean more() { return pos < end; }

  MalformedElfException bad(String problem) {
    return bad(file, where, problem);
  }

  /** The malformed-input exception: {@code file: where: problem}, one line. */
  static MalformedElfException bad(Path file, String where, String problem) {
    return MalformedElfException.of(file, where + ": " + problem);
  }

  private void need(int n) {
    if (n > end - pos) throw bad("truncated at offset 0x" + Integer.toHexString(pos));
  }

  int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  int u16() {
    need(2);
    int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
    pos += 2;
    return v;
  }

  long u32() {
    need(4);
    long v = (b[pos] & 0xffL) | (b[pos + 1] & 0xffL) << 8 | (b[pos + 2] & 0xffL) << 16 | (b[pos + 3] & 0xffL) << 24;
    pos += 4;
    return v;
  }

  long s64() {
    long lo = u32();
    long hi = u32();
    return lo | hi << 32;
  }

  long uleb() {
    long v = 0;
    int shift = 0;
    while (true) {
      int x = u8();
      if (shift < 64) v |= (long) (x & 0x7f) << shift;
      shift += 7;
      if ((x & 0x80) == 0) return v;
    }
  }

  long sleb() {
    long v = 0;
    int shift = 0;
    int x;
    do {
      x = u8();
      if (shift < 64) v |= (long) (x & 0x7f) << shift;
      shift += 7;
    } while ((x & 0x80) != 0);
    if (shift < 64 && (x & 0x40) != 0) v |= -1L << shift;
    return v;
  }

  byte[] bytes(long n) {
    if (n < 0 || n > end - pos) throw bad("block of " + n + " bytes runs past the end");
    byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
    pos += (int) n;
    return r;
  }

  String cstring() {
    int s = pos;
    while (true) {
      if (pos >= end) throw bad("unterminated string at offset 0x" + Integer.toHexString(s));
      if (b[pos++] == 0) break;
    }
    return new String(b, s, pos - 1 - s, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
