package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.internal.Model;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.elf.Relocations;

/**
 * Rewrites of code the reference's hacks make: an instruction's bytes replaced by a NOP or a
 * RET of the same length, and its relocation turned into {@code R_X86_64_NONE} (symbol and
 * addend kept). The section is not copied for it: the ELF layer keeps the patches aside until
 * the section's bytes are read or written ({@link ElfEdit#patch}).
 */
final class InsnPatch {
  static final int R_X86_64_NONE = 0;

  private static final byte RET = (byte) 0xc3;
  private static final byte INT3 = (byte) 0xcc;

  private InsnPatch() {}

  /** The architecture's NOP of {@code len} bytes. */
  static byte[] nop(ObjtoolFile file, int len) {
    return file.arch().nop(len);
  }

  /** RET, then INT3, then a NOP filling the rest. */
  static byte[] ret(ObjtoolFile file, int len) {
    if (len < 1) throw new IllegalArgumentException("ret length " + len);
    byte[] b = new byte[len];
    b[0] = RET;
    if (len > 1) b[1] = INT3;
    if (len > 2) System.arraycopy(file.arch().nop(len - 2), 0, b, 2, len - 2);
    return b;
  }

  /** Writes {@code bytes} over {@code insn} in its section. */
  static void write(ObjtoolFile file, Instruction insn, byte[] bytes) {
    ElfEdit.patch(insn.section(), insn.offset(), bytes);
    Model.markChanged(file);
  }

  /** Turns relocation {@code i} of {@code r} into {@code R_X86_64_NONE}. */
  static void clearRelocType(ObjtoolFile file, Relocations r, int i) {
    ElfEdit.setRelocType(r, i, R_X86_64_NONE);
    Model.markChanged(file);
  }
}
