package io.objtool.check.cfg;

import io.objtool.api.Rule;
import io.objtool.api.internal.Model;
import io.objtool.api.AltGroup;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.arch.InsnType;
import io.objtool.elf.Elf;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Switch jump tables: for each dynamic jump of a function, finds the table in {@code .rodata}
 * (through a relocation of a preceding instruction that references anonymous read-only data whose
 * entries point back into the function), and adds every table target as an alternative path of
 * the jump.
 */
public final class JumpTables {
  /** Rule {@code switch-table-not-found}: An indirect jump inside a function whose jump table objtool cannot find. */
  public static final Rule SWITCH_TABLE_NOT_FOUND = Rule.error("switch-table-not-found", "An indirect jump inside a function whose jump table objtool cannot find.");

  private final ObjtoolFile file;
  private final Map<Instruction, Integer> tables = new HashMap<>();
  private final Map<Instruction, Instruction> firstJumpSrc = new HashMap<>();
  /** Relocations (per rela section) that start a table. */
  private final Map<Relocations, java.util.BitSet> tableStarts = new IdentityHashMap<>();
  private final Map<Instruction, Relocations> tableRelocs = new HashMap<>();

  private JumpTables(ObjtoolFile file) {
    this.file = file;
  }

  /** True for a dynamic jump through a switch table (or the retpoline alternative of one). */
  public static boolean isJumpTableJump(Instruction insn) {
    if (insn.has(Instruction.JUMP_TABLE)) return true;
    AltGroup g = insn.altGroup();
    return g != null && g.origGroup() != null && g.origGroup().firstInsn().has(Instruction.JUMP_TABLE);
  }

  public static boolean isRodata(Section s) {
    String n = s.name();
    return (n.startsWith(".rodata") && !n.contains(".str1.")) || n.equals(".data.rel.ro.c_jump_table");
  }

  public static void run(ObjtoolFile file) {
    archTables(file);
    boolean rodata = false;
    for (Section s : file.elf().sections()) rodata |= isRodata(s);
    if (!rodata) return;
    JumpTables jt = new JumpTables(file);
    for (Symbol s : file.elf().symbols()) {
      if (s.type() != Elf.STT_FUNC || s.section() == null || !file.insns().hasInstructions(s.section())) continue;
      Func f = file.func(s);
      jt.markFuncJumpTables(f);
      jt.addFuncJumpTables(f);
    }
  }

  /**
   * Tables the architecture reads from the code ({@link io.objtool.api.arch.Arch#jumpTableTargets}:
   * arm64), for every dynamic jump of a function; targets outside the function are left out.
   */
  private static void archTables(ObjtoolFile file) {
    var arch = file.arch();
    for (Instruction insn : file.insns().allInsns()) {
      if (insn.type() != InsnType.JUMP_DYNAMIC || insn.func() == null || insn.has(Instruction.JUMP_TABLE)) continue;
      Func f = insn.func().pfunc();
      long[] targets = arch.jumpTableTargets(insn.section(), insn.func().offset(), insn.offset());
      if (targets == null) continue;
      boolean any = false;
      for (long t : targets) {
        Instruction dest = file.insns().findInsn(insn.section(), t);
        if (dest == null || dest.func() == null || dest.func().pfunc() != f) continue;
        Model.addAlt(insn, dest, false);
        any = true;
      }
      if (any) Model.set(insn, Instruction.JUMP_TABLE);
    }
  }

  private void markFuncJumpTables(Func func) {
    Instruction last = null;
    for (Instruction insn : file.insns().funcInsns(func)) {
      if (last == null) last = insn;
      if (insn.type() == InsnType.JUMP_UNCONDITIONAL && insn.jumpDest() != null && insn.offset() > last.offset()
          && insn.jumpDest().offset() > insn.offset() && !firstJumpSrc.containsKey(insn.jumpDest())) {
        firstJumpSrc.put(insn.jumpDest(), insn);
        last = insn.jumpDest();
      }
      if (insn.type() != InsnType.JUMP_DYNAMIC) continue;
      findJumpTable(func, insn);
    }
  }

  private void findJumpTable(Func func, Instruction orig) {
    for (Instruction insn = orig; insn != null && insn.func() != null && insn.func().pfunc() == func;
        insn = firstJumpSrc.getOrDefault(insn, null) != null ? firstJumpSrc.get(insn) : file.insns().prevInsnSameSym(insn)) {
      if (!insn.equals(orig) && insn.type() == InsnType.JUMP_DYNAMIC) break;
      if (insn.type() == InsnType.JUMP_UNCONDITIONAL && insn.jumpDest() != null
          && (insn.jumpDest().offset() <= insn.offset() || insn.jumpDest().offset() > orig.offset())) break;
      int r = file.insns().insnReloc(insn);
      if (r < 0) continue;
      Relocations text = file.insns().relocs(insn);
      Symbol sym = text.symbol(r);
      if (!sym.isSectionSymbol() || !isRodata(file.elf().sectionOf(sym))) continue;
      Section tableSec = sym.section();
      long tableOff = sym.value() + text.addend(r);
      if (text.type(r) == Elf.R_X86_64_PC32) tableOff += 4;
      if (tableSec.symbols().containing(tableOff) != null && !tableSec.name().equals(".data.rel.ro.c_jump_table")) continue;
      Relocations rodata = tableSec.relocations();
      if (rodata == null) continue;
      int tr = rodata.at(tableOff);
      if (tr < 0) continue;
      if (text.type(r) == Elf.R_X86_64_PC32) Model.setIgnoreUnreachables(file, true);
      Symbol tsym = rodata.symbol(tr);
      if (tsym.section() == null) continue;
      Instruction dest = file.insns().findInsn(tsym.section(), rodata.addend(tr));
      if (dest == null || dest.func() == null || dest.func().pfunc() != func) continue;
      tableStarts.computeIfAbsent(rodata, k -> new java.util.BitSet()).set(tr);
      Model.set(orig, Instruction.JUMP_TABLE);
      tables.put(orig, tr);
      tableRelocs.put(orig, rodata);
      return;
    }
  }

  private void addFuncJumpTables(Func func) {
    for (Instruction insn : file.insns().funcInsns(func)) {
      Integer start = tables.get(insn);
      if (start == null) continue;
      addJumpTable(insn, tableRelocs.get(insn), start);
    }
  }

  private void addJumpTable(Instruction insn, Relocations rel, int table) {
    Func pfunc = insn.func().pfunc();
    java.util.BitSet starts = tableStarts.get(rel);
    long prevOffset = 0; // as the reference: a table at offset 0 does not count as found
    for (int i = table; i < rel.count(); i++) {
      if (i != table && starts.get(i)) break;
      if (prevOffset != 0 && rel.offset(i) != prevOffset + 8) break;
      Symbol s = rel.symbol(i);
      long add = rel.addend(i);
      if (s.section() == pfunc.section() && add == pfunc.offset()) break;
      if (!(s.section() == pfunc.section() && add == pfunc.offset() + pfunc.len())) {
        Instruction dest = s.section() == null ? null : file.insns().findInsn(s.section(), add);
        if (dest == null) break;
        if (dest.func() == null || dest.func().pfunc() != pfunc) break;
        Model.addAlt(insn, dest, false);
      }
      prevOffset = rel.offset(i);
    }
    if (prevOffset == 0) {
      file.diag().warnInsn(insn, SWITCH_TABLE_NOT_FOUND, "can't find switch jump table");
      throw new CfgException();
    }
  }
}
