package io.objtool.check.annotate;

import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Rewrites of code the reference's hacks make: an instruction's bytes replaced by a NOP or a
 * RET of the same length, and its relocation turned into {@code R_X86_64_NONE} (symbol and
 * addend kept). A section's bytes are copied once into a buffer that later writes change in
 * place.
 */
final class InsnPatch {
  static final int R_X86_64_NONE = 0;

  /** x86 NOPs of 1 to 5 bytes, as the reference writes them. */
  private static final byte[][] NOPS = {
    {},
    {(byte) 0x90},
    {0x66, (byte) 0x90},
    {0x0f, 0x1f, 0x00},
    {0x0f, 0x1f, 0x40, 0x00},
    {0x0f, 0x1f, 0x44, 0x00, 0x00},
  };

  private static final byte RET = (byte) 0xc3;
  private static final byte INT3 = (byte) 0xcc;

  private InsnPatch() {}

  /** A NOP of {@code len} bytes (1..5). */
  static byte[] nop(int len) {
    if (len < 1 || len >= NOPS.length) throw new IllegalArgumentException("nop length " + len);
    return NOPS[len].clone();
  }

  /** RET, then INT3, then a NOP filling the rest (1..5 bytes). */
  static byte[] ret(int len) {
    if (len < 1 || len >= NOPS.length) throw new IllegalArgumentException("ret length " + len);
    byte[] b = new byte[len];
    b[0] = RET;
    if (len > 1) b[1] = INT3;
    if (len > 2) System.arraycopy(NOPS[len - 2], 0, b, 2, len - 2);
    return b;
  }

  private static final Object BUFFERS = new Object();

  /** Writes {@code bytes} over {@code insn} in its section. */
  static void write(ObjtoolFile file, Instruction insn, byte[] bytes) {
    Map<Section, byte[]> bufs = file.attachment(BUFFERS);
    if (bufs == null) {
      bufs = new IdentityHashMap<>();
      file.attach(BUFFERS, bufs);
    }
    Section sec = insn.section();
    byte[] buf = bufs.get(sec);
    if (buf == null) {
      buf = sec.data().toArray(ValueLayout.JAVA_BYTE);
      sec.setData(buf);
      bufs.put(sec, buf);
    }
    System.arraycopy(bytes, 0, buf, (int) insn.offset(), bytes.length);
    file.markChanged();
  }

  /** Turns relocation {@code i} of {@code r} into {@code R_X86_64_NONE}. */
  static void clearRelocType(ObjtoolFile file, Relocations r, int i) {
    setType(r, i, R_X86_64_NONE);
    r.setAddend(i, r.addend(i)); // marks the section for writing
    file.markChanged();
  }

  // Relocations has no setter for the type yet: until objtool-elf offers one, the column is
  // reached through reflection (the library runs on the class path, in one unnamed module).
  private static volatile Field typeColumn;

  private static void setType(Relocations r, int i, int type) {
    try {
      Field f = typeColumn;
      if (f == null) {
        f = Relocations.class.getDeclaredField("type");
        f.setAccessible(true);
        typeColumn = f;
      }
      int[] column = (int[]) f.get(r);
      if (i < 0 || i >= r.count()) throw new IndexOutOfBoundsException(i);
      column[i] = type;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot change a relocation type", e);
    }
  }
}
