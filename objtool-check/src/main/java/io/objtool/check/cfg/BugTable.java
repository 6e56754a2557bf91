package io.objtool.check.cfg;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.api.internal.Model;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.Arrays;

/**
 * arm64's {@code __bug_table}: BUG() and WARN() both trap with {@code brk #0x800}, and the table
 * entry's flags tell them apart. A WARN()'s {@code brk} is not a dead end (the trap handler
 * resumes after it), so the walk goes on; a BUG()'s stays one. Entries are
 * {@code struct bug_entry} with relative pointers: {@code s32 bug_addr_disp}, with
 * {@code CONFIG_DEBUG_BUGVERBOSE} {@code s32 file_disp; u16 line}, then {@code u16 flags}
 * (12 bytes, or 8 without the file and line); {@code BUGFLAG_WARNING} is bit 0. x86 says the same
 * with {@code .discard.reachable} annotations instead, so this step runs on arm64 only.
 */
public final class BugTable {
  /** {@code BUGFLAG_WARNING}. */
  static final int BUGFLAG_WARNING = 1;

  private BugTable() { }

  /** Clears the dead end of every WARN() {@code brk} of an AArch64 object. */
  public static void run(ObjtoolFile file) {
    if (file.elf().machine() != Elf.EM_AARCH64) return;
    Section sec = file.elf().section("__bug_table");
    if (sec == null || sec.relocations() == null) return;
    Relocations rel = sec.relocations();
    // the bug addresses: the relocations into code; the entry size is their spacing
    long[] at = new long[rel.count()];
    int n = 0;
    for (int i = 0; i < rel.count(); i++) {
      Symbol s = rel.symbol(i);
      if (s.section() != null && s.section().isExecutable()) at[n++] = rel.offset(i);
    }
    if (n == 0) return;
    at = Arrays.copyOf(at, n);
    Arrays.sort(at);
    long size = n > 1 ? at[1] - at[0] : sec.size() - at[0];
    if (size != 12 && size != 8) return; // a layout this step does not know: BUG and WARN stay dead ends
    java.lang.foreign.MemorySegment data = SectionContents.of(file.elf(), sec);
    for (long off : at) {
      if (off % size != 0 || off + size > sec.size()) continue;
      int flags = data.get(JAVA_SHORT_UNALIGNED, off + size - 2) & 0xffff;
      if ((flags & BUGFLAG_WARNING) == 0) continue;
      int r = rel.at(off);
      Symbol s = rel.symbol(r);
      Instruction insn = file.insns().findInsn(s.section(), s.value() + rel.addend(r));
      if (insn != null && insn.type() == InsnType.BUG) Model.clear(insn, Instruction.DEAD_END);
    }
  }
}
