package io.objtool.check.annotate;

import io.objtool.api.internal.Model;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import com.google.auto.service.AutoService;

/**
 * {@code --hacks=jump_label}: a static branch whose key is initially true (bit 1 of the key
 * address in its {@code __jump_table} entry) gets a NOP at its site instead of the compiler's
 * JMP, so the kernel need not patch it at boot; the relocation becomes {@code R_X86_64_NONE}.
 * Done before the special sections are read, which then see the NOP.
 */
@AutoService(Pass.class)
public final class JumpLabelHackPass implements Pass {
  /** {@code struct jump_entry}: s32 code, s32 target, s64 key. */
  static final int ENTRY_SIZE = 16;
  static final int KEY_OFFSET = 8;

  @Override
  public String option() {
    return "hacks=jump_label";
  }

  @Override
  public String help() {
    return "replace initially-true static branches by NOPs";
  }

  @Override
  public boolean enabled(Options options) {
    return options.hackJumpLabel();
  }

  @Override
  public boolean needsWalk() {
    return false;
  }

  @Override
  public void beforeSpecialAlts(ObjtoolFile file) {
    Section table = file.elf().section("__jump_table");
    if (table == null || table.size() % ENTRY_SIZE != 0) return; // the reader reports it
    Relocations rel = table.relocations();
    if (rel == null) return;
    long n = table.size() / ENTRY_SIZE;
    for (long idx = 0; idx < n; idx++) {
      long off = idx * ENTRY_SIZE;
      int code = rel.at(off);
      int key = rel.at(off + KEY_OFFSET);
      if (code < 0 || key < 0) return; // the reader reports it
      if ((rel.addend(key) & 2) == 0) continue;
      Symbol s = rel.symbol(code);
      if (s.section() == null) continue;
      Instruction insn = file.insns().findInsn(s.section(), s.value() + rel.addend(code));
      // a site that is a NOP already is written again, as the reference does: the object counts
      // as changed (and is written out) even when nothing else changes
      if (insn == null || insn.type() != InsnType.JUMP_UNCONDITIONAL && insn.type() != InsnType.NOP) continue;
      CallSites.clearReloc(file, insn);
      InsnPatch.write(file, insn, InsnPatch.nop(file, insn.length()));
      Model.setType(insn, InsnType.NOP);
    }
  }
}
