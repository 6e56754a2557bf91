package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.objtool.api.AltGroup;
import io.objtool.api.internal.Cfi;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.lang.foreign.MemorySegment;

/**
 * Alternative code paths from the special sections: {@code .altinstructions} (replacement groups
 * patched over the original at boot), {@code __jump_table} (static branches: the jump target, or
 * the fall-through of a jump) and {@code __ex_table} (exception fixups).
 */
public final class SpecialAlts {
  /** Rule {@code special-section-reloc-not-found}: An entry of `.altinstructions`, `__jump_table` or `__ex_table` has no relocation where one is required. */
  public static final Rule SPECIAL_SECTION_RELOC_NOT_FOUND = Rule.error("special-section-reloc-not-found", "An entry of `.altinstructions`, `__jump_table` or `__ex_table` has no relocation where one is required.");
  /** Rule {@code special-section-size}: A special section's size is not a multiple of its entry size. */
  public static final Rule SPECIAL_SECTION_SIZE = Rule.error("special-section-size", "A special section's size is not a multiple of its entry size.");
  /** Rule {@code alternative-orig-not-found}: A special-section entry's original address is not an instruction. */
  public static final Rule ALTERNATIVE_ORIG_NOT_FOUND = Rule.error("alternative-orig-not-found", "A special-section entry's original address is not an instruction.");
  /** Rule {@code alternative-new-not-found}: A special-section entry's replacement address is not an instruction. */
  public static final Rule ALTERNATIVE_NEW_NOT_FOUND = Rule.error("alternative-new-not-found", "A special-section entry's replacement address is not an instruction.");
  /** Rule {@code empty-alternative-entry}: An alternative whose original code is empty while it should not be. */
  public static final Rule EMPTY_ALTERNATIVE_ENTRY = Rule.warning("empty-alternative-entry", "An alternative whose original code is empty while it should not be.");
  /** Rule {@code jump-label-unsupported-instruction}: A jump label site that is neither a jump nor a NOP. */
  public static final Rule JUMP_LABEL_UNSUPPORTED_INSTRUCTION = Rule.error("jump-label-unsupported-instruction", "A jump label site that is neither a jump nor a NOP.");
  /** Rule {@code alternative-overlap}: Two alternatives for one site disagree on its length. */
  public static final Rule ALTERNATIVE_OVERLAP = Rule.error("alternative-overlap", "Two alternatives for one site disagree on its length.");
  /** Rule {@code alternative-jump-dest-not-found}: A jump in replacement code whose target is not an instruction. */
  public static final Rule ALTERNATIVE_JUMP_DEST_NOT_FOUND = Rule.error("alternative-jump-dest-not-found", "A jump in replacement code whose target is not an instruction.");
  /** Rule {@code alternative-last-insn-not-found}: The end of a replacement is not an instruction boundary. */
  public static final Rule ALTERNATIVE_LAST_INSN_NOT_FOUND = Rule.error("alternative-last-insn-not-found", "The end of a replacement is not an instruction boundary.");

  /** x86 CPU feature numbers the reference treats specially. */
  static final int X86_FEATURE_POPCNT = 4 * 32 + 23;
  static final int X86_FEATURE_SMAP = 9 * 32 + 20;

  private record Entry(String section, int size, boolean group, boolean jumpOrNop, int orig, int neu,
      int origLen, int newLen, int feature, int key) {}

  /**
   * The 12-byte {@code struct alt_instr} (s32 orig, s32 replacement, u16 feature, u8 orig_len,
   * u8 repl_len): x86's before 6.4 (objtool 6.1) and arm64's (feature: the cpucap).
   */
  private static final Entry ALT_6_1 = new Entry(".altinstructions", 12, true, false, 0, 4, 10, 11, 8, -1);

  private static final Entry[] ENTRIES = {
    new Entry(".altinstructions", 14, true, false, 0, 4, 12, 13, 8, -1),
    new Entry("__jump_table", 16, false, true, 0, 4, -1, -1, -1, 8),
    new Entry("__ex_table", 12, false, false, 0, 4, -1, -1, -1, -1),
  };

  private final ObjtoolFile file;

  private SpecialAlts(ObjtoolFile file) {
    this.file = file;
  }

  public static void run(ObjtoolFile file) {
    new SpecialAlts(file).addAll();
    io.objtool.check.Stats.of(file).specialSectionsRead();
  }

  private record Target(Section sec, long off) {}

  private Target relocTarget(Section sec, Relocations rel, long at, String what) {
    int r = rel == null ? -1 : rel.at(at);
    if (r < 0) {
      file.diag().warnAt(sec, at, SPECIAL_SECTION_RELOC_NOT_FOUND, "can't find " + what + " reloc");
      throw new CfgException();
    }
    Symbol s = rel.symbol(r);
    return new Target(s.section(), s.value() + rel.addend(r));
  }

  /** One parsed table entry. */
  private static final class Alt {
    Entry entry;
    Target orig;
    Target neu;
    int origLen;
    int newLen;
    boolean skipOrig;
    boolean skipAlt;
    long keyAddend;
  }

  private void addAll() {
    boolean arm64 = file.elf().machine() == io.objtool.elf.Elf.EM_AARCH64;
    boolean v61 = file.compat() == io.objtool.api.Compat.V6_1 || arm64;
    for (Entry entry : ENTRIES) {
      Entry e = v61 && entry.group ? ALT_6_1 : entry;
      Section sec = file.elf().section(e.section);
      if (sec == null) continue;
      if (sec.size() % e.size != 0) {
        file.diag().warn(SPECIAL_SECTION_SIZE, sec.name() + " size not a multiple of " + e.size);
        throw new CfgException();
      }
      MemorySegment data = SectionContents.of(file.elf(), sec);
      Relocations rel = sec.relocations();
      long n = sec.size() / e.size;
      java.util.List<Alt> alts = new java.util.ArrayList<>();
      int runStart = 0;
      for (long idx = 0; idx < n; idx++) {
        long off = idx * e.size;
        Alt a = new Alt();
        a.entry = e;
        if (e.group) {
          a.origLen = data.get(JAVA_BYTE, off + e.origLen) & 0xff;
          a.newLen = data.get(JAVA_BYTE, off + e.newLen) & 0xff;
        }
        a.orig = relocTarget(sec, rel, off + e.orig, "orig");
        if (e.feature >= 0) {
          int feature = data.get(JAVA_SHORT_UNALIGNED, off + e.feature) & 0xffff;
          // nested ALTERNATIVE()s: consecutive entries for the same original all take the longest length
          if (!v61 && !alts.isEmpty() && sameOrig(alts.get(runStart), a)) {
            int len = a.origLen;
            for (int k = runStart; k < alts.size(); k++) len = Math.max(len, alts.get(k).origLen);
            for (int k = runStart; k < alts.size(); k++) alts.get(k).origLen = len;
            a.origLen = len;
          } else {
            runStart = alts.size();
          }
          if (arm64) {
            // arm64's cpucaps: no feature the walk treats specially
          } else if (feature == X86_FEATURE_SMAP) {
            if (file.options().uaccess()) a.skipOrig = true;
            else a.skipAlt = true;
          } else if (feature == X86_FEATURE_POPCNT) {
            a.skipOrig = true;
          }
        }
        if (!e.group || a.newLen != 0) {
          a.neu = relocTarget(sec, rel, off + e.neu, "new");
          if (a.neu.off >= 0x7ffffff0L) a.neu = new Target(a.neu.sec, a.neu.off - 0x7ffffff0L);
        }
        if (e.key >= 0) {
          int r = rel == null ? -1 : rel.at(off + e.key);
          if (r < 0) {
            file.diag().warnAt(sec, off + e.key, SPECIAL_SECTION_RELOC_NOT_FOUND, "can't find key reloc");
            throw new CfgException();
          }
          a.keyAddend = rel.addend(r);
        }
        alts.add(a);
      }
      for (Alt a : alts) addOne(a.entry, a.orig, a.neu, a.origLen, a.newLen, a.skipOrig, a.skipAlt, a.keyAddend);
    }
  }

  private static boolean sameOrig(Alt a, Alt b) {
    return a.orig.sec == b.orig.sec && a.orig.off == b.orig.off;
  }

  /** The target's section; for a symbol in no section (undefined, absolute) section 0, as objtool has it. */
  private Section sectionOf(Target t) {
    return t.sec != null ? t.sec : file.elf().section(0);
  }

  private void addOne(Entry e, Target orig, Target neu, int origLen, int newLen, boolean skipOrig, boolean skipAlt, long keyAddend) {
    Instruction origInsn = orig.sec == null ? null : file.insns().findInsn(orig.sec, orig.off);
    if (origInsn == null) {
      file.diag().warnAt(sectionOf(orig), orig.off, ALTERNATIVE_ORIG_NOT_FOUND, "special: can't find orig instruction");
      throw new CfgException();
    }
    Instruction newInsn = null;
    if (!e.group || newLen != 0) {
      newInsn = neu.sec == null ? null : file.insns().findInsn(neu.sec, neu.off);
      if (newInsn == null) {
        file.diag().warnAt(sectionOf(neu), neu.off, ALTERNATIVE_NEW_NOT_FOUND, "special: can't find new instruction");
        throw new CfgException();
      }
    }
    if (e.group) {
      if (origLen == 0) {
        file.diag().warnInsn(origInsn, EMPTY_ALTERNATIVE_ENTRY, "empty alternative entry");
        return;
      }
      newInsn = groupAlt(origInsn, orig, neu, origLen, newLen, newInsn);
    } else if (e.jumpOrNop) {
      newInsn = jumpAlt(origInsn, newInsn);
    }
    Model.addAlt(origInsn, newInsn, skipOrig);
    if (skipAlt) Model.set(origInsn, Instruction.IGNORE_ALTS);
  }

  private Instruction jumpAlt(Instruction origInsn, Instruction newInsn) {
    if (origInsn.type() != InsnType.JUMP_UNCONDITIONAL && origInsn.type() != InsnType.NOP) {
      file.diag().warnInsn(origInsn, JUMP_LABEL_UNSUPPORTED_INSTRUCTION, "unsupported instruction at jump label");
      throw new CfgException();
    }
    boolean nop = origInsn.type() == InsnType.NOP;
    io.objtool.check.Stats.of(file).jumpLabel(nop, origInsn.length());
    if (nop) return newInsn;
    return file.insns().nextInsnSameSec(origInsn);
  }

  private Instruction groupAlt(Instruction origInsn, Target orig, Target neu, int origLen, int newLen, Instruction newInsn) {
    AltGroup og = origInsn.altGroup();
    if (og == null) {
      og = Model.newAltGroup();
      Cfi[] cfi = new Cfi[origLen];
      Instruction last = null;
      for (Instruction insn : file.insns().secInsnsFrom(origInsn)) {
        if (insn.offset() >= orig.off + origLen) break;
        Model.setAltGroup(insn, og);
        last = insn;
      }
      Model.initAltGroup(og, null, origInsn, last, null, cfi);
    } else {
      long len = og.lastInsn().offset() + og.lastInsn().length() - og.firstInsn().offset();
      if (len != origLen) {
        file.diag().warnInsn(origInsn, ALTERNATIVE_OVERLAP, "weirdly overlapping alternative! " + len + " != " + origLen);
        throw new CfgException();
      }
    }
    AltGroup ng = Model.newAltGroup();
    Instruction nop = null;
    if (newLen < origLen) {
      Section nsec = neu != null ? neu.sec : origInsn.section();
      long noff = neu != null ? neu.off + newLen : 0;
      nop = Model.newPseudoInstruction(file, nsec, (int) noff, origLen - newLen, InsnType.NOP, 0);
      Model.setSym(nop, origInsn.sym());
      Model.setAltGroup(nop, ng);
      Model.set(nop, Instruction.FAKE);
    }
    Instruction lastNew = null;
    if (newLen == 0) {
      newInsn = nop;
    } else {
      for (Instruction insn : file.insns().secInsnsFrom(newInsn)) {
        if (insn.offset() >= neu.off + newLen) break;
        lastNew = insn;
        if (origInsn.has(Instruction.IGNORE_ALTS)) Model.set(insn, Instruction.IGNORE);
        Model.setSym(insn, origInsn.sym());
        Model.setAltGroup(insn, ng);
        if (!insn.isStaticJump() || insn.immediate() == 0) continue;
        long dest = insn.offset() + insn.length() + insn.immediate();
        if (dest == neu.off + newLen) {
          Instruction after = file.insns().nextInsnSameSec(og.lastInsn());
          if (after == null) {
            file.diag().warnInsn(insn, ALTERNATIVE_JUMP_DEST_NOT_FOUND, "can't find alternative jump destination");
            throw new CfgException();
          }
          Model.setJumpDest(insn, after);
        }
      }
      if (lastNew == null) {
        file.diag().warnAt(neu.sec, neu.off, ALTERNATIVE_LAST_INSN_NOT_FOUND, "can't find last new alternative instruction");
        throw new CfgException();
      }
    }
    Model.initAltGroup(ng, og, newInsn, lastNew, nop, Model.altCfi(og));
    return newInsn;
  }
}
