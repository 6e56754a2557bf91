package io.objtool.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.objtool.testkit.Oracles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, bit-flipped and field-overwritten copies of real objects: each either reads as a
 * consistent object or fails with one {@link ElfException} line naming the file; nothing else is
 * thrown and the input bytes never change.
 */
class MalformedInputTest {
  @TempDir Path dir;

  private List<byte[]> originals() throws Exception {
    List<byte[]> out = new ArrayList<>();
    out.add(Files.readAllBytes(Fixtures.compile(dir, "sample.c")));
    out.add(Files.readAllBytes(Oracles.requireCorpusFile("6.12/stripped/net/key/af_key.ko")));
    return out;
  }

  @Test
  void truncatedCopies() throws Exception {
    int cases = 0;
    for (byte[] orig : originals()) {
      long shoff = ByteBuffer.wrap(orig).order(ByteOrder.LITTLE_ENDIAN).getLong(40);
      List<Integer> lengths = new ArrayList<>(List.of(0, 1, 4, 16, 63, 64, 65, (int) shoff, (int) shoff + 1, orig.length - 1));
      for (int i = 1; i < 64; i++) lengths.add(orig.length * i / 64);
      for (int len : lengths) {
        // gcc and ld put the section header table last: any truncation must be rejected
        assertTrue(check(java.util.Arrays.copyOf(orig, len), "truncated to " + len), "accepted truncation to " + len);
        cases++;
      }
    }
    assertTrue(cases >= 70);
  }

  @Test
  void bitFlippedCopies() throws Exception {
    Random rnd = new Random(0x0b17001);
    for (byte[] orig : originals()) {
      long shoff = ByteBuffer.wrap(orig).order(ByteOrder.LITTLE_ENDIAN).getLong(40);
      for (int i = 0; i < 400; i++) {
        byte[] b = orig.clone();
        int flips = 1 + rnd.nextInt(8);
        for (int k = 0; k < flips; k++) {
          // half in the headers (ELF header and section header table), half anywhere
          int pos = switch (i % 3) {
            case 0 -> rnd.nextInt(64);
            case 1 -> (int) shoff + rnd.nextInt((int) (orig.length - shoff));
            default -> rnd.nextInt(orig.length);
          };
          b[pos] ^= (byte) (1 << rnd.nextInt(8));
        }
        check(b, "bit-flip case " + i);
      }
    }
  }

  @Test
  void overwrittenHeaderFields() throws Exception {
    for (byte[] orig : originals()) {
      long shoff = ByteBuffer.wrap(orig).order(ByteOrder.LITTLE_ENDIAN).getLong(40);
      int shnum = ByteBuffer.wrap(orig).order(ByteOrder.LITTLE_ENDIAN).getShort(60) & 0xffff;
      long[][] edits = { // {offset, width, value}
        {4, 1, 1}, {5, 1, 2}, {18, 2, 3}, {40, 8, Long.MAX_VALUE}, {40, 8, orig.length - 10},
        {58, 2, 40}, {60, 2, 0xffff}, {60, 2, 0}, {62, 2, 0xfffe}, {62, 2, shnum},
        {32, 8, orig.length}, {56, 2, 100},
      };
      for (long[] e : edits) check(edit(orig, (int) e[0], (int) e[1], e[2]), "field at " + e[0]);
      for (int sec = 1; sec < shnum; sec++) {
        int h = (int) shoff + sec * 64;
        check(edit(orig, h, 4, 0x7fffffff), "sh_name of " + sec);
        check(edit(orig, h + 24, 8, orig.length), "sh_offset of " + sec);
        check(edit(orig, h + 32, 8, Long.MAX_VALUE / 2), "sh_size of " + sec);
        check(edit(orig, h + 24, 8, 0), "sh_offset 0 of " + sec);
        check(edit(orig, h + 40, 4, 0xffff), "sh_link of " + sec);
        check(edit(orig, h + 44, 4, 0x7fffffff), "sh_info of " + sec);
        check(edit(orig, h + 56, 8, 7), "sh_entsize of " + sec);
      }
    }
  }

  private static byte[] edit(byte[] orig, int off, int width, long value) {
    byte[] b = orig.clone();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    switch (width) {
      case 1 -> b[off] = (byte) value;
      case 2 -> bb.putShort(off, (short) value);
      case 4 -> bb.putInt(off, (int) value);
      default -> bb.putLong(off, value);
    }
    return b;
  }

  /** True when the copy was rejected with an {@link ElfException}. */
  private boolean check(byte[] bytes, String what) throws Exception {
    Path in = dir.resolve("bad.ko");
    Files.write(in, bytes);
    Path out = dir.resolve("out.ko");
    try (ElfFile f = ElfFile.open(in)) {
      // it read as consistent: every part of it must be usable
      for (Section s : f.sections()) {
        s.data().byteSize();
        s.symbols().all();
        s.symbols().functionContaining(0);
        Relocations r = s.relocations();
        if (r != null) for (int i = 0; i < r.count(); i++) r.symbol(i).name();
      }
      f.write(out);
    } catch (ElfException e) {
      String m = e.getMessage();
      assertTrue(m.startsWith(in + ": "), what + ": " + m);
      assertFalse(m.contains("\n"), what + ": " + m);
      assertArrayEquals(bytes, Files.readAllBytes(in), what + ": input changed");
      return true;
    } catch (Throwable t) {
      fail(what + ": " + t, t);
    }
    assertArrayEquals(bytes, Files.readAllBytes(in), what + ": input changed");
    return false;
  }
}
